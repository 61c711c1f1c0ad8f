import { useEffect, useState } from "preact/hooks";
import { api, messageOf } from "../api/client";
import type { components } from "../api/schema";
import { go } from "../route";
import { useLive } from "../live";
import { Notice, when } from "../ui";

type Notification = components["schemas"]["Notification"];

const UNREACHABLE = "Your notifications cannot be reached. Check your connection and try again.";

/** The signed-in user's unread count, read again on every screen change (the bell). */
export function useUnread(path: string, signedIn: boolean): number {
  const [unread, setUnread] = useState(0);
  // A new notification comes as a frame while the socket is up; the count is read again on
  // every screen change either way.
  useLive((frame) => {
    if (frame.type === "notification") setUnread((n) => n + 1);
  }, undefined, signedIn);
  useEffect(() => {
    if (!signedIn) return setUnread(0);
    api
      .GET("/api/notifications/unread-count/")
      .then(({ data }) => setUnread(data?.unread ?? 0))
      .catch(() => {});
  }, [path, signedIn]);
  return unread;
}

/** The inbox: what happened to the customer's orders, newest first; opening one marks it read
 * and goes to its order. */
export function Inbox() {
  const [items, setItems] = useState<Notification[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const load = async () => {
    try {
      const { data, error } = await api.GET("/api/notifications/", { params: { query: { limit: 50 } } });
      if (data) setItems(data.items);
      else setProblem(messageOf(error, "Your notifications could not be loaded."));
    } catch {
      setProblem(UNREACHABLE);
    }
  };
  useEffect(() => {
    load();
  }, []);
  if (!items) return problem ? <Notice tone="error">{problem}</Notice> : <Notice tone="info">Loading your notifications…</Notice>;
  const unread = items.filter((n) => !n.read).length;
  return (
    <section aria-labelledby="inbox-title" class="narrow">
      <h1 id="inbox-title">Notifications</h1>
      {problem && <Notice tone="error">{problem}</Notice>}
      {items.length === 0 && <p>Nothing yet. What happens to your orders shows here.</p>}
      {unread > 0 && (
        <button
          type="button"
          class="secondary"
          onClick={async () => {
            const done = await api.POST("/api/notifications/read-all/").catch(() => null);
            if (done?.data) setItems(items.map((n) => ({ ...n, read: true })));
            else setProblem(done ? messageOf(done.error, "Could not mark them read.") : UNREACHABLE);
          }}
        >
          Mark all read
        </button>
      )}
      <ul class="lines" aria-label="Notifications">
        {items.map((n) => (
          <li key={n.id} class={`line notification${n.read ? "" : " unread"}`}>
            <button
              type="button"
              class="link"
              onClick={async () => {
                if (!n.read) await api.POST("/api/notifications/{id}/read/", { params: { path: { id: n.id } } }).catch(() => null);
                if (n.order_id) go(`/orders/${n.order_id}`);
                else setItems(items.map((m) => (m.id === n.id ? { ...m, read: true } : m)));
              }}
            >
              <strong>{n.title}</strong>
            </button>
            <span>{n.body}</span>
            <time dateTime={n.at}>{when(n.at)}</time>
          </li>
        ))}
      </ul>
    </section>
  );
}
