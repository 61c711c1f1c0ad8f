// Live updates: one WebSocket per tab, opened with a single-use ticket from the API
// (POST /api/realtime/ticket/), shared by every screen that listens. Frames tell a screen that
// something changed; when the socket is down (no ticket, the network, the server) screens poll
// as before and say so quietly. The socket opens again by itself, backing off up to 30 s.
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "./api/client";

export type Frame = {
  type: "order.updated" | "board.updated" | "notification" | "alert" | "subscribed" | "error";
  order?: { id: string; status: string; payment_status: string; updated_at?: string };
  notification?: { id: string; kind: string };
  alert?: { id: string; kind: string; status: string };
  kitchen?: string;
  code?: string;
};

type Listener = { onFrame: (frame: Frame) => void; kitchen?: string };

const listeners = new Set<Listener>();
/** `connecting` until the socket first opens or fails; `down` while it is closed. */
export type LiveStatus = "connecting" | "live" | "down";
const statusWatchers = new Set<(status: LiveStatus) => void>();
let socket: WebSocket | null = null;
let status: LiveStatus = "connecting";
let retry: ReturnType<typeof setTimeout> | undefined;
let backoff = 2000;
let opening = false;

function setStatus(next: LiveStatus) {
  if (status === next) return;
  status = next;
  document.documentElement.dataset.live = next;
  statusWatchers.forEach((watch) => watch(next));
}

/** The socket URL the API named, on this page's origin when it is a path. */
function socketUrl(url: string, ticket: string): string {
  const base = new URL(url, location.href);
  if (base.protocol === "http:") base.protocol = "ws:";
  if (base.protocol === "https:") base.protocol = "wss:";
  base.searchParams.set("ticket", ticket);
  return base.toString();
}

function subscribe(kitchen: string) {
  if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ action: "subscribe", kitchen }));
}

function later() {
  setStatus("down");
  clearTimeout(retry);
  if (listeners.size === 0) return;
  retry = setTimeout(open, backoff);
  backoff = Math.min(backoff * 2, 30000);
}

async function open() {
  if (socket || opening || listeners.size === 0) return;
  opening = true;
  try {
    const { data } = await api.POST("/api/realtime/ticket/");
    if (!data) return later();
    const ws = new WebSocket(socketUrl(data.url, data.ticket));
    socket = ws;
    ws.onopen = () => {
      backoff = 2000;
      setStatus("live");
      new Set([...listeners].map((l) => l.kitchen).filter(Boolean) as string[]).forEach(subscribe);
    };
    ws.onmessage = (event) => {
      let frame: Frame;
      try {
        frame = JSON.parse(String(event.data));
      } catch {
        return;
      }
      listeners.forEach((l) => l.onFrame(frame));
    };
    ws.onclose = () => {
      if (socket === ws) socket = null;
      later();
    };
  } catch {
    later();
  } finally {
    opening = false;
  }
}

function close() {
  clearTimeout(retry);
  const ws = socket;
  socket = null;
  ws?.close();
  status = "connecting";
}

/** Whether live updates are off: the journeys' switch to prove frames alone move a screen. */
export function pollingOff(): boolean {
  try {
    return localStorage.getItem("chuks.polling") === "off";
  } catch {
    return false;
  }
}

/** Listens for frames while mounted (`kitchen`: also that kitchen's board and alerts); the
 * socket's status now (screens poll while it is not `live`). */
export function useLive(onFrame: (frame: Frame) => void, kitchen?: string, enabled = true): LiveStatus {
  const [now, setNow] = useState<LiveStatus>(status);
  const handler = useRef(onFrame);
  handler.current = onFrame;
  useEffect(() => {
    if (!enabled) return;
    const listener: Listener = { onFrame: (frame) => handler.current(frame), kitchen };
    listeners.add(listener);
    statusWatchers.add(setNow);
    setNow(status);
    if (kitchen) subscribe(kitchen);
    open();
    return () => {
      listeners.delete(listener);
      statusWatchers.delete(setNow);
      if (listeners.size === 0) close();
    };
  }, [kitchen, enabled]);
  return now;
}

/** The quiet line a screen shows while its live updates are down and it polls instead. */
export const POLLING_NOTE = "Live updates are paused; this screen checks for changes every few seconds.";
