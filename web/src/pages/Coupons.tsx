import { useEffect, useState } from "preact/hooks";
import { api, codeOf, detailOf, messageOf, type Coupon, type Food } from "../api/client";
import { offer } from "../coupons";
import { kobo, naira } from "../money";
import { Notice } from "../ui";

type Kind = Coupon["kind"];

const KINDS: { kind: Kind; label: string }[] = [
  { kind: "percent", label: "A percentage off" },
  { kind: "fixed", label: "An amount off" },
  { kind: "buy_x_get_y", label: "Buy some, get some free" },
  { kind: "tiered", label: "More off on bigger orders" },
];

/** A kitchen's coupons: make each kind, see how often each was used, switch one off or delete it. */
export function KitchenCoupons({ slug }: { slug: string }) {
  const [coupons, setCoupons] = useState<Coupon[] | null>(null);
  const [dishes, setDishes] = useState<Food[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [note, setNote] = useState<{ tone: "ok" | "error"; text: string } | null>(null);
  const [kind, setKind] = useState<Kind>("percent");
  const load = async () => {
    try {
      const [list, menu] = await Promise.all([
        api.GET("/api/kitchens/{slug}/manage/coupons/", { params: { path: { slug } } }),
        api.GET("/api/kitchens/{slug}/manage/foods/items/", { params: { path: { slug } } }),
      ]);
      if (list.data) setCoupons(list.data.items);
      else setProblem(codeOf(list.error) === "not_kitchen_staff" ? "Only the kitchen's owner and managers run its coupons." : messageOf(list.error, "The coupons could not be loaded."));
      if (menu.data) setDishes(menu.data.items);
    } catch {
      setProblem("The platform cannot be reached. Check your connection and try again.");
    }
  };
  useEffect(() => {
    load();
  }, [slug]);

  /** Runs a change; a request that never gets an answer says so instead of doing nothing. */
  const attempt = (work: () => Promise<void>) =>
    work().catch(() => setNote({ tone: "error", text: "The platform cannot be reached. Check your connection and try again." }));

  const create = (e: Event) => attempt(async () => {
    e.preventDefault();
    // The element, kept: `currentTarget` is gone once the event has been handled (after an await).
    const element = e.currentTarget as HTMLFormElement;
    const form = new FormData(element);
    const text = (key: string) => String(form.get(key) ?? "").trim();
    const whole = (key: string) => (text(key) ? Number.parseInt(text(key), 10) : undefined);
    const money = (key: string) => (text(key) ? kobo(text(key)) : undefined);
    const body: Record<string, unknown> = { code: text("code"), kind, description: text("description") || null };
    if (kind === "percent") Object.assign(body, { percent: whole("percent"), max_discount: money("max_discount") });
    if (kind === "fixed") body.amount = money("amount");
    if (kind === "buy_x_get_y")
      Object.assign(body, {
        buy: { food_item_id: text("buy_dish"), quantity: whole("buy_quantity") },
        get: { food_item_id: text("get_dish") || text("buy_dish"), quantity: whole("get_quantity") },
      });
    if (kind === "tiered")
      body.tiers = [1, 2, 3]
        .filter((n) => text(`tier${n}_from`))
        .map((n) => ({ min_subtotal: kobo(text(`tier${n}_from`)), percent: whole(`tier${n}_percent`) }));
    const min = money("min_subtotal");
    if (min) body.min_subtotal = min;
    if (whole("usage_limit")) body.usage_limit = whole("usage_limit");
    if (text("ends_at")) body.ends_at = new Date(`${text("ends_at")}T23:59:59+01:00`).toISOString();
    for (const [k, v] of Object.entries(body)) if (v === undefined || v === null) delete body[k];
    const { data, error } = await api.POST("/api/kitchens/{slug}/manage/coupons/", { params: { path: { slug } }, body: body as never });
    if (!data) return setNote({ tone: "error", text: detailOf(error, "The coupon could not be made.") });
    setNote({ tone: "ok", text: `${data.coupon.code} is ready for customers.` });
    element.reset();
    setKind("percent");
    load();
  });

  if (!coupons) return problem ? <Notice tone="error">{problem}</Notice> : <Notice tone="info">Loading…</Notice>;
  const dishOptions = dishes.map((d) => (
    <option key={d.id} value={d.id}>
      {d.name}
    </option>
  ));
  return (
    <section aria-labelledby="coupons-title">
      <h1 id="coupons-title">Coupons</h1>
      {coupons.length === 0 && <p>No coupons yet. Make one below: customers enter its code at checkout.</p>}
      <ul class="lines">
        {coupons.map((c) => (
          <li key={c.id} class="line coupon-line" data-coupon-id={c.id}>
            <div>
              <h3>
                <code>{c.code}</code> {!c.active && <span class="badge">Off</span>}
              </h3>
              <p>{offer(c, dishes)}</p>
              <p>
                Used {c.uses} {c.uses === 1 ? "time" : "times"}
                {c.usage_limit ? ` of ${c.usage_limit}` : ""}
                {c.min_subtotal ? ` · orders from ${naira(c.min_subtotal)}` : ""}
                {c.customer_tier !== "all" ? ` · ${c.customer_tier === "vip" ? "VIP" : c.customer_tier} customers` : ""}
                {c.ends_at ? ` · until ${new Date(c.ends_at).toLocaleDateString("en-NG", { timeZone: "Africa/Lagos", day: "numeric", month: "short", year: "numeric" })}` : ""}
              </p>
            </div>
            <label class="choice">
              <input
                type="checkbox"
                checked={c.active}
                onChange={(e) => {
                  const active = e.currentTarget.checked;
                  attempt(async () => {
                  const { error } = await api.PATCH("/api/kitchens/{slug}/manage/coupons/{id}/", { params: { path: { slug, id: c.id } }, body: { active } as never });
                  setNote(error ? { tone: "error", text: messageOf(error, "Could not change it.") } : { tone: "ok", text: active ? `${c.code} is on.` : `${c.code} is switched off.` });
                  load();
                  });
                }}
              />{" "}
              On
            </label>
            <button
              type="button"
              class="secondary"
              onClick={() => {
                if (!confirm(`Delete the coupon ${c.code}?`)) return;
                attempt(async () => {
                const { error } = await api.DELETE("/api/kitchens/{slug}/manage/coupons/{id}/", { params: { path: { slug, id: c.id } } });
                setNote(error ? { tone: "error", text: messageOf(error, "Could not delete it.") } : { tone: "ok", text: `${c.code} deleted.` });
                load();
                });
              }}
            >
              Delete {c.code}
            </button>
          </li>
        ))}
      </ul>
      {note && <Notice tone={note.tone}>{note.text}</Notice>}
      <h2>New coupon</h2>
      <form class="narrow" onSubmit={create}>
        <fieldset>
          <legend>What it gives</legend>
          {KINDS.map((k) => (
            <label class="choice" key={k.kind}>
              <input type="radio" name="kind" value={k.kind} checked={kind === k.kind} onChange={() => setKind(k.kind)} /> {k.label}
            </label>
          ))}
        </fieldset>
        <label>
          Code customers type <small>(3 to 32 letters, digits or hyphens)</small>
          <input name="code" required minLength={3} maxLength={32} pattern="[A-Za-z0-9-]{3,32}" autoCapitalize="characters" />
        </label>
        {kind === "percent" && (
          <div class="pair">
            <label>
              Percent off
              <input name="percent" type="number" min={1} max={100} required />
            </label>
            <label>
              At most (₦, optional)
              <input name="max_discount" inputMode="decimal" />
            </label>
          </div>
        )}
        {kind === "fixed" && (
          <label>
            Amount off (₦)
            <input name="amount" inputMode="decimal" required />
          </label>
        )}
        {kind === "buy_x_get_y" && (
          <>
            <div class="pair">
              <label>
                Buy this dish
                <select name="buy_dish" required>
                  <option value="">Choose…</option>
                  {dishOptions}
                </select>
              </label>
              <label>
                How many
                <input name="buy_quantity" type="number" min={1} max={50} defaultValue="1" required />
              </label>
            </div>
            <div class="pair">
              <label>
                Get this dish free
                <select name="get_dish">
                  <option value="">The same dish</option>
                  {dishOptions}
                </select>
              </label>
              <label>
                How many free
                <input name="get_quantity" type="number" min={1} max={50} defaultValue="1" required />
              </label>
            </div>
          </>
        )}
        {kind === "tiered" &&
          [1, 2, 3].map((n) => (
            <div class="pair" key={n}>
              <label>
                Tier {n}: orders from (₦)
                <input name={`tier${n}_from`} inputMode="decimal" required={n === 1} />
              </label>
              <label>
                Percent off
                <input name={`tier${n}_percent`} type="number" min={1} max={100} required={n === 1} />
              </label>
            </div>
          ))}
        <div class="pair">
          <label>
            Orders from (₦, optional)
            <input name="min_subtotal" inputMode="decimal" />
          </label>
          <label>
            Uses in all (optional)
            <input name="usage_limit" type="number" min={1} />
          </label>
        </div>
        <label>
          Last day (optional)
          <input name="ends_at" type="date" />
        </label>
        <label>
          Description for customers (optional)
          <input name="description" maxLength={300} />
        </label>
        <button class="primary">Make the coupon</button>
      </form>
    </section>
  );
}
