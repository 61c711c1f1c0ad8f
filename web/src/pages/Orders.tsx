import { useEffect, useRef, useState } from "preact/hooks";
import { api, messageOf, type Kitchen, type Order, type OrderSummary } from "../api/client";
import { naira } from "../money";
import { Confirm, Notice, Pill, shortId, when, words } from "../ui";
import { PayFromWallet } from "./Wallet";
import { POLLING_NOTE, pollingOff, useLive } from "../live";
import { cartAt, publicKitchen } from "../kitchens";
import { go } from "../route";

const FINISHED = ["completed", "cancelled"];
/** What the page says when the API cannot be reached at all. */
const UNREACHABLE = "The kitchen cannot be reached. Check your connection and try again.";
/** How often an open order is read again while its page is seen, so it follows the kitchen by itself. */
const POLL_MS = 3000;

export function OrderList() {
  const [orders, setOrders] = useState<OrderSummary[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    api.GET("/api/orders/").then(({ data, error }) => (data ? setOrders(data.items) : setProblem(messageOf(error, "Your orders could not be loaded."))));
  }, []);
  if (problem) return <Notice tone="error">{problem}</Notice>;
  if (!orders) return <Notice tone="info">Loading your orders…</Notice>;
  return (
    <section aria-labelledby="orders-title">
      <h1 id="orders-title">Your orders</h1>
      {orders.length === 0 && (
        <Notice tone="info">
          No orders yet. <a href="#/">Browse the menu</a>
        </Notice>
      )}
      <ul class="lines">
        {orders.map((o) => (
          <li key={o.id} class="line">
            <a href={`#/orders/${o.id}`}>Order #{shortId(o.id)}</a>
            <span>{when(o.created_at)}</span>
            <Pill kind="status" status={o.status} />
            <strong>{naira(o.total)}</strong>
            {o.summary && <span class="gist">{o.summary}</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Whether nothing more will happen to an order: finished, and for a cancelled order paid
 * through Paystack, its refund settled (the refund is asked for after the cancellation). */
function settled(order: Order): boolean {
  return FINISHED.includes(order.status) && !refunding(order);
}

/** A cancelled order whose Paystack refund is still to be asked for or to come back. */
function refunding(order: Order): boolean {
  return (
    order.status === "cancelled" &&
    (order.payment_status === "refund_pending" || (order.payment_status === "paid" && order.payment_method === "paystack"))
  );
}

/** Where an order is on its way, as the customer follows it: placed, confirmed, preparing, ready
 * (or on its way) and completed; the current step is marked. Cancelled orders show none. */
function Stepper({ order }: { order: Order }) {
  if (order.status === "cancelled") return null;
  const ready = order.fulfilment === "pickup" ? "ready_for_pickup" : "out_for_delivery";
  const steps: [string, string][] = [
    ["pending", "Placed"],
    ["confirmed", "Confirmed"],
    ["preparing", "Preparing"],
    [ready, order.fulfilment === "pickup" ? "Ready for pickup" : "On the way"],
    ["completed", "Completed"],
  ];
  const at = steps.findIndex(([status]) => status === order.status);
  return (
    <ol class="stepper" aria-label="Progress">
      {steps.map(([status, label], i) => (
        <li key={status} class={i < at ? "done" : i === at ? "now" : ""} aria-current={i === at ? "step" : undefined}>
          {label}
        </li>
      ))}
    </ol>
  );
}

/** The kitchen to collect a pickup order from (its slug), none for deliveries. */
function pickupKitchen(order: Order | null): string | undefined {
  return order?.fulfilment === "pickup" ? order.kitchen?.slug : undefined;
}

/** Puts an order's lines back in its kitchen's cart: the dishes that could not be added
 * (gone, sold out, not enough left) by name, none when all were. */
async function reorder(order: Order): Promise<string[]> {
  const cart = cartAt(order.kitchen?.slug);
  const missed: string[] = [];
  for (const line of order.items) {
    const { data } = await cart.put(line.food_item_id, line.quantity).catch(() => ({ data: undefined }));
    if (!data) missed.push(line.name);
  }
  return missed;
}

/** What cancelling does with the money, said before the customer decides. */
function refundSaid(order: Order): string {
  if (order.payment_status !== "paid") return "Nothing was paid, so there is nothing to refund.";
  if (order.payment_method === "wallet") return `${naira(order.total)} goes back to your wallet at once.`;
  if (order.payment_method === "paystack")
    return `${naira(order.total)} is refunded to the card or account you paid with (asked of Paystack at once; your bank may take a few days).`;
  return `You paid ${naira(order.total)} at the counter: the kitchen settles that with you.`;
}

/** One order: its lines, payment, and a status timeline that keeps itself current. */
export function OrderPage({ id, back }: { id: string; back: boolean }) {
  const [order, setOrder] = useState<Order | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Back from Paystack's page and still unpaid: the card was declined (or the payment stopped).
  const [declined, setDeclined] = useState(false);
  // For a pickup order: where to collect it (the kitchen's address and phone).
  const [place, setPlace] = useState<Kitchen | null>(null);
  const pickupAt = pickupKitchen(order);
  useEffect(() => {
    if (!pickupAt) return;
    publicKitchen(pickupAt)
      .then(setPlace)
      .catch(() => setPlace(null));
  }, [pickupAt]);

  // A frame about this order reads it again at once; while the socket is up nothing polls.
  const refresh = useRef<() => void>(() => {});
  const live = useLive((frame) => {
    if (frame.type === "order.updated" && frame.order?.id === id) refresh.current();
  });
  const liveRef = useRef(live);
  liveRef.current = live;
  useEffect(() => refresh.current(), [live]);
  // Cut off from the API, it keeps trying until it can read the order again, socket or not.
  useEffect(() => {
    if (problem !== UNREACHABLE) return;
    const timer = setInterval(() => refresh.current(), POLL_MS);
    return () => clearInterval(timer);
  }, [problem]);

  useEffect(() => {
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // While the page is not seen (another tab, the phone locked) it reads nothing, frames
    // included: it reads the order again the moment it is seen.
    let paused = false;
    // Reads can overlap (a frame lands while a read is on its way) and answer out of order: the
    // page shows the answer of the read started last, never an older one after it (an older
    // answer would hide the change the frame announced), and only that read schedules the next,
    // so there is never more than one poll waiting.
    let started = 0;
    let shown = 0;
    const next = (order?: Order) => {
      clearTimeout(timer);
      timer = undefined;
      if (order && settled(order)) return;
      // A refund under way moves on the stream's and Paystack's time: the page reads it every
      // few seconds, socket or not (a CI run under load once saw its frame missed).
      if (pollingOff() || (liveRef.current === "live" && !(order && refunding(order)))) return;
      if (document.hidden) paused = true;
      else timer = setTimeout(() => read(false), POLL_MS);
    };
    // A read that cannot reach the API says so and keeps trying: the page catches up by
    // itself once the connection is back.
    let loaded = false;
    const read = async (verify: boolean) => {
      if (document.hidden && loaded) {
        paused = true;
        return;
      }
      const seq = ++started;
      const answered = (): boolean => {
        if (stop || seq < shown) return false;
        shown = seq;
        return true;
      };
      try {
        const { data, error } = verify
          ? await api.POST("/api/orders/{id}/pay/verify/", { params: { path: { id } } })
          : await api.GET("/api/orders/{id}/", { params: { path: { id } } });
        if (!answered()) return;
        if (data) {
          loaded = true;
          // Verified with Paystack and still payable: the payment did not go through.
          if (verify) setDeclined(data.order.can_pay);
          setOrder(data.order);
          setProblem((shown) => (shown === UNREACHABLE ? null : shown));
        } else if (error && (verify || !loaded)) setProblem(messageOf(error, "This order could not be loaded."));
        if (seq === started) next(data?.order);
      } catch {
        if (!answered()) return;
        setProblem(UNREACHABLE);
        if (seq === started) next();
      }
    };
    const seen = () => {
      if (document.hidden) {
        // Not seen: nothing more is read until it is (a read already on its way still lands).
        clearTimeout(timer);
        paused = true;
        return;
      }
      // Seen again, it reads the order at once (a phone may have dropped the socket meanwhile).
      if (!paused || stop) return;
      paused = false;
      read(false);
    };
    document.addEventListener("visibilitychange", seen);
    refresh.current = () => {
      if (!stop) read(false);
    };
    read(back);
    return () => {
      stop = true;
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", seen);
    };
  }, [id, back]);

  if (!order) return problem ? <Notice tone="error">{problem}</Notice> : <Notice tone="info">Loading your order…</Notice>;
  // What the customer can do now is the API's to say (its order views carry it).
  const payable = order.can_pay;

  return (
    <section aria-labelledby="order-title">
      <h1 id="order-title">Order #{shortId(order.id)}</h1>
      {live === "down" && !settled(order) && <p class="quiet">{POLLING_NOTE}</p>}
      {order.kitchen && (
        <p class="kitchen-facts">
          From <a href={`#/k/${order.kitchen.slug}`}>{order.kitchen.name}</a>
        </p>
      )}
      <p class="pills">
        <Pill kind="status" status={order.status} /> <Pill kind="payment" status={order.payment_status} />
        <span>{order.fulfilment === "pickup" ? "Pickup" : `Delivery to ${order.delivery_address ?? ""}`}</span>
      </p>
      <Stepper order={order} />
      {order.status === "pending" && order.payment_status === "paid" && (
        <Notice tone="ok">Payment received. The kitchen confirms your order next.</Notice>
      )}
      {place && order.fulfilment === "pickup" && order.status !== "cancelled" && order.status !== "completed" && (
        <p class="kitchen-facts" data-testid="pickup-place">
          Pick up at {place.address}
          {place.phone ? ` · ${place.phone}` : ""}
        </p>
      )}
      <ul class="lines">
        {order.items.map((l) => (
          <li key={l.food_item_id} class="line">
            <span>
              {l.quantity} × {l.name}
            </span>
            <strong>{naira(l.line_total)}</strong>
          </li>
        ))}
      </ul>
      {(order.discount ?? 0) > 0 && (
        <>
          <p class="total sub">
            Subtotal <span>{naira(order.subtotal ?? order.total)}</span>
          </p>
          <p class="total sub discount" data-testid="order-discount">
            Coupon {order.coupon?.code ?? ""} <span>−{naira(order.discount ?? 0)}</span>
          </p>
        </>
      )}
      {(order.delivery_fee ?? 0) > 0 && (
        <p class="total sub">
          Delivery <span>{naira(order.delivery_fee ?? 0)}</span>
        </p>
      )}
      <p class="total">
        Total <strong>{naira(order.total)}</strong>
      </p>
      {problem && <Notice tone="error">{problem}</Notice>}
      {payable && declined && (
        <Notice tone="error">Your payment did not go through, and nothing was taken. You can try again, with the same card or another.</Notice>
      )}
      {payable && (
        <button
          class="primary"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            // A path of this app: the API makes it absolute on the app's own origin (APP_URL).
            const callback = `${location.pathname}#/orders/${order.id}/paid`;
            const started = await api
              .POST("/api/orders/{id}/pay/", { params: { path: { id: order.id } }, body: { callback_url: callback } })
              .catch(() => null);
            if (started?.data) return location.assign(started.data.payment.authorization_url);
            setBusy(false);
            setProblem(started ? messageOf(started.error, "Payment could not be started.") : UNREACHABLE);
          }}
        >
          {busy ? "Opening Paystack…" : `${declined ? "Try again: pay" : "Pay"} ${naira(order.total)} with Paystack`}
        </button>
      )}
      {payable && <PayFromWallet orderId={order.id} total={order.total} onPaid={setOrder} />}
      {order.can_cancel && (
        <Confirm
          label="Cancel order"
          question={`Cancel order #${shortId(order.id)}? ${refundSaid(order)}`}
          yes="Yes, cancel it"
          onConfirm={async () => {
            const done = await api.POST("/api/orders/{id}/cancel/", { params: { path: { id: order.id } } }).catch(() => null);
            if (!done) setProblem(UNREACHABLE);
            else if (done.data) {
              setOrder(done.data.order);
              // A paid order's refund follows: the page reads on until it is under way.
              refresh.current();
            }
            else setProblem(messageOf(done.error, "The order could not be cancelled."));
          }}
        />
      )}
      {(order.status === "completed" || order.status === "cancelled") && (
        <button
          type="button"
          class="primary"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            const missed = await reorder(order);
            setBusy(false);
            if (missed.length === order.items.length) return setProblem("None of these dishes can be ordered now.");
            if (missed.length) setProblem(`Not added (sold out or gone): ${missed.join(", ")}.`);
            else go(cartAt(order.kitchen?.slug).link.replace(/^#/, ""));
          }}
        >
          {busy ? "Adding…" : "Order again"}
        </button>
      )}
      <h2>Timeline</h2>
      <ol class="timeline" aria-live="polite">
        {order.status_history.map((h, i) => (
          <li key={i}>
            <strong>{h.payment_status ? `Payment: ${words(h.payment_status)}` : words(h.status)}</strong> <time dateTime={h.at}>{when(h.at)}</time>
          </li>
        ))}
      </ol>
    </section>
  );
}
