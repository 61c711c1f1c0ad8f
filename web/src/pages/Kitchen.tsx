import { useEffect, useState } from "preact/hooks";
import { api, codeOf, messageOf, type Category, type Food, type Order, type OrderSummary } from "../api/client";
import { kobo, naira } from "../money";
import { Alerts } from "./Alerts";
import { DishPhotos } from "./Photos";
import { HOME } from "../kitchens";
import { POLLING_NOTE, pollingOff, useLive } from "../live";
import { Confirm, Notice, Pill, TAG_LABELS, type Tag, shortId, words } from "../ui";

const COLUMNS = ["pending", "confirmed", "preparing", "ready"] as const;
const BOARD_POLL_MS = 4000;

/** The next step an order can take, as the kitchen says it (the API has the last word). */
function nextStep(order: OrderSummary): string | null {
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

/** A board's API: a kitchen's own (`slug`), or the home kitchen's through the v1 routes. */
function boardAt(slug: string | undefined) {
  return {
    list: (status: Order["status"]) =>
      slug
        ? api.GET("/api/kitchens/{slug}/manage/orders/", { params: { path: { slug }, query: { status, limit: 100 } } })
        : api.GET("/api/orders/admin/", { params: { query: { status, limit: 100 } } }),
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

/** The live board: open orders by status, each with its next legal step. A kitchen's own
 * (`slug`: its staff), or the home kitchen's (the platform admin). */
export function Board({ slug }: { slug?: string }) {
  const board = boardAt(slug);
  const [orders, setOrders] = useState<OrderSummary[] | null>(null);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [tick, setTick] = useState(0);

  const load = async () => {
    setTick((t) => t + 1);
    const lists = await Promise.all(
      ["pending", "confirmed", "preparing", "out_for_delivery", "ready_for_pickup"].map((status) => board.list(status as Order["status"])),
    ).catch(() => null);
    if (!lists) return setProblem("The kitchen cannot be reached. Check your connection; the board keeps trying.");
    const failed = lists.find((l) => !l.data);
    if (failed)
      return setProblem(
        codeOf(failed.error) === "not_kitchen_staff" ? "You are not on this kitchen's staff." : messageOf(failed.error, "The board could not be loaded."),
      );
    setProblem(null);
    setOrders(lists.flatMap((l) => l.data?.items ?? []));
  };
  // Frames say when an order or an alert changes; while the socket is down the board polls.
  const live = useLive(
    (frame) => {
      if (frame.type === "board.updated" && frame.order) {
        // The frame carries the ticket's summary: the board takes it in without reading.
        const changed = frame.order as unknown as OrderSummary;
        setOrders((all) => (all ? merged(all, changed) : all));
      }
      if (frame.type === "alert") setTick((t) => t + 1);
    },
    slug ?? HOME,
  );
  useEffect(() => {
    load();
    if (live === "live" || pollingOff()) return;
    const timer = setInterval(load, BOARD_POLL_MS);
    return () => clearInterval(timer);
  }, [slug, live]);

  const act = async (order: OrderSummary, change: () => Promise<{ error?: unknown; data?: unknown }>) => {
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
      {live === "down" && <p class="quiet">{POLLING_NOTE}</p>}
      <Alerts slug={slug ?? HOME} tick={tick} />
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
                  <p class="gist">{o.summary ?? `${o.item_count ?? "?"} portions`}</p>
                  <p class="ticket-total">{naira(o.total)}</p>
                  {problems[o.id] && <Notice tone="error">{problems[o.id]}</Notice>}
                  <div class="actions">
                    {step && (
                      <button
                        class="primary"
                        onClick={() => act(o, () => board.status(o.id, step as Order["status"]))}
                      >
                        {STEP_LABEL[step]}
                      </button>
                    )}
                    {o.payment_status === "unpaid" && (
                      <button
                        class="secondary"
                        onClick={() => act(o, () => board.paid(o.id))}
                      >
                        Paid in cash
                      </button>
                    )}
                    {(o.status === "pending" || o.status === "confirmed") && (
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

/** A menu's management API: a kitchen's own (`slug`: its managers), or the home kitchen's
 * (the platform admin). */
function menuAt(slug: string | undefined) {
  type Body = Record<string, unknown>;
  return {
    items: () =>
      slug ? api.GET("/api/kitchens/{slug}/manage/foods/items/", { params: { path: { slug } } }) : api.GET("/api/foods/admin/items/"),
    categories: () =>
      slug
        ? api.GET("/api/kitchens/{slug}/manage/foods/categories/", { params: { path: { slug } } })
        : api.GET("/api/foods/admin/categories/"),
    patchItem: (id: string, body: Body) =>
      slug
        ? api.PATCH("/api/kitchens/{slug}/manage/foods/items/{id}/", { params: { path: { slug, id } }, body: body as never })
        : api.PATCH("/api/foods/admin/items/{id}/", { params: { path: { id } }, body: body as never }),
    restock: (id: string, add: number) =>
      slug
        ? api.POST("/api/kitchens/{slug}/manage/foods/items/{id}/stock/", { params: { path: { slug, id } }, body: { add } })
        : api.POST("/api/foods/admin/items/{id}/stock/", { params: { path: { id } }, body: { add } }),
    addItem: (body: Body) =>
      slug
        ? api.POST("/api/kitchens/{slug}/manage/foods/items/", { params: { path: { slug } }, body: body as never })
        : api.POST("/api/foods/admin/items/", { body: body as never }),
    renameCategory: (id: string, name: string) =>
      slug
        ? api.PATCH("/api/kitchens/{slug}/manage/foods/categories/{id}/", { params: { path: { slug, id } }, body: { name } })
        : api.PATCH("/api/foods/admin/categories/{id}/", { params: { path: { id } }, body: { name } }),
    deleteCategory: (id: string) =>
      slug
        ? api.DELETE("/api/kitchens/{slug}/manage/foods/categories/{id}/", { params: { path: { slug, id } } })
        : api.DELETE("/api/foods/admin/categories/{id}/", { params: { path: { id } } }),
    addCategory: (name: string) =>
      slug
        ? api.POST("/api/kitchens/{slug}/manage/foods/categories/", { params: { path: { slug } }, body: { name } })
        : api.POST("/api/foods/admin/categories/", { body: { name } }),
  };
}

/** The dishes: availability, price and stock, restocking, and new dishes. */
export function Stock({ slug }: { slug?: string }) {
  const menu = menuAt(slug);
  const [foods, setFoods] = useState<Food[] | null>(null);
  const [categories, setCategories] = useState<Category[]>([]);
  const [amounts, setAmounts] = useState<Record<string, string>>({});
  const [notes, setNotes] = useState<Record<string, { tone: "ok" | "error"; text: string }>>({});
  const [draft, setDraft] = useState({ name: "", price: "", category_id: "", stock: "" });
  const [prices, setPrices] = useState<Record<string, string>>({});
  const [categoryName, setCategoryName] = useState("");
  const [renames, setRenames] = useState<Record<string, string>>({});
  const note = (id: string, tone: "ok" | "error", text: string) => setNotes((n) => ({ ...n, [id]: { tone, text } }));
  const [refused, setRefused] = useState<string | null>(null);
  const load = async () => {
    const [items, cats] = await Promise.all([menu.items(), menu.categories()]).catch(() => [null, null]);
    if (!items || !cats) return setRefused("The kitchen cannot be reached. Check your connection and try again.");
    if (items.data) setFoods(items.data.items);
    else setRefused(codeOf(items.error) === "not_kitchen_staff" ? "Only the kitchen's owner and managers change its menu." : messageOf(items.error, "The menu could not be loaded."));
    if (cats.data) setCategories(cats.data.items);
  };
  useEffect(() => {
    load();
  }, [slug]);
  if (!foods) return refused ? <Notice tone="error">{refused}</Notice> : <Notice tone="info">Loading the dishes…</Notice>;
  return (
    <section aria-labelledby="stock-title">
      <h1 id="stock-title">Menu and stock</h1>
      <p>
        <a href={slug ? `#/manage/${slug}/import` : "#/kitchen/import"}>Import dishes from a spreadsheet</a>
      </p>
      <ul class="lines">
        {foods.map((f) => (
          <li key={f.id} class="line stock-line" data-food-id={f.id}>
            <div>
              <h3>{f.name}</h3>
              <p>
                {naira(f.price)} · {f.category_name ?? ""} ·{" "}
                {f.stock === null || f.stock === undefined ? "stock not tracked" : <span data-testid="stock">{f.stock} left</span>}
                {f.sold_out && <span class="badge">Sold out</span>}
              </p>
              {notes[f.id] && <Notice tone={notes[f.id].tone}>{notes[f.id].text}</Notice>}
            </div>
            <label class="choice">
              <input
                type="checkbox"
                checked={f.is_available}
                onChange={async (e) => {
                  const is_available = e.currentTarget.checked;
                  const { error } = await menu.patchItem(f.id, { is_available });
                  note(f.id, error ? "error" : "ok", error ? messageOf(error, "Could not change it.") : is_available ? "Back on the menu." : "Taken off the menu.");
                  load();
                }}
              />{" "}
              On the menu
            </label>
            <form
              class="edit"
              onSubmit={async (e) => {
                e.preventDefault();
                const price = kobo(prices[f.id] ?? "");
                if (price === null || price <= 0) return note(f.id, "error", "Enter the new price in naira, e.g. 2,500.");
                const { error } = await menu.patchItem(f.id, { price });
                note(f.id, error ? "error" : "ok", error ? messageOf(error, "Could not change the price.") : `Now ${naira(price)}.`);
                setPrices((p) => ({ ...p, [f.id]: "" }));
                load();
              }}
            >
              <label>
                New price for {f.name} (₦)
                <input inputMode="decimal" value={prices[f.id] ?? ""} onInput={(e) => setPrices((p) => ({ ...p, [f.id]: e.currentTarget.value }))} />
              </label>
              <button class="secondary">Set price</button>
            </form>
            <details class="details">
              <summary>Edit {f.name}'s name, description and picture, tags and limits</summary>
              <form
                class="narrow"
                onSubmit={async (e) => {
                  e.preventDefault();
                  const form = new FormData(e.currentTarget);
                  const text = (key: string) => String(form.get(key) ?? "").trim();
                  const name = text("name");
                  if (!name) return note(f.id, "error", "A dish needs a name.");
                  // A dish with photos shows its main photo; the typed address is for dishes without.
                  const image_url = f.images.length ? undefined : text("image_url");
                  if (image_url && !/^https:\/\/\S+$/.test(image_url)) return note(f.id, "error", "The picture's address must start with https://.");
                  const min_quantity = Number.parseInt(text("min_quantity") || "1", 10);
                  const max_quantity = Number.parseInt(text("max_quantity") || "50", 10);
                  if (!(min_quantity >= 1 && max_quantity <= 50 && min_quantity <= max_quantity))
                    return note(f.id, "error", "Order limits go from 1 to 50, the least no more than the most.");
                  const { data, error } = await menu.patchItem(f.id, {
                    name,
                    description: text("description") || null,
                    ...(image_url === undefined ? {} : { image_url: image_url || null }),
                    tags: form.getAll("tags").map(String),
                    featured: form.get("featured") === "on",
                    min_quantity,
                    max_quantity,
                  });
                  note(f.id, data ? "ok" : "error", data ? `${data.food.name} saved.` : messageOf(error, "Could not save the dish."));
                  load();
                }}
              >
                <label>
                  Name of the dish
                  <input name="name" required maxLength={120} defaultValue={f.name} />
                </label>
                <label>
                  Description
                  <textarea name="description" rows={2} maxLength={1000} defaultValue={f.description ?? ""} />
                </label>
                {f.images.length === 0 && (
                  <label>
                    Picture address (https) <small>(or upload photos below)</small>
                    <input name="image_url" inputMode="url" placeholder="https://…" defaultValue={f.image_url ?? ""} />
                  </label>
                )}
                <fieldset class="tag-picks">
                  <legend>Tags</legend>
                  {(Object.keys(TAG_LABELS) as Tag[]).map((t) => (
                    <label class="choice" key={t}>
                      <input type="checkbox" name="tags" value={t} defaultChecked={f.tags.includes(t)} /> {TAG_LABELS[t]}
                    </label>
                  ))}
                </fieldset>
                <label class="choice">
                  <input type="checkbox" name="featured" defaultChecked={f.featured} /> Featured at the top of the menu
                </label>
                <div class="pair">
                  <label>
                    Least per order
                    <input name="min_quantity" type="number" min={1} max={50} defaultValue={String(f.min_quantity)} />
                  </label>
                  <label>
                    Most per order
                    <input name="max_quantity" type="number" min={1} max={50} defaultValue={String(f.max_quantity)} />
                  </label>
                </div>
                <button class="secondary">Save the dish</button>
              </form>
              <DishPhotos slug={slug} food={f} changed={load} />
            </details>
            {f.stock !== null && f.stock !== undefined && (
              <form
                class="restock"
                onSubmit={async (e) => {
                  e.preventDefault();
                  const add = Number.parseInt(amounts[f.id] ?? "", 10);
                  if (!Number.isInteger(add) || add === 0) return note(f.id, "error", "Enter how many portions to add (or take away).");
                  const { data, error } = await menu.restock(f.id, add);
                  if (data) note(f.id, "ok", `${data.food.stock} left`);
                  else note(f.id, "error", messageOf(error, "Could not change the stock."));
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
      <h2>Categories</h2>
      <ul class="lines">
        {categories.map((c) => (
          <li key={c.id} class="line" data-category-id={c.id}>
            <span>
              {c.name} <small>({c.food_count ?? 0} dishes)</small>
            </span>
            <form
              class="edit"
              onSubmit={async (e) => {
                e.preventDefault();
                const name = (renames[c.id] ?? "").trim();
                if (!name) return note(c.id, "error", "Enter the new name.");
                const { error } = await menu.renameCategory(c.id, name);
                note(c.id, error ? "error" : "ok", error ? messageOf(error, "Could not rename it.") : `Renamed to ${name}.`);
                setRenames((r) => ({ ...r, [c.id]: "" }));
                load();
              }}
            >
              <label>
                Rename {c.name}
                <input value={renames[c.id] ?? ""} onInput={(e) => setRenames((r) => ({ ...r, [c.id]: e.currentTarget.value }))} />
              </label>
              <button class="secondary">Rename</button>
              {(c.food_count ?? 0) === 0 && (
                <Confirm
                  label="Delete"
                  question={`Delete the category ${c.name}? It has no dishes.`}
                  yes="Yes, delete it"
                  onConfirm={async () => {
                    try {
                      const { error } = await menu.deleteCategory(c.id);
                      note(c.id, error ? "error" : "ok", error ? messageOf(error, "Could not delete it.") : "Deleted.");
                      load();
                    } catch {
                      note(c.id, "error", "The kitchen cannot be reached. Check your connection and try again.");
                    }
                  }}
                />
              )}
            </form>
            {notes[c.id] && <Notice tone={notes[c.id].tone}>{notes[c.id].text}</Notice>}
          </li>
        ))}
      </ul>
      <form
        class="edit"
        onSubmit={async (e) => {
          e.preventDefault();
          const { data, error } = await menu.addCategory(categoryName.trim());
          note("category", data ? "ok" : "error", data ? `${data.category.name} added.` : messageOf(error, "Could not add the category."));
          if (data) setCategoryName("");
          load();
        }}
      >
        <label>
          New category
          <input required value={categoryName} onInput={(e) => setCategoryName(e.currentTarget.value)} />
        </label>
        <button class="secondary">Add category</button>
      </form>
      {notes.category && <Notice tone={notes.category.tone}>{notes.category.text}</Notice>}
      <h2>New dish</h2>
      <form
        class="narrow"
        onSubmit={async (e) => {
          e.preventDefault();
          const price = kobo(draft.price);
          if (price === null || price <= 0) return note("new", "error", "Enter the price in naira, e.g. 2,500.");
          const stock = draft.stock.trim() ? Number.parseInt(draft.stock, 10) : null;
          const { data, error } = await menu.addItem({ name: draft.name.trim(), price, category_id: draft.category_id, ...(stock !== null ? { stock } : {}) });
          if (!data) return note("new", "error", messageOf(error, "Could not add the dish."));
          note("new", "ok", `${data.food.name} is on the menu.`);
          setDraft({ name: "", price: "", category_id: draft.category_id, stock: "" });
          load();
        }}
      >
        <label>
          Name
          <input required value={draft.name} onInput={(e) => setDraft({ ...draft, name: e.currentTarget.value })} />
        </label>
        <label>
          Price (₦)
          <input required inputMode="decimal" value={draft.price} onInput={(e) => setDraft({ ...draft, price: e.currentTarget.value })} />
        </label>
        <label>
          Category
          <select required value={draft.category_id} onChange={(e) => setDraft({ ...draft, category_id: e.currentTarget.value })}>
            <option value="">Choose…</option>
            {categories.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Portions in stock <small>(leave empty not to track)</small>
          <input inputMode="numeric" value={draft.stock} onInput={(e) => setDraft({ ...draft, stock: e.currentTarget.value })} />
        </label>
        {notes.new && <Notice tone={notes.new.tone}>{notes.new.text}</Notice>}
        <button class="primary">Add the dish</button>
      </form>
    </section>
  );
}

type UserRow = { id: string; role: string; email?: string | null; phone?: string | null; is_verified: boolean; created_at: string };

/** Everyone with an account, newest first, a page at a time. */
export function Users() {
  const [users, setUsers] = useState<UserRow[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [problem, setProblem] = useState<string | null>(null);
  const more = async (from?: string | null) => {
    const { data, error } = await api.GET("/api/auths/admin/users/", { params: { query: { limit: 50, ...(from ? { cursor: from } : {}) } } });
    if (!data) return setProblem(messageOf(error, "The users could not be loaded."));
    setUsers((u) => [...u, ...(data.items as unknown as UserRow[])]);
    setCursor(data.next_cursor ?? null);
  };
  useEffect(() => {
    more();
  }, []);
  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">Users</h1>
      {problem && <Notice tone="error">{problem}</Notice>}
      <ul class="lines">
        {users.map((u) => (
          <li key={u.id} class="line">
            <span>{u.email ?? u.phone}</span>
            <span>{u.role}</span>
            <span>{u.is_verified ? "verified" : "not verified"}</span>
          </li>
        ))}
      </ul>
      {cursor && (
        <button class="secondary" onClick={() => more(cursor)}>
          More
        </button>
      )}
    </section>
  );
}
