import { useEffect, useMemo, useState } from "preact/hooks";
import { api, messageOf, type Category, type Food, type Kitchen } from "../api/client";
import { guestAdd, guestLines } from "../guest";
import { cartAt, handover, HOME, kitchenCategories, kitchenFoods, opensAgain, publicKitchen } from "../kitchens";
import { naira } from "../money";
import { Photo, TAG_LABELS, type Tag, rememberPrice, useUser } from "../ui";

/** The tags the dietary filter offers (the rest still show on each dish). */
const DIETARY: Tag[] = ["vegetarian", "vegan", "halal", "gluten_free", "dairy_free", "spicy", "seafood"];

type Load<T> = { state: "loading" } | { state: "failed"; message: string } | { state: "ready"; data: T };

/** A kitchen's name, whether it is open (and when it opens next), and how it hands food over. */
export function KitchenHeader({ kitchen }: { kitchen: Kitchen }) {
  return (
    <div class="kitchen-head">
      <p class="kitchen-facts">
        <span class={kitchen.open_now ? "open" : "closed"} data-testid="kitchen-open">
          {kitchen.open_now ? "Open now" : opensAgain(kitchen)}
        </span>
        {handover(kitchen).map((fact) => (
          <span key={fact}>{fact}</span>
        ))}
      </p>
      {kitchen.description && <p class="kitchen-about">{kitchen.description}</p>}
    </div>
  );
}

/** The public menu: every available dish by category, searchable, prices in naira, sold-out
 * dishes marked. A kitchen's own (`slug`), or the home kitchen's through the v1 routes. */
