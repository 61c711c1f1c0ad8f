#!/usr/bin/env python3
"""A local Paystack: the parts of Paystack's API the payments function uses, with Paystack's
response shapes, for development and tests (Paystack itself cannot be reached from here).

  POST /transaction/initialize      (Bearer secret key) -> authorization_url on this server
  GET  /transaction/verify/<ref>    (Bearer secret key)
  POST /refund                      (Bearer secret key) -> pending; a second later a signed
                                    refund.processed webhook to WEBHOOK_URL
  GET  /checkout/<access_code>      a checkout page with "Pay" and "Decline"
  POST /checkout/<access_code>/pay  marks it paid, posts a signed charge.success webhook to
                                    WEBHOOK_URL, and sends the browser to the callback URL
  POST /checkout/<access_code>/decline

Test controls (not Paystack's): POST /__control/pay/<ref> marks a transaction paid without a
webhook (a customer back before the webhook); POST /__control/refunds {"refuse": true|false,
"reference"?} makes refunds (of that transaction only, with a reference) fail as Paystack does
when the balance cannot cover them; GET /__control/refunds lists the refunds taken.

Environment: PAYSTACK_SECRET_KEY, PAYSTACK_PORT (default 5400), WEBHOOK_URL (where charge.success
and refund.processed go). Binds 127.0.0.1 only. Standard library only.
"""

import hashlib
import hmac
import html
import json
import os
import secrets
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = os.environ.get("PAYSTACK_SECRET_KEY", "sk_test_local_paystack_secret_key_0123456789")
PORT = int(os.environ.get("PAYSTACK_PORT", "5400"))
WEBHOOK_URL = os.environ.get("WEBHOOK_URL", "")

LOCK = threading.Lock()
TRANSACTIONS = {}  # reference -> transaction
BY_CODE = {}  # access_code -> reference
STATE = {"refuse_refunds": False, "refuse": set(), "refunds": [], "initialized": [], "next_id": 4099260000}


def now_iso():
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())


def signature(raw: bytes) -> str:
    return hmac.new(SECRET.encode(), raw, hashlib.sha512).hexdigest()


def public(tx):
    """A transaction as Paystack's verify endpoint shows it."""
    return {
        "id": tx["id"],
        "domain": "test",
        "status": tx["status"],
        "reference": tx["reference"],
        "amount": tx["amount"],
        "currency": tx["currency"],
        "channel": tx["channel"],
        "gateway_response": {"success": "Successful", "failed": "Declined", "abandoned": "The transaction was not completed"}[tx["status"]],
        "paid_at": tx.get("paid_at"),
        "created_at": tx["created_at"],
        "metadata": tx["metadata"],
        "customer": {"email": tx["email"]},
    }


def send_webhook(tx):
    return send_event("charge.success", public(tx))


