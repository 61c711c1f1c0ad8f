import { useEffect, useRef, useState } from "preact/hooks";
import { api, codeOf, messageOf, type Order, type OrderSummary } from "../api/client";
import { naira } from "../money";
import { Alerts } from "./Alerts";
import { HOME } from "../kitchens";
import { POLLING_NOTE, pollingOff, useLive } from "../live";
import { Confirm, Notice, Pill, shortId } from "../ui";

/** The board's lanes: orders waiting for their payment apart from those the kitchen can act on. */
const COLUMNS = ["awaiting_payment", "pending", "confirmed", "preparing", "ready"] as const;
type Column = (typeof COLUMNS)[number];
const COLUMN_NAMES: Record<Column, string> = {
  awaiting_payment: "Awaiting payment",
  pending: "New, paid",
  confirmed: "Confirmed",
  preparing: "Preparing",
  ready: "Ready / on the way",
};
const BOARD_POLL_MS = 4000;
/** Whether a new order rings and flashes (the counter's choice, kept on this device). */
const ALERT_KEY = "chuks.board-alert";

/** The lane a ticket stands in: a pending order the kitchen cannot confirm yet waits for its
 * payment. */
function laneOf(order: OrderSummary): Column {
  if (order.status === "pending") return order.next_status ? "pending" : "awaiting_payment";
  if (order.status === "out_for_delivery" || order.status === "ready_for_pickup") return "ready";
  return order.status as Column;
}

const STEP_LABEL: Record<string, string> = {
  confirmed: "Confirm",
  preparing: "Start preparing",
  ready_for_pickup: "Ready for pickup",
  out_for_delivery: "Out for delivery",
  completed: "Complete",
};

/** A board's API: a kitchen's own (`slug`), or the home kitchen's through the v1 routes. */
function boardAt(slug: string | undefined) {
  return {
    list: (status: Order["status"]) =>
      slug
        ? api.GET("/api/kitchens/{slug}/manage/orders/", { params: { path: { slug }, query: { status, limit: 100 } } })
        : api.GET("/api/orders/admin/", { params: { query: { status, limit: 100 } } }),
    one: (id: string) =>
      slug
        ? api.GET("/api/kitchens/{slug}/manage/orders/{id}/", { params: { path: { slug, id } } })
        : api.GET("/api/orders/admin/{id}/", { params: { path: { id } } }),
    status: (id: string, status: Order["status"]) =>
      slug
        ? api.PATCH("/api/kitchens/{slug}/manage/orders/{id}/status/", { params: { path: { slug, id } }, body: { status } })
        : api.PATCH("/api/orders/admin/{id}/status/", { params: { path: { id } }, body: { status } }),
    paid: (id: string) =>
      slug
        ? api.PATCH("/api/kitchens/{slug}/manage/orders/{id}/payment-status/", { params: { path: { slug, id } }, body: { payment_status: "paid" } })
        : api.PATCH("/api/orders/admin/{id}/payment-status/", { params: { path: { id } }, body: { payment_status: "paid" } }),
  };
}

const OPEN: string[] = ["pending", "confirmed", "preparing", "out_for_delivery", "ready_for_pickup"];

/** The board's orders with one changed (or new) order taken in: an older copy is replaced, one
 * no longer open leaves the board; newest first as the lists give them. A frame older than the
 * copy the board holds changes nothing (frames may come out of order). */
