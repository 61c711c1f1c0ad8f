#!/usr/bin/env python3
"""A fault gate: an HTTP pass-through to one upstream (the local Paystack, the SES/SNS emulator)
that can be told to fail for a while, for the faults scenario (infra/bench/faults.sh).

  FAULTGATE_PORT=5501 FAULTGATE_UPSTREAM=http://127.0.0.1:5400 python3 faultgate.py

Every request is forwarded as it came (method, path, headers, body) and the upstream's answer
returned as it is, except during an outage:

  POST /__fault/outage {"seconds": 30, "mode": "refuse" | "hang"}
      refuse: every request answered at once with 503 and a JSON error (as a service that is
              down behind its load balancer answers);
      hang:   every request held without an answer until the outage ends (longer than any
              client's timeout), then its connection closed with no answer.
  GET  /__fault/state   {"down": bool, "mode", "seconds_left", "refused": n, "hung": n, "passed": n}

Binds 127.0.0.1 only. Standard library only.
"""

import json
import os
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(os.environ.get("FAULTGATE_PORT", "5501"))
UPSTREAM = os.environ.get("FAULTGATE_UPSTREAM", "http://127.0.0.1:5400").rstrip("/")
# Headers that belong to one hop, not to the request.
HOP = {"connection", "keep-alive", "transfer-encoding", "host", "content-length", "proxy-connection"}

LOCK = threading.Lock()
STATE = {"until": 0.0, "mode": "refuse", "refused": 0, "hung": 0, "passed": 0}


def outage():
    """The outage's mode while one lasts, else None."""
    with LOCK:
        return STATE["mode"] if time.monotonic() < STATE["until"] else None


class Gate(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body, content_type="application/json", headers=()):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(raw)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(raw)

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def control(self, method):
        if method == "POST" and self.path.rstrip("/") == "/__fault/outage":
            try:
                asked = json.loads(self.body() or b"{}")
                seconds = float(asked.get("seconds", 30))
                mode = asked.get("mode", "refuse")
            except (ValueError, AttributeError):
                return self.reply(400, {"error": "send {\"seconds\": n, \"mode\": \"refuse\"|\"hang\"}"})
            if mode not in ("refuse", "hang") or not 0 <= seconds <= 600:
                return self.reply(400, {"error": "mode is refuse or hang, seconds 0..600"})
            with LOCK:
                STATE["until"] = time.monotonic() + seconds
                STATE["mode"] = mode
            return self.reply(200, {"down": seconds > 0, "mode": mode, "seconds": seconds})
        if method == "GET" and self.path.rstrip("/") == "/__fault/state":
            with LOCK:
                left = max(0.0, STATE["until"] - time.monotonic())
                state = {k: STATE[k] for k in ("mode", "refused", "hung", "passed")}
            return self.reply(200, {"down": left > 0, "seconds_left": round(left, 1), **state})
        return self.reply(404, {"error": "unknown control"})

    def forward(self, method):
        if self.path.startswith("/__fault/"):
            return self.control(method)
        raw = self.body()
        mode = outage()
        if mode == "refuse":
            with LOCK:
                STATE["refused"] += 1
            return self.reply(503, {"status": False, "message": "Service unavailable (fault gate)"},
                              headers=[("Connection", "close")])
        if mode == "hang":
            with LOCK:
                STATE["hung"] += 1
            while outage() == "hang":
                time.sleep(0.2)
            self.close_connection = True
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        request = urllib.request.Request(UPSTREAM + self.path, data=raw if raw or method in ("POST", "PUT", "PATCH") else None,
                                         headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                status, body, answer_headers = answer.status, answer.read(), answer.headers
        except urllib.error.HTTPError as err:
            status, body, answer_headers = err.code, err.read(), err.headers
        except (urllib.error.URLError, OSError) as err:
            return self.reply(502, {"error": f"upstream unreachable: {err}"})
        with LOCK:
            STATE["passed"] += 1
        self.send_response(status)
        for name, value in answer_headers.items():
            if name.lower() not in HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.forward("GET")

    def do_POST(self):
        self.forward("POST")

    def do_PUT(self):
        self.forward("PUT")

    def do_PATCH(self):
        self.forward("PATCH")

    def do_DELETE(self):
        self.forward("DELETE")


def main():
    server = ThreadingHTTPServer(("127.0.0.1", PORT), Gate)
    server.daemon_threads = True
    print(f"fault gate on 127.0.0.1:{PORT} -> {UPSTREAM}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