def send_event(event, data):
    if not WEBHOOK_URL:
        return "no WEBHOOK_URL configured"
    raw = json.dumps({"event": event, "data": data}, separators=(",", ":")).encode()
    req = urllib.request.Request(
        WEBHOOK_URL,
        data=raw,
        method="POST",
        headers={"content-type": "application/json", "x-paystack-signature": signature(raw)},
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            return f"webhook answered {res.status}"
    except Exception as err:  # the page says what happened; Paystack would retry
        return f"webhook failed: {err}"


class Handler(BaseHTTPRequestHandler):
    server_version = "LocalPaystack/1.0"

    def log_message(self, fmt, *args):
        sys.stderr.write("paystack: " + (fmt % args) + "\n")

    def reply(self, status, body, content_type="application/json", headers=()):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def fail(self, status, message):
        self.reply(status, {"status": False, "message": message})

    def authorized(self):
        if self.headers.get("authorization", "") != f"Bearer {SECRET}":
            self.fail(401, "Invalid key")
            return False
        return True

    def body(self):
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        ctype = self.headers.get("content-type", "")
        if "application/x-www-form-urlencoded" in ctype:
            return dict(urllib.parse.parse_qsl(raw.decode()))
        try:
            return json.loads(raw or b"{}")
        except ValueError:
            return None

    def do_POST(self):
        path = urllib.parse.urlparse(self.path).path.rstrip("/")
        if path == "/transaction/initialize":
            return self.initialize()
        if path == "/refund":
            return self.refund()
        if path.startswith("/checkout/") and path.endswith(("/pay", "/decline")):
            return self.checkout_action(path)
        if path.startswith("/__control/pay/"):
            return self.control_pay(path.rsplit("/", 1)[1])
        if path == "/__control/refunds":
            body = self.body() or {}
            refuse, reference = bool(body.get("refuse")), body.get("reference")
            with LOCK:
                if reference is None:
                    STATE["refuse_refunds"] = refuse
                elif refuse:
                    STATE["refuse"].add(str(reference))
                else:
                    STATE["refuse"].discard(str(reference))
                return self.reply(200, {"refuse_refunds": STATE["refuse_refunds"], "refused": sorted(STATE["refuse"])})
        self.fail(404, "Not found")

    def do_GET(self):
        path = urllib.parse.urlparse(self.path).path.rstrip("/")
        if path.startswith("/transaction/verify/"):
            return self.verify(path.rsplit("/", 1)[1])
        if path.startswith("/checkout/"):
            return self.checkout_page(path.rsplit("/", 1)[1])
        if path == "/__control/refunds":
            with LOCK:
                return self.reply(200, {"refunds": list(STATE["refunds"])})
        if path == "/__control/initialized":
            # What each initialize asked for, split or not (subaccount, transaction_charge).
            with LOCK:
                return self.reply(200, {"initialized": list(STATE["initialized"])})
        if path == "/health":
            return self.reply(200, {"status": True})
        self.fail(404, "Not found")

    def initialize(self):
        if not self.authorized():
            return
        body = self.body()
        if not isinstance(body, dict):
            return self.fail(400, "Invalid JSON")
        amount, email = body.get("amount"), body.get("email")
        if not email:
            return self.fail(400, "Email is required")
        try:
            amount = int(amount)
        except (TypeError, ValueError):
            return self.fail(400, "Invalid amount")
        if amount <= 0:
            return self.fail(400, "Invalid amount")
        reference = body.get("reference") or secrets.token_hex(8)
        with LOCK:
            if reference in TRANSACTIONS:
                return self.fail(400, "Duplicate Transaction Reference")
            code = secrets.token_urlsafe(12)
            STATE["next_id"] += 1
            TRANSACTIONS[reference] = {
                "id": STATE["next_id"],
                "reference": reference,
                "access_code": code,
                "amount": amount,
                "currency": body.get("currency") or "NGN",
                "email": email,
                "callback_url": body.get("callback_url"),
                "metadata": body.get("metadata"),
                "status": "abandoned",
                "channel": "card",
                "created_at": now_iso(),
                "refunded": False,
            }
            BY_CODE[code] = reference
            STATE["initialized"].append({
                "reference": reference,
                "amount": amount,
                "subaccount": body.get("subaccount"),
                "transaction_charge": body.get("transaction_charge"),
                "bearer": body.get("bearer"),
            })
        self.reply(200, {
            "status": True,
            "message": "Authorization URL created",
            "data": {
                "authorization_url": f"http://127.0.0.1:{PORT}/checkout/{code}",
                "access_code": code,
                "reference": reference,
            },
        })

    def verify(self, reference):
        if not self.authorized():
            return
        with LOCK:
            tx = TRANSACTIONS.get(urllib.parse.unquote(reference))
            data = public(tx) if tx else None
        if data is None:
            return self.fail(400, "Transaction reference not found")
        self.reply(200, {"status": True, "message": "Verification successful", "data": data})

    def refund(self):
        if not self.authorized():
            return
        body = self.body() or {}
        key = str(body.get("transaction", ""))
        with LOCK:
            tx = TRANSACTIONS.get(key) or next((t for t in TRANSACTIONS.values() if str(t["id"]) == key), None)
            if tx is None:
                return self.fail(400, "Transaction not found")
            if tx["status"] != "success":
                return self.fail(400, "Transaction has not been completed")
            if tx["refunded"]:
                return self.fail(400, "Transaction has been fully reversed")
            if STATE["refuse_refunds"] or tx["reference"] in STATE["refuse"]:
                return self.fail(400, "Refund could not be processed: insufficient balance")
            tx["refunded"] = True
            STATE["refunds"].append({"reference": tx["reference"], "amount": tx["amount"]})
            data = {
                "transaction": {"id": tx["id"], "reference": tx["reference"], "amount": tx["amount"]},
                "amount": tx["amount"],
                "currency": tx["currency"],
                "status": "pending",
                "refunded_at": None,
            }
            processed = {
                "status": "processed",
                "transaction_reference": tx["reference"],
                "amount": tx["amount"],
                "currency": tx["currency"],
                "refunded_at": now_iso(),
            }
        self.reply(200, {"status": True, "message": "Refund has been queued for processing", "data": data})
        # As Paystack does: the refund is processed a moment later and a signed refund.processed
        # webhook says so (to WEBHOOK_URL, when one is configured).
        if WEBHOOK_URL:
            def later():
                time.sleep(1)
                outcome = send_event("refund.processed", processed)
                sys.stderr.write(f"paystack: refund of {processed['transaction_reference']} processed: {outcome}\n")
            threading.Thread(target=later, daemon=True).start()

    def checkout_page(self, code):
        with LOCK:
            tx = TRANSACTIONS.get(BY_CODE.get(code, ""))
            tx = dict(tx) if tx else None
        if tx is None:
            return self.reply(404, b"<h1>Unknown checkout</h1>", "text/html; charset=utf-8")
        naira = f"NGN {tx['amount'] / 100:,.2f}"
        done = tx["status"] != "abandoned"
        page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Pay {html.escape(naira)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}}