function merged(all: OrderSummary[], changed: OrderSummary): OrderSummary[] {
  const held = all.find((o) => o.id === changed.id);
  if (held && held.updated_at > changed.updated_at) return all;
  const rest = all.filter((o) => o.id !== changed.id);
  if (!OPEN.includes(changed.status)) return rest;
  return [changed, ...rest].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

/** How long ago, in the words a kitchen uses ("just now", "12 min", "1 h 5 min"). */
function waited(since: string, now: number): string {
  const minutes = Math.max(0, Math.floor((now - new Date(since).getTime()) / 60_000));
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** A short ring (two tones), where the browser lets a page make a sound. */
function ring() {
  try {
    const audio = new AudioContext();
    [880, 660].forEach((hz, i) => {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = hz;
      gain.gain.value = 0.2;
      tone.connect(gain).connect(audio.destination);
      tone.start(audio.currentTime + i * 0.2);
      tone.stop(audio.currentTime + i * 0.2 + 0.18);
    });
  } catch {
    // No sound here: the flash still shows.
  }
}

/** Who ordered and where it goes: read with the one order when the ticket is opened. */
function TicketDetails({ order, read }: { order: OrderSummary; read: (id: string) => ReturnType<ReturnType<typeof boardAt>["one"]> }) {
  const [full, setFull] = useState<Order | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const open = async () => {
    if (full) return;
    setProblem(null);
    const got = await read(order.id).catch(() => null);
    if (got?.data) setFull(got.data.order);
    else setProblem(got ? messageOf(got.error, "The order could not be read.") : "The kitchen cannot be reached. Close and open again to retry.");
  };
  const phone = full?.contact_phone ?? full?.customer?.phone ?? null;
  return (
    <details class="ticket-details" onToggle={(e) => (e.currentTarget as HTMLDetailsElement).open && open()}>
      <summary>Customer{order.fulfilment === "delivery" ? " and address" : ""}</summary>
      {problem && <Notice tone="error">{problem}</Notice>}
      {!full && !problem && <p class="quiet">Loading…</p>}
      {full && (
        <dl>
          <dt>Name</dt>
          <dd>{full.customer?.name ?? "Not given"}</dd>
          <dt>Phone</dt>
          <dd>{phone ? <a href={`tel:${phone}`}>{phone}</a> : "Not given"}</dd>
          {full.customer?.email && (
            <>
              <dt>Email</dt>
              <dd>{full.customer.email}</dd>
            </>
          )}
          {full.delivery_address && (
            <>
              <dt>Address</dt>
              <dd>{full.delivery_address}</dd>
            </>
          )}
          {full.note && (
            <>
              <dt>Note</dt>
              <dd>{full.note}</dd>
            </>
          )}
        </dl>
      )}
    </details>
  );
}

/** The live board: open orders by lane, each with its next legal step, how long it has waited
 * and who ordered it. A kitchen's own (`slug`: its staff), or the home kitchen's (the platform
 * admin). A new paid order rings and flashes unless the counter switched that off. */
export function Board({ slug }: { slug?: string }) {
  const board = boardAt(slug);
  const [orders, setOrders] = useState<OrderSummary[] | null>(null);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const [now, setNow] = useState(Date.now());
  const [alerting, setAlerting] = useState(() => localStorage.getItem(ALERT_KEY) !== "off");
  const [fresh, setFresh] = useState<string[]>([]);
  const known = useRef<Set<string> | null>(null);

  /** Rings and flashes for tickets that became ready to confirm since the board last looked. */
  const notice = (list: OrderSummary[]) => {
    const ready = list.filter((o) => laneOf(o) === "pending").map((o) => o.id);
    const before = known.current;
    known.current = new Set(ready);
    if (!before) return;
    const arrived = ready.filter((id) => !before.has(id));
    if (arrived.length === 0) return;
    setFresh((f) => [...f, ...arrived]);
    setTimeout(() => setFresh((f) => f.filter((id) => !arrived.includes(id))), 6000);
    if (localStorage.getItem(ALERT_KEY) !== "off") ring();
  };

  const load = async () => {
    setTick((t) => t + 1);
    const lists = await Promise.all(OPEN.map((status) => board.list(status as Order["status"]))).catch(() => null);
    if (!lists) return setProblem("The kitchen cannot be reached. Check your connection; the board keeps trying.");
    const failed = lists.find((l) => !l.data);
    if (failed)
      return setProblem(
        codeOf(failed.error) === "not_kitchen_staff" ? "You are not on this kitchen's staff." : messageOf(failed.error, "The board could not be loaded."),
      );
    setProblem(null);
    const all = lists.flatMap((l) => l.data?.items ?? []);
    notice(all);
    setOrders(all);
  };
  // Frames say when an order or an alert changes; while the socket is down the board polls.
  const live = useLive(
    (frame) => {
      if (frame.type === "board.updated" && frame.order) {
        // The frame carries the ticket's summary: the board takes it in without reading.
        const changed = frame.order as unknown as OrderSummary;
        setOrders((all) => {
          if (!all) return all;
          const next = merged(all, changed);
          notice(next);
          return next;
        });
      }
      if (frame.type === "alert") setTick((t) => t + 1);
    },
    slug ?? HOME,
  );
  useEffect(() => {
    load();
    if (live === "live" || pollingOff()) return;
    // Polling stops while the board is out of sight and catches up when it is seen again.
    const timer = setInterval(() => {
      if (!document.hidden) load();
    }, BOARD_POLL_MS);
    const seen = () => {
      if (!document.hidden) load();
    };
    document.addEventListener("visibilitychange", seen);
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", seen);
    };
  }, [slug, live]);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);

  const act = async (order: OrderSummary, change: () => Promise<{ error?: unknown; data?: unknown }>) => {
    const done = await change().catch(() => null);
    setProblems((p) => ({
      ...p,
      [order.id]: done?.data ? "" : done ? messageOf(done.error, "The kitchen could not do that.") : "The kitchen cannot be reached. Try again.",
    }));
    load();
  };

  if (problem && !orders)
    return (
      <Notice tone="error">
        {problem}{" "}
        <button type="button" class="link" onClick={load}>
          Try again
        </button>
      </Notice>
    );
  if (!orders) return <Notice tone="info">Loading the board…</Notice>;
  const column = (c: Column) => orders.filter((o) => laneOf(o) === c);

  return (
    <section aria-labelledby="board-title">
      <h1 id="board-title">Kitchen board</h1>
      {problem && <Notice tone="error">{problem}</Notice>}
      {live === "down" && <p class="quiet">{POLLING_NOTE}</p>}
      <label class="choice board-alert">
        <input
          type="checkbox"
          checked={alerting}
          onChange={(e) => {
            const on = e.currentTarget.checked;
            localStorage.setItem(ALERT_KEY, on ? "on" : "off");
            setAlerting(on);
          }}
        />{" "}
        Ring and flash for a new order
      </label>
      <Alerts slug={slug ?? HOME} tick={tick} />
      <div class="board">
        {COLUMNS.map((c) => (
          <section key={c} class={`column ${c}`} aria-label={COLUMN_NAMES[c]}>
            <h2>
              {COLUMN_NAMES[c]} <span class="count">{column(c).length}</span>
            </h2>
            {column(c).length === 0 && <p class="empty">Nothing here.</p>}
            {column(c).map((o) => {
              // What can happen next is the API's to say (its order views carry it).
              const step = o.next_status;
              return (
                <article
                  key={o.id}
                  class={fresh.includes(o.id) && alerting ? "ticket fresh" : "ticket"}
                  data-order-id={o.id}
                  aria-label={`Order ${shortId(o.id)}`}
                >
                  <header>
                    <strong>#{shortId(o.id)}</strong> <Pill kind="payment" status={o.payment_status} />
                    <span>{o.fulfilment === "pickup" ? "Pickup" : "Delivery"}</span>
                  </header>
                  <p class="placed">
                    Placed <time dateTime={o.created_at}>{new Date(o.created_at).toLocaleTimeString("en-NG", { hour: "numeric", minute: "2-digit" })}</time>
                    {" · "}
                    <span data-testid="waited">waiting {waited(o.created_at, now)}</span>
                  </p>
                  <p class="gist">{o.summary ?? `${o.item_count ?? "?"} portions`}</p>
                  <p class="ticket-total">{naira(o.total)}</p>
                  <TicketDetails order={o} read={board.one} />
                  {problems[o.id] && <Notice tone="error">{problems[o.id]}</Notice>}
                  <div class="actions">
                    {step && (
                      <button class="primary" onClick={() => act(o, () => board.status(o.id, step as Order["status"]))}>
                        {STEP_LABEL[step]}
                      </button>
                    )}
                    {o.can_pay && (
                      <button class="secondary" onClick={() => act(o, () => board.paid(o.id))}>
                        Paid in cash
                      </button>
                    )}
                    {o.can_cancel && (
                      <Confirm
                        label="Cancel"
                        question={`Cancel order #${shortId(o.id)} for the customer?${o.payment_status === "paid" ? ` They are refunded ${naira(o.total)}.` : ""}`}
                        yes="Yes, cancel it"
                        onConfirm={() => act(o, () => board.status(o.id, "cancelled"))}
                      />
                    )}
                  </div>
                </article>
              );
            })}
          </section>
        ))}
      </div>
    </section>
  );
}