export function Menu({ slug }: { slug?: string }) {
  const [kitchen, setKitchen] = useState<Kitchen | null>(null);
  const [categories, setCategories] = useState<Load<Category[]>>({ state: "loading" });
  const [foods, setFoods] = useState<Load<Food[]>>({ state: "loading" });
  const [category, setCategory] = useState<string | null>(null);
  const [query, setQuery] = useState("");
  const [tags, setTags] = useState<Tag[]>([]);
  const [added, setAdded] = useState<{ tone: "ok" | "error"; text: string } | null>(null);
  /** The cart here, as the last change left it: the "View cart" bar. */
  const [inCart, setInCart] = useState<{ portions: number; total: number } | null>(null);
  /** The categories that have dishes on sale (learnt from the unfiltered menu). */
  const [stocked, setStocked] = useState<Set<string> | null>(null);
  const user = useUser();

  const cart = cartAt(slug);
  const summed = (c: { items: { quantity: number }[]; total: number }) => ({ portions: c.items.reduce((n, l) => n + l.quantity, 0), total: c.total });
  const add = async (food: Food) => {
    if (!user) {
      // Not signed in: the cart waits on this device and follows into the account at sign-in.
      const lines = guestAdd(slug ?? HOME, food);
      if (!lines) return setAdded({ tone: "error", text: `You have the most ${food.name} one order takes (${food.max_quantity}).` });
      const total = lines.reduce((sum, l) => sum + l.price * l.quantity, 0);
      setInCart({ portions: lines.reduce((n, l) => n + l.quantity, 0), total });
      return setAdded({ tone: "ok", text: `Added ${food.name} to your cart (${lines.length} ${lines.length === 1 ? "dish" : "dishes"}, ${naira(total)}).` });
    }
    try {
      const current = await cart.get();
      const line = current.data?.cart.items.find((l) => l.food_item_id === food.id);
      const next = Math.max((line?.quantity ?? 0) + 1, food.min_quantity);
      if (next > food.max_quantity) {
        setAdded({ tone: "error", text: `You have the most ${food.name} one order takes (${food.max_quantity}).` });
        return;
      }
      const { data, error } = await cart.put(food.id, next);
      if (data) {
        rememberPrice(food.id, food.price);
        setInCart(summed(data.cart));
      }
      setAdded(
        data
          ? { tone: "ok", text: `Added ${food.name} to your cart (${data.cart.items.length} ${data.cart.items.length === 1 ? "dish" : "dishes"}, ${naira(data.cart.total)}).` }
          : { tone: "error", text: messageOf(error, `${food.name} could not be added.`) },
      );
    } catch {
      setAdded({ tone: "error", text: `${food.name} could not be added: the kitchen cannot be reached. Check your connection and try again.` });
    }
  };
  // The message goes away by itself; the cart bar stays.
  useEffect(() => {
    if (!added) return;
    const timer = setTimeout(() => setAdded(null), added.tone === "ok" ? 6000 : 9000);
    return () => clearTimeout(timer);
  }, [added]);
  useEffect(() => {
    if (!user) {
      const lines = guestLines(slug ?? HOME);
      return setInCart({ portions: lines.reduce((n, l) => n + l.quantity, 0), total: lines.reduce((sum, l) => sum + l.price * l.quantity, 0) });
    }
    if (user.role !== "customer") return setInCart(null);
    cart
      .get()
      .then(({ data }) => setInCart(data ? summed(data.cart) : null))
      .catch(() => setInCart(null));
  }, [slug, user?.role]);

  useEffect(() => {
    if (slug) publicKitchen(slug).then(setKitchen).catch(() => setKitchen(null));
    (slug ? kitchenCategories(slug) : api.GET("/api/foods/categories/"))
      .then(({ data, error }) =>
        setCategories(data ? { state: "ready", data: data.items } : { state: "failed", message: messageOf(error, "The menu could not be loaded.") }),
      )
      .catch(() => setCategories({ state: "failed", message: "The kitchen cannot be reached." }));
  }, [slug]);

  useEffect(() => {
    const timer = setTimeout(() => {
      const q = query.trim();
      const wanted = { ...(q ? { q } : {}), ...(category ? { category } : {}), ...(tags.length ? { tag: tags } : {}) };
      (slug ? kitchenFoods(slug, wanted) : api.GET("/api/foods/", { params: { query: wanted } }))
        .then(({ data, error }) => {
          setFoods(data ? { state: "ready", data: data.items } : { state: "failed", message: messageOf(error, "The menu could not be loaded.") });
          if (data && !q && !category && tags.length === 0) setStocked(new Set(data.items.map((f) => f.category_id)));
        })
        .catch(() => setFoods({ state: "failed", message: "The kitchen cannot be reached. Check your connection and try again." }));
    }, 150);
    return () => clearTimeout(timer);
  }, [query, category, tags, slug]);

  const featured = foods.state === "ready" && !query.trim() && !category && tags.length === 0 ? foods.data.filter((f) => f.featured) : [];
  const toggle = (tag: Tag) => setTags((now) => (now.includes(tag) ? now.filter((t) => t !== tag) : [...now, tag]));

  const groups = useMemo(() => {
    if (foods.state !== "ready") return [];
    const byCategory = new Map<string, { name: string; foods: Food[] }>();
    for (const food of foods.data) {
      const group = byCategory.get(food.category_id) ?? { name: food.category_name ?? "More", foods: [] };
      group.foods.push(food);
      byCategory.set(food.category_id, group);
    }
    return [...byCategory.entries()];
  }, [foods]);

  return (
    <section aria-labelledby="menu-title">
      <h1 id="menu-title">{kitchen ? `${kitchen.name} menu` : "Menu"}</h1>
      {kitchen && <KitchenHeader kitchen={kitchen} />}
      <label class="search">
        <span>Search the menu</span>
        <input type="search" value={query} placeholder="Jollof, suya, moi moi…" onInput={(e) => setQuery(e.currentTarget.value)} />
      </label>
      {categories.state === "ready" && (
        <nav class="chips" aria-label="Categories">
          <button type="button" aria-pressed={category === null} onClick={() => setCategory(null)}>
            All
          </button>
          {categories.data.filter((c) => !stocked || stocked.has(c.id) || c.id === category).map((c) => (
            <button type="button" key={c.id} aria-pressed={category === c.id} onClick={() => setCategory(c.id)}>
              {c.name}
            </button>
          ))}
        </nav>
      )}
      <nav class="chips diet" aria-label="Dietary filter">
        {DIETARY.map((tag) => (
          <button type="button" key={tag} aria-pressed={tags.includes(tag)} onClick={() => toggle(tag)}>
            {TAG_LABELS[tag]}
          </button>
        ))}
      </nav>
      {featured.length > 0 && (
        <section class="featured" aria-label="Featured">
          <h2>Featured</h2>
          <ul>
            {featured.map((food) => (
              <li key={food.id}>
                <a href={`#dish-${food.id}`}>
                  <Photo food={food} size={120} />
                  <span>{food.name}</span>
                  <strong>{naira(food.price)}</strong>
                </a>
              </li>
            ))}
          </ul>
        </section>
      )}
      {foods.state === "loading" && <p class="status" role="status">Loading the menu…</p>}
      {foods.state === "failed" && <p class="status error" role="alert">{foods.message}</p>}
      {foods.state === "ready" && groups.length === 0 && (
        <p class="status" role="status">
          {query.trim()
            ? `Nothing on the menu matches “${query.trim()}”.`
            : tags.length
              ? `No dish here is ${tags.map((t) => TAG_LABELS[t].toLowerCase()).join(" and ")}.`
              : "Nothing on the menu right now. Check back soon."}
        </p>
      )}
      {groups.map(([id, group]) => (
        <section key={id} class="category" aria-label={group.name}>
          <h2>{group.name}</h2>
          <ul class="dishes">
            {group.foods.map((food) => (
              <li key={food.id} id={`dish-${food.id}`} class={food.sold_out ? "dish sold-out" : "dish"} data-food-id={food.id}>
                <Photo food={food} size={72} tile={false} />
                <div class="about">
                  <h3>{food.name}</h3>
                  {food.description && <p>{food.description}</p>}
                  {food.tags.length > 0 && (
                    <ul class="tags" aria-label="Tags">
                      {food.tags.map((t) => (
                        <li key={t}>{TAG_LABELS[t]}</li>
                      ))}
                    </ul>
                  )}
                  {(food.min_quantity > 1 || food.max_quantity < 50) && (
                    <p class="limit">
                      {food.min_quantity === food.max_quantity
                        ? `Sold in ${food.min_quantity}s`
                        : food.min_quantity > 1
                          ? `At least ${food.min_quantity}${food.max_quantity < 50 ? `, at most ${food.max_quantity}` : ""}`
                          : `At most ${food.max_quantity} per order`}
                    </p>
                  )}
                </div>
                <div class="price">
                  <strong>{naira(food.price)}</strong>
                  {food.sold_out && <span class="badge">Sold out</span>}
                  {(!user || user.role === "customer") && !food.sold_out && (
                    <button type="button" class="add" aria-label={`Add ${food.name} to the cart`} onClick={() => add(food)}>
                      Add
                    </button>
                  )}
                </div>
              </li>
            ))}
          </ul>
        </section>
      ))}
      {(added || (inCart && inCart.portions > 0)) && (
        <div class="cart-bar">
          {added && (
            <p class={`toast ${added.tone}`} role={added.tone === "error" ? "alert" : "status"}>
              {added.text} {added.tone === "ok" && <a href={cart.link}>See your cart</a>}
            </p>
          )}
          {inCart && inCart.portions > 0 && (
            <a class="view-cart" href={cart.link} data-testid="view-cart">
              <span>
                {inCart.portions} in your cart · {naira(inCart.total)}
              </span>
              <strong>View cart</strong>
            </a>
          )}
        </div>
      )}
    </section>
  );
}
