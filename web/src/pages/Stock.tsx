import { useEffect, useState } from "preact/hooks";
import { api, codeOf, messageOf, type Category, type Food } from "../api/client";
import { kobo, naira } from "../money";
import { DishPhotos } from "./Photos";
import { Confirm, Notice, TAG_LABELS, type Tag } from "../ui";

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
    deleteItem: (id: string) =>
      slug
        ? api.DELETE("/api/kitchens/{slug}/manage/foods/items/{id}/", { params: { path: { slug, id } } })
        : api.DELETE("/api/foods/admin/items/{id}/", { params: { path: { id } } }),
    placeCategory: (id: string, position: number) =>
      slug
        ? api.PATCH("/api/kitchens/{slug}/manage/foods/categories/{id}/", { params: { path: { slug, id } }, body: { position } })
        : api.PATCH("/api/foods/admin/categories/{id}/", { params: { path: { id } }, body: { position } }),
    addCategory: (name: string) =>
      slug
        ? api.POST("/api/kitchens/{slug}/manage/foods/categories/", { params: { path: { slug } }, body: { name } })
        : api.POST("/api/foods/admin/categories/", { body: { name } }),
  };
}

/** The categories as a select's options. */
function CategoryOptions({ categories }: { categories: Category[] }) {
  return (
    <>
      {categories.map((c) => (
        <option key={c.id} value={c.id}>
          {c.name}
        </option>
      ))}
    </>
  );
}

type Show = "all" | "sold_out" | "low" | "off" | "untracked";
const SHOW: Record<Show, string> = {
  all: "All dishes",
  sold_out: "Sold out",
  low: "Running low",
  off: "Off the menu",
  untracked: "Stock not tracked",
};

/** Whether a dish is at or under its low-stock mark (and not yet sold out). */
const low = (f: Food) => f.stock != null && f.stock > 0 && f.low_stock_threshold != null && f.stock <= f.low_stock_threshold;

/** The dishes a kitchen finds by name, state and category. */
function shown(foods: Food[], query: string, show: Show, category: string): Food[] {
  const q = query.trim().toLowerCase();
  return foods.filter(
    (f) =>
      (!q || f.name.toLowerCase().includes(q)) &&
      (!category || f.category_id === category) &&
      (show === "all" ||
        (show === "sold_out" && f.sold_out) ||
        (show === "low" && low(f)) ||
        (show === "off" && !f.is_available) ||
        (show === "untracked" && f.stock == null)),
  );
}

/** The menu as its kitchen keeps it: a new dish at the top; dishes found by name, state and
 * category; on each, whether it is on the menu, its price and portions left (any dish can start
 * counting), moving it to another category, deleting it, and its details; the categories in the
 * order customers see them. */