button{{font-size:1.1rem;padding:.7rem 1.4rem;margin-right:.6rem}}</style></head><body>
<h1>Local Paystack</h1><p>{html.escape(tx['email'])} pays <strong>{html.escape(naira)}</strong></p>
<p>Reference <code>{html.escape(tx['reference'])}</code> &middot; status <strong id="status">{tx['status']}</strong></p>
{'' if done else f'''<form method="post" action="/checkout/{html.escape(code)}/pay" style="display:inline"><button type="submit">Pay</button></form>
<form method="post" action="/checkout/{html.escape(code)}/decline" style="display:inline"><button type="submit">Decline</button></form>'''}
</body></html>"""
        self.reply(200, page.encode(), "text/html; charset=utf-8")

    def checkout_action(self, path):
        parts = path.split("/")
        code, action = parts[2], parts[3]
        with LOCK:
            tx = TRANSACTIONS.get(BY_CODE.get(code, ""))
            if tx is None:
                return self.reply(404, b"<h1>Unknown checkout</h1>", "text/html; charset=utf-8")
            if tx["status"] == "abandoned":
                tx["status"] = "success" if action == "pay" else "failed"
                if action == "pay":
                    tx["paid_at"] = now_iso()
            snapshot = dict(tx)
        outcome = send_webhook(snapshot) if snapshot["status"] == "success" else "declined"
        sys.stderr.write(f"paystack: {snapshot['reference']} {snapshot['status']}: {outcome}\n")
        callback = snapshot.get("callback_url")
        if callback:
            sep = "&" if "?" in callback else "?"
            ref = urllib.parse.quote(snapshot["reference"])
            return self.reply(303, b"", "text/plain", [("location", f"{callback}{sep}trxref={ref}&reference={ref}")])
        self.reply(303, b"", "text/plain", [("location", f"/checkout/{code}")])

    def control_pay(self, reference):
        with LOCK:
            tx = TRANSACTIONS.get(urllib.parse.unquote(reference))
            if tx is None:
                return self.fail(404, "Transaction reference not found")
            tx["status"] = "success"
            tx["paid_at"] = now_iso()
        self.reply(200, {"status": True})


def main():
    server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
    sys.stderr.write(f"local Paystack on http://127.0.0.1:{PORT} (webhook: {WEBHOOK_URL or 'none'})\n")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
