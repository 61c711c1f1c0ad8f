import { useEffect, useState } from "preact/hooks";
import { api, messageOf, type Food, type Order } from "../api/client";
import { naira } from "../money";
import { Notice, Pill, shortId, words } from "../ui";

const COLUMNS = ["pending", "confirmed", "preparing", "ready"] as const;
const BOARD_POLL_MS = 4000;

/** The next step an order can take, as the kitchen says it (the API has the last word). */
function nextStep(order: Order): string | null {
  switch (order.status) {
    case "pending":
      return "confirmed";
    case "confirmed":
      return "preparing";
    case "preparing":
      return order.fulfilment === "pickup" ? "ready_for_pickup" : "out_for_delivery";
    case "out_for_delivery":
    case "ready_for_pickup":
      return "completed";
    default:
      return null;
  }
}

const STEP_LABEL: Record<string, string> = {
  confirmed: "Confirm",
  preparing: "Start preparing",
  ready_for_pickup: "Ready for pickup",
  out_for_delivery: "Out for delivery",
  completed: "Complete",
};

/** The live board: open orders by status, each with its next legal step. */
export function Board() {
  const [orders, setOrders] = useState<Order[] | null>(null);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);

  const load = async () => {
    const lists = await Promise.all(
      ["pending", "confirmed", "preparing", "out_for_delivery", "ready_for_pickup"].map((status) =>
        api.GET("/api/orders/admin/", { params: { query: { status: status as Order["status"], limit: 100 } } }),
      ),
    );
    const failed = lists.find((l) => !l.data);
    if (failed) return setProblem(messageOf(failed.error, "The board could not be loaded."));
    setProblem(null);
    setOrders(lists.flatMap((l) => l.data?.items ?? []));
  };
  useEffect(() => {
    load();
    const timer = setInterval(load, BOARD_POLL_MS);
    return () => clearInterval(timer);
  }, []);

  const act = async (order: Order, change: () => Promise<{ error?: unknown; data?: unknown }>) => {
    const { data, error } = await change();
    setProblems((p) => ({ ...p, [order.id]: data ? "" : messageOf(error, "The kitchen could not do that.") }));
    load();
  };

  if (problem) return <Notice tone="error">{problem}</Notice>;
  if (!orders) return <Notice tone="info">Loading the board…</Notice>;
  const column = (c: (typeof COLUMNS)[number]) =>
    orders.filter((o) => (c === "ready" ? o.status === "out_for_delivery" || o.status === "ready_for_pickup" : o.status === c));

  return (
    <section aria-labelledby="board-title">
      <h1 id="board-title">Kitchen board</h1>
      <div class="board">
        {COLUMNS.map((c) => (
          <section key={c} class="column" aria-label={c === "ready" ? "Ready or on the way" : words(c)}>
            <h2>
              {c === "ready" ? "Ready / on the way" : words(c)} <span class="count">{column(c).length}</span>
            </h2>
            {column(c).length === 0 && <p class="empty">Nothing here.</p>}
            {column(c).map((o) => {
              const step = nextStep(o);
              return (
                <article key={o.id} class="ticket" data-order-id={o.id} aria-label={`Order ${shortId(o.id)}`}>
                  <header>
                    <strong>#{shortId(o.id)}</strong> <Pill kind="payment" status={o.payment_status} />
                    <span>{o.fulfilment === "pickup" ? "Pickup" : "Delivery"}</span>
                  </header>
                  <ul>
                    {o.items.map((l) => (
                      <li key={l.food_item_id}>
                        {l.quantity} × {l.name}
                      </li>
                    ))}
                  </ul>
                  <p class="ticket-total">{naira(o.total)}</p>
                  {problems[o.id] && <Notice tone="error">{problems[o.id]}</Notice>}
                  <div class="actions">
                    {step && (
                      <button
                        class="primary"
                        onClick={() => act(o, () => api.PATCH("/api/orders/admin/{id}/status/", { params: { path: { id: o.id } }, body: { status: step as Order["status"] } }))}
                      >
                        {STEP_LABEL[step]}
                      </button>
                    )}
                    {o.payment_status === "unpaid" && (
                      <button
                        class="secondary"
                        onClick={() => act(o, () => api.PATCH("/api/orders/admin/{id}/payment-status/", { params: { path: { id: o.id } }, body: { payment_status: "paid" } }))}
                      >
                        Paid in cash
                      </button>
                    )}
                    {(o.status === "pending" || o.status === "confirmed") && (
                      <button
                        class="secondary"
                        onClick={() => act(o, () => api.PATCH("/api/orders/admin/{id}/status/", { params: { path: { id: o.id } }, body: { status: "cancelled" } }))}
                      >
                        Cancel
                      </button>
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

/** The dishes with their stock, and restocking. */
export function Stock() {
  const [foods, setFoods] = useState<Food[] | null>(null);
  const [amounts, setAmounts] = useState<Record<string, string>>({});
  const [notes, setNotes] = useState<Record<string, { tone: "ok" | "error"; text: string }>>({});
  const load = async () => {
    const { data } = await api.GET("/api/foods/admin/items/");
    if (data) setFoods(data.items);
  };
  useEffect(() => {
    load();
  }, []);
  if (!foods) return <Notice tone="info">Loading the dishes…</Notice>;
  return (
    <section aria-labelledby="stock-title">
      <h1 id="stock-title">Menu and stock</h1>
      <ul class="lines">
        {foods.map((f) => (
          <li key={f.id} class="line stock-line" data-food-id={f.id}>
            <div>
              <h3>{f.name}</h3>
              <p>
                {naira(f.price)} · {f.is_available ? "on the menu" : "switched off"} ·{" "}
                {f.stock === null || f.stock === undefined ? "stock not tracked" : <span data-testid="stock">{f.stock} left</span>}
                {f.sold_out && <span class="badge">Sold out</span>}
              </p>
              {notes[f.id] && <Notice tone={notes[f.id].tone}>{notes[f.id].text}</Notice>}
            </div>
            {f.stock !== null && f.stock !== undefined && (
              <form
                class="restock"
                onSubmit={async (e) => {
                  e.preventDefault();
                  const add = Number.parseInt(amounts[f.id] ?? "", 10);
                  if (!Number.isInteger(add) || add === 0) {
                    return setNotes((n) => ({ ...n, [f.id]: { tone: "error", text: "Enter how many portions to add (or take away)." } }));
                  }
                  const { data, error } = await api.POST("/api/foods/admin/items/{id}/stock/", { params: { path: { id: f.id } }, body: { add } });
                  setNotes((n) => ({
                    ...n,
                    [f.id]: data ? { tone: "ok", text: `${data.food.stock} left` } : { tone: "error", text: messageOf(error, "Could not change the stock.") },
                  }));
                  setAmounts((a) => ({ ...a, [f.id]: "" }));
                  load();
                }}
              >
                <label>
                  Portions to add to {f.name}
                  <input inputMode="numeric" value={amounts[f.id] ?? ""} onInput={(e) => setAmounts((a) => ({ ...a, [f.id]: e.currentTarget.value }))} />
                </label>
                <button class="secondary">Restock</button>
              </form>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