export function Stock({ slug }: { slug?: string }) {
  const menu = menuAt(slug);
  const [foods, setFoods] = useState<Food[] | null>(null);
  const [categories, setCategories] = useState<Category[]>([]);
  const [amounts, setAmounts] = useState<Record<string, string>>({});
  const [levels, setLevels] = useState<Record<string, string>>({});
  const [notes, setNotes] = useState<Record<string, { tone: "ok" | "error"; text: string }>>({});
  const [draft, setDraft] = useState({ name: "", price: "", category_id: "", stock: "" });
  const [prices, setPrices] = useState<Record<string, string>>({});
  const [categoryName, setCategoryName] = useState("");
  const [renames, setRenames] = useState<Record<string, string>>({});
  const [query, setQuery] = useState("");
  const [show, setShow] = useState<Show>("all");
  const [inCategory, setInCategory] = useState("");
  const note = (id: string, tone: "ok" | "error", text: string) => setNotes((n) => ({ ...n, [id]: { tone, text } }));
  const [refused, setRefused] = useState<string | null>(null);
  const load = async () => {
    const [items, cats] = await Promise.all([menu.items(), menu.categories()]);
    if (items.data) setFoods(items.data.items);
    else setRefused(codeOf(items.error) === "not_kitchen_staff" ? "Only the kitchen's owner and managers change its menu." : messageOf(items.error, "The menu could not be loaded."));
    if (cats.data) setCategories(cats.data.items);
  };
  useEffect(() => {
    load();
  }, [slug]);
  /** A change to one dish, said on its line, then the menu read again. */
  const change = async (f: Food, body: Record<string, unknown>, done: string) => {
    const { error } = await menu.patchItem(f.id, body);
    note(f.id, error ? "error" : "ok", error ? messageOf(error, "Could not change it.") : done);
    load();
  };
  /** Moves a category one place up (-1) or down (+1): the new order is written as positions. */
  const move = async (index: number, by: -1 | 1) => {
    const order = [...categories];
    const [moved] = order.splice(index, 1);
    order.splice(index + by, 0, moved);
    const changes = order.map((c, i) => ({ c, i })).filter(({ c, i }) => c.position !== i);
    const answers = await Promise.all(changes.map(({ c, i }) => menu.placeCategory(c.id, i)));
    const failed = answers.find((a) => !a.data);
    note(moved.id, failed ? "error" : "ok", failed ? messageOf(failed.error, "Could not move it.") : `${moved.name} moved ${by < 0 ? "up" : "down"}.`);
    load();
  };
  if (!foods) return refused ? <Notice tone="error">{refused}</Notice> : <Notice tone="info">Loading the dishes…</Notice>;
  const list = shown(foods, query, show, inCategory);
  return (
    <section aria-labelledby="stock-title">
      <h1 id="stock-title">Menu and stock</h1>
      <p>
        <a href={slug ? `#/manage/${slug}/import` : "#/kitchen/import"}>Import dishes from a spreadsheet</a>
      </p>
      <section class="new-dish" aria-labelledby="new-dish-title">
        <h2 id="new-dish-title">New dish</h2>
        <form
          class="grid-form"
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
              <CategoryOptions categories={categories} />
            </select>
          </label>
          <label>
            Portions in stock <small>(empty: not counted)</small>
            <input inputMode="numeric" value={draft.stock} onInput={(e) => setDraft({ ...draft, stock: e.currentTarget.value })} />
          </label>
          {notes.new && <Notice tone={notes.new.tone}>{notes.new.text}</Notice>}
          <button class="primary">Add the dish</button>
        </form>
      </section>
      <h2>Dishes</h2>
      <div class="finder" role="search">
        <label>
          Find a dish
          <input type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} placeholder="Jollof, suya…" />
        </label>
        <label>
          Show
          <select value={show} onChange={(e) => setShow(e.currentTarget.value as Show)}>
            {(Object.keys(SHOW) as Show[]).map((s) => (
              <option key={s} value={s}>
                {SHOW[s]}
              </option>
            ))}
          </select>
        </label>
        <label>
          In category
          <select value={inCategory} onChange={(e) => setInCategory(e.currentTarget.value)}>
            <option value="">Every category</option>
            <CategoryOptions categories={categories} />
          </select>
        </label>
      </div>
      <p class="quiet" role="status">
        {list.length === foods.length ? `${foods.length} dishes` : `${list.length} of ${foods.length} dishes`}
      </p>
      <ul class="lines">
        {list.map((f) => (
          <li key={f.id} class="line stock-line" data-food-id={f.id}>
            <div>
              <h3>{f.name}</h3>
              <p>
                {naira(f.price)} · {f.category_name ?? ""} ·{" "}
                {f.stock === null || f.stock === undefined ? "stock not tracked" : <span data-testid="stock">{f.stock} left</span>}
                {f.sold_out && <span class="badge">Sold out</span>}
                {low(f) && <span class="badge low">Running low</span>}
              </p>
              {notes[f.id] && <Notice tone={notes[f.id].tone}>{notes[f.id].text}</Notice>}
            </div>
            <label class="choice">
              <input
                type="checkbox"
                checked={f.is_available}
                onChange={(e) => {
                  const is_available = e.currentTarget.checked;
                  change(f, { is_available }, is_available ? "Back on the menu." : "Taken off the menu.");
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
                setPrices((p) => ({ ...p, [f.id]: "" }));
                change(f, { price }, `Now ${naira(price)}.`);
              }}
            >
              <label>
                New price for {f.name} (₦)
                <input inputMode="decimal" value={prices[f.id] ?? ""} onInput={(e) => setPrices((p) => ({ ...p, [f.id]: e.currentTarget.value }))} />
              </label>
              <button class="secondary">Set price</button>
            </form>
            <form
              class="edit"
              onSubmit={(e) => {
                e.preventDefault();
                const left = Number.parseInt(levels[f.id] ?? "", 10);
                if (!Number.isInteger(left) || left < 0) return note(f.id, "error", "Enter how many portions are left (0 or more).");
                setLevels((l) => ({ ...l, [f.id]: "" }));
                change(f, { stock: left }, `${left} left.`);
              }}
            >
              <label>
                Portions left of {f.name}
                <input inputMode="numeric" value={levels[f.id] ?? ""} onInput={(e) => setLevels((l) => ({ ...l, [f.id]: e.currentTarget.value }))} />
              </label>
              <button class="secondary">{f.stock == null ? "Start counting" : "Set"}</button>
              {f.stock != null && (
                <button type="button" class="link" onClick={() => change(f, { stock: null }, "Stock no longer counted.")}>
                  Stop counting
                </button>
              )}
            </form>
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
            <label class="move">
              Move {f.name} to
              <select value={f.category_id} onChange={(e) => change(f, { category_id: e.currentTarget.value }, "Moved.")}>
                <CategoryOptions categories={categories} />
              </select>
            </label>
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
            <Confirm
              label={`Delete ${f.name}`}
              question={`Delete ${f.name} from the menu? Orders already placed keep it.`}
              yes="Yes, delete it"
              onConfirm={async () => {
                const { error } = await menu.deleteItem(f.id);
                if (error) note(f.id, "error", messageOf(error, "Could not delete it."));
                else note("deleted", "ok", `${f.name} deleted.`);
                load();
              }}
            />
          </li>
        ))}
      </ul>
      {notes.deleted && <Notice tone={notes.deleted.tone}>{notes.deleted.text}</Notice>}
      <h2>Categories</h2>
      <p class="quiet">Customers see them in this order.</p>
      <ul class="lines">
        {categories.map((c, i) => (
          <li key={c.id} class="line" data-category-id={c.id}>
            <span>
              {c.name} <small>({c.food_count ?? 0} dishes)</small>
            </span>
            <span class="order-buttons">
              <button type="button" class="secondary" aria-label={`Move ${c.name} up`} disabled={i === 0} onClick={() => move(i, -1)}>
                ↑
              </button>
              <button type="button" class="secondary" aria-label={`Move ${c.name} down`} disabled={i === categories.length - 1} onClick={() => move(i, 1)}>
                ↓
              </button>
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
                    const { error } = await menu.deleteCategory(c.id);
                    note(c.id, error ? "error" : "ok", error ? messageOf(error, "Could not delete it.") : "Deleted.");
                    load();
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
    </section>
  );
}
