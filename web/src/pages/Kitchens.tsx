import { useEffect, useState } from "preact/hooks";
import { api, codeOf, messageOf, type Kitchen, type Member } from "../api/client";
import { handover, opensAgain } from "../kitchens";
import { kobo, naira } from "../money";
import { go } from "../route";
import { Notice, useUser } from "../ui";
import { Menu } from "./Menu";

type Load<T> = { state: "loading" } | { state: "failed"; message: string } | { state: "ready"; data: T };

/** The home screen: with more than one kitchen open on the platform, the kitchens to choose
 * from (open now first); with one, its menu straight away. */
export function Home() {
  const [kitchens, setKitchens] = useState<Load<Kitchen[]>>({ state: "loading" });
  const [query, setQuery] = useState("");
  const [openOnly, setOpenOnly] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => {
      const q = query.trim();
      api
        .GET("/api/kitchens/", { params: { query: { limit: 100, ...(q ? { q } : {}), ...(openOnly ? { open_now: true } : {}) } } })
        .then(({ data, error }) =>
          setKitchens(data ? { state: "ready", data: data.items } : { state: "failed", message: messageOf(error, "The kitchens could not be loaded.") }),
        )
        .catch(() => setKitchens({ state: "failed", message: "The kitchens cannot be reached. Check your connection and try again." }));
    }, 150);
    return () => clearTimeout(timer);
  }, [query, openOnly]);

  // One kitchen on the platform (or none listed yet): its menu, as before.
  const searching = query.trim() !== "" || openOnly;
  if (kitchens.state === "ready" && kitchens.data.length <= 1 && !searching) return <Menu slug={kitchens.data[0]?.slug} />;
  if (kitchens.state === "failed" && !searching) return <Menu />;
  const sorted = kitchens.state === "ready" ? [...kitchens.data].sort((a, b) => Number(b.open_now) - Number(a.open_now)) : [];
  return (
    <section aria-labelledby="kitchens-title">
      <h1 id="kitchens-title">Kitchens</h1>
      <div class="filters">
        <label class="search">
          <span>Find a kitchen</span>
          <input type="search" value={query} placeholder="Suya, amala, Chuks…" onInput={(e) => setQuery(e.currentTarget.value)} />
        </label>
        <label class="choice">
          <input type="checkbox" checked={openOnly} onChange={(e) => setOpenOnly(e.currentTarget.checked)} /> Open now
        </label>
      </div>
      {kitchens.state === "loading" && <Notice tone="info">Loading the kitchens…</Notice>}
      {kitchens.state === "failed" && <Notice tone="error">{kitchens.message}</Notice>}
      {kitchens.state === "ready" && sorted.length === 0 && <Notice tone="info">No kitchen matches that right now.</Notice>}
      <ul class="kitchens">
        {sorted.map((k) => (
          <li key={k.id} class={k.open_now ? "kitchen-card" : "kitchen-card closed"} data-slug={k.slug}>
            <a href={`#/k/${k.slug}`}>
              <h2>{k.name}</h2>
              <p class="kitchen-facts">
                <span class={k.open_now ? "open" : "closed"}>{k.open_now ? "Open now" : opensAgain(k)}</span>
                {handover(k).map((fact) => (
                  <span key={fact}>{fact}</span>
                ))}
              </p>
              {k.description && <p class="kitchen-about">{k.description}</p>}
            </a>
          </li>
        ))}
      </ul>
      <p class="aside">
        Cooking for Lagos? <a href="#/kitchens/new">Open your kitchen on the platform</a>
      </p>
    </section>
  );
}

/** "Open a kitchen": the application, then the pending kitchen and what happens next. */
export function OpenKitchen() {
  const user = useUser();
  const [form, setForm] = useState({ name: "", slug: "", phone: "", address: "", email: "", description: "" });
  const [problem, setProblem] = useState<{ message: string; fields: Record<string, string> } | null>(null);
  const [busy, setBusy] = useState(false);
  if (!user) return <Notice tone="info"><a href="#/login">Sign in</a> to open a kitchen.</Notice>;
  const field = (name: keyof typeof form, label: string, extra: Record<string, unknown> = {}) => (
    <label>
      {label}
      <input
        name={name}
        value={form[name]}
        aria-invalid={problem?.fields[name] ? true : undefined}
        onInput={(e) => setForm({ ...form, [name]: e.currentTarget.value })}
        {...extra}
      />
      {problem?.fields[name] && <span class="field-error">{problem.fields[name]}</span>}
    </label>
  );
  return (
    <section aria-labelledby="open-title">
      <h1 id="open-title">Open a kitchen</h1>
      <p>Tell us about your kitchen. The platform checks it and opens it to customers; you manage its menu, hours and staff.</p>
      <form
        class="stack"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setProblem(null);
          const body = Object.fromEntries(Object.entries(form).filter(([, v]) => v.trim() !== "")) as never;
          try {
            const { data, error } = await api.POST("/api/kitchens/", { body });
            if (data) return go(`/manage/${data.kitchen.slug}`);
            const e = error as { error?: { message?: string; fields?: Record<string, string> } };
            setProblem({ message: messageOf(error, "The kitchen could not be opened."), fields: e?.error?.fields ?? {} });
          } catch {
            setProblem({ message: "The platform cannot be reached. Check your connection and try again.", fields: {} });
          } finally {
            setBusy(false);
          }
        }}
      >
        {field("name", "Kitchen name", { required: true, maxLength: 100 })}
        {field("slug", "Web address (optional: a-z, 0-9 and -)", { pattern: "[a-z0-9-]{3,40}" })}
        {field("phone", "Phone number", { required: true, type: "tel", autocomplete: "tel" })}
        {field("address", "Address", { required: true })}
        {field("email", "Email for orders (optional)", { type: "email" })}
        {field("description", "What you cook (optional)")}
        {problem && <Notice tone="error">{problem.message}</Notice>}
        <button class="primary" disabled={busy}>
          {busy ? "Sending…" : "Apply"}
        </button>
      </form>
    </section>
  );
}

/** The caller's kitchens, with their role and what they can open. */
export function MyKitchens() {
  const [mine, setMine] = useState<Load<{ kitchen: Kitchen; role: string }[]>>({ state: "loading" });
  useEffect(() => {
    api
      .GET("/api/kitchens/mine/")
      .then(({ data, error }) => setMine(data ? { state: "ready", data: data.items } : { state: "failed", message: messageOf(error, "Your kitchens could not be loaded.") }))
      .catch(() => setMine({ state: "failed", message: "The platform cannot be reached." }));
  }, []);
  return (
    <section aria-labelledby="mine-title">
      <h1 id="mine-title">My kitchens</h1>
      {mine.state === "loading" && <Notice tone="info">Loading…</Notice>}
      {mine.state === "failed" && <Notice tone="error">{mine.message}</Notice>}
      {mine.state === "ready" && mine.data.length === 0 && (
        <Notice tone="info">
          You are on no kitchen's staff. <a href="#/kitchens/new">Open a kitchen</a>
        </Notice>
      )}
      <ul class="kitchens">
        {mine.state === "ready" &&
          mine.data.map(({ kitchen, role }) => (
            <li key={kitchen.id} class="kitchen-card" data-slug={kitchen.slug}>
              <a href={`#/manage/${kitchen.slug}`}>
                <h2>{kitchen.name}</h2>
                <p class="kitchen-facts">
                  <span>{role === "owner" ? "Owner" : role === "manager" ? "Manager" : "Staff"}</span>
                  <span data-testid="kitchen-status">{kitchen.status === "pending" ? "Waiting for approval" : kitchen.status === "active" ? "Open to customers" : "Suspended"}</span>
                </p>
              </a>
            </li>
          ))}
      </ul>
      <p class="aside">
        <a href="#/kitchens/new">Open another kitchen</a>
      </p>
    </section>
  );
}

/** A member's home for one kitchen: its status and the screens their role opens. */
export function ManageKitchen({ slug }: { slug: string }) {
  const [entry, setEntry] = useState<Load<{ kitchen: Kitchen; role: string }>>({ state: "loading" });
  const user = useUser();
  useEffect(() => {
    api
      .GET("/api/kitchens/mine/")
      .then(({ data, error }) => {
        const found = data?.items.find((i) => i.kitchen.slug === slug);
        if (found) return setEntry({ state: "ready", data: found });
        setEntry({ state: "failed", message: data ? "You are not on this kitchen's staff." : messageOf(error, "The kitchen could not be loaded.") });
      })
      .catch(() => setEntry({ state: "failed", message: "The platform cannot be reached." }));
  }, [slug]);
  if (entry.state === "loading") return <Notice tone="info">Loading…</Notice>;
  if (entry.state === "failed") return <Notice tone="error">{entry.message}</Notice>;
  const { kitchen, role } = entry.data;
  const manager = role === "owner" || role === "manager" || user?.role === "admin";
  return (
    <section aria-labelledby="manage-title">
      <h1 id="manage-title">{kitchen.name}</h1>
      {kitchen.status === "pending" && <Notice tone="info">Your application is waiting for the platform's approval. You can set up your menu and hours meanwhile.</Notice>}
      {kitchen.status === "suspended" && <Notice tone="error">This kitchen is suspended: customers cannot see it.</Notice>}
      <nav class="tiles" aria-label="Kitchen">
        <a href={`#/manage/${slug}/board`}>Order board</a>
        {manager && <a href={`#/manage/${slug}/menu`}>Menu and stock</a>}
        {manager && <a href={`#/manage/${slug}/coupons`}>Coupons</a>}
        {manager && <a href={`#/manage/${slug}/reports`}>Sales reports</a>}
        {manager && <a href={`#/manage/${slug}/settings`}>Settings</a>}
        {role === "owner" && <a href={`#/manage/${slug}/staff`}>Staff</a>}
        {kitchen.status === "active" && <a href={`#/k/${slug}`}>See it as customers do</a>}
      </nav>
    </section>
  );
}

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
type Range = { day: (typeof DAYS)[number]; opens: string; closes: string };

/** Owners and managers: hours, a pause switch, delivery and pickup. */
export function KitchenSettings({ slug }: { slug: string }) {
  const [kitchen, setKitchen] = useState<Kitchen | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [hours, setHours] = useState<Range[]>([]);
  const [fee, setFee] = useState("");
  const [minimum, setMinimum] = useState("");
  const [radius, setRadius] = useState("");
  const user = useUser();
  useEffect(() => {
    api.GET("/api/kitchens/mine/").then(({ data, error }) => {
      const entry = data?.items.find((i) => i.kitchen.slug === slug);
      const found = entry?.kitchen;
      if (!found) return setProblem(data ? "You are not on this kitchen's staff." : messageOf(error, "The kitchen could not be loaded."));
      if (entry.role === "staff" && user?.role !== "admin") return setProblem("Only the kitchen's owner and managers change its settings.");
      setKitchen(found);
      setHours(found.hours as Range[]);
      setFee(String(found.delivery.fee / 100));
      setMinimum(String(found.delivery.minimum_order / 100));
      setRadius(found.delivery.radius_km === null ? "" : String(found.delivery.radius_km));
    });
  }, [slug]);
  const save = async (change: Record<string, unknown>, what: string) => {
    setProblem(null);
    setSaved(null);
    try {
      const { data, error } = await api.PATCH("/api/kitchens/{slug}/manage/", { params: { path: { slug } }, body: change as never });
      if (data) {
        setKitchen(data.kitchen);
        setSaved(`${what} saved.`);
      } else setProblem(codeOf(error) === "not_kitchen_staff" ? "Only the kitchen's owner and managers change its settings." : messageOf(error, "The settings could not be saved."));
    } catch {
      setProblem("The platform cannot be reached. Check your connection and try again.");
    }
  };
  if (!kitchen) return problem ? <Notice tone="error">{problem}</Notice> : <Notice tone="info">Loading…</Notice>;
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">{kitchen.name} settings</h1>
      <p class="kitchen-facts">
        <span class={kitchen.open_now ? "open" : "closed"} data-testid="kitchen-open">
          {kitchen.open_now ? "Open now" : opensAgain(kitchen)}
        </span>
      </p>
      {saved && <Notice tone="ok">{saved}</Notice>}
      {problem && <Notice tone="error">{problem}</Notice>}
      <label class="choice">
        <input
          type="checkbox"
          checked={kitchen.accepting_orders}
          onChange={(e) => {
            const on = e.currentTarget.checked;
            // Shown at once; the kitchen as saved replaces it (or the error says why not).
            setKitchen({ ...kitchen, accepting_orders: on });
            save({ accepting_orders: on }, on ? "Taking orders" : "Paused");
          }}
        />{" "}
        Taking orders (untick to pause the kitchen)
      </label>
      <form
        class="stack"
        aria-label="Opening hours"
        onSubmit={(e) => {
          e.preventDefault();
          save({ hours }, "Opening hours");
        }}
      >
        <h2>Opening hours</h2>
        <p class="hint">No hours: always open. A closing time before the opening time runs past midnight.</p>
        {hours.map((range, i) => (
          <div class="range" key={i}>
            <select aria-label={`Day of range ${i + 1}`} value={range.day} onChange={(e) => setHours(hours.map((r, j) => (j === i ? { ...r, day: e.currentTarget.value as Range["day"] } : r)))}>
              {DAYS.map((d) => (
                <option key={d} value={d}>
                  {d}
                </option>
              ))}
            </select>
            <input aria-label={`Opens (range ${i + 1})`} type="time" value={range.opens} onInput={(e) => setHours(hours.map((r, j) => (j === i ? { ...r, opens: e.currentTarget.value } : r)))} />
            <input aria-label={`Closes (range ${i + 1})`} type="time" value={range.closes} onInput={(e) => setHours(hours.map((r, j) => (j === i ? { ...r, closes: e.currentTarget.value } : r)))} />
            <button type="button" class="secondary" onClick={() => setHours(hours.filter((_, j) => j !== i))}>
              Remove
            </button>
          </div>
        ))}
        <button type="button" class="secondary" onClick={() => setHours([...hours, { day: "mon", opens: "09:00", closes: "21:00" }])}>
          Add hours
        </button>
        <button class="primary">Save hours</button>
      </form>
      <Closures kitchen={kitchen} save={save} />
      <form
        class="stack"
        aria-label="Delivery and pickup"
        onSubmit={(e) => {
          e.preventDefault();
          const [f, m] = [kobo(fee), kobo(minimum)];
          const r = radius.trim() === "" ? null : Number(radius);
          if (f === null || m === null || (r !== null && !(r > 0))) return setProblem("Enter amounts in naira (like 1,500) and a distance in km, or leave the distance empty.");
          save({ delivery: { enabled: kitchen.delivery.enabled, fee: f, minimum_order: m, radius_km: r } }, "Delivery");
        }}
      >
        <h2>Delivery and pickup</h2>
        <label class="choice">
          <input
            type="checkbox"
            checked={kitchen.delivery.enabled}
            onChange={(e) => {
              const on = e.currentTarget.checked;
              setKitchen({ ...kitchen, delivery: { ...kitchen.delivery, enabled: on } });
              save({ delivery: { enabled: on } }, "Delivery");
            }}
          />{" "}
          We deliver
        </label>
        <label class="choice">
          <input
            type="checkbox"
            checked={kitchen.pickup.enabled}
            onChange={(e) => {
              const on = e.currentTarget.checked;
              setKitchen({ ...kitchen, pickup: { enabled: on } });
              save({ pickup: { enabled: on } }, "Pickup");
            }}
          />{" "}
          Customers can pick up
        </label>
        <label>
          Delivery fee (₦)
          <input inputMode="decimal" value={fee} onInput={(e) => setFee(e.currentTarget.value)} />
        </label>
        <label>
          Minimum order for delivery (₦)
          <input inputMode="decimal" value={minimum} onInput={(e) => setMinimum(e.currentTarget.value)} />
        </label>
        <label>
          Delivery distance (km, empty: anywhere)
          <input inputMode="decimal" value={radius} onInput={(e) => setRadius(e.currentTarget.value)} />
        </label>
        <p class="hint">
          Now: {kitchen.delivery.fee > 0 ? naira(kitchen.delivery.fee) : "free"} delivery, minimum {naira(kitchen.delivery.minimum_order)}
          {kitchen.delivery.radius_km !== null ? `, within ${kitchen.delivery.radius_km} km` : ""}.
        </p>
        <button class="primary">Save delivery</button>
      </form>
    </section>
  );
}

type Closure = { from: string; to: string; reason?: string | null };

/** A wall-clock time ("2026-12-24T18:00") in an IANA time zone, as an RFC 3339 instant: the
 * zone's offset at that moment, found by asking what the first guess reads as there. */
export function zonedInstant(local: string, zone: string): string {
  const guess = new Date(`${local}:00Z`);
  const seen = new Date(guess.toLocaleString("en-US", { timeZone: zone }));
  const asUtc = new Date(guess.toLocaleString("en-US", { timeZone: "UTC" }));
  return new Date(guess.getTime() - (seen.getTime() - asUtc.getTime())).toISOString();
}

/** Days the kitchen is shut whatever its hours say (a holiday, a gas refill): add and remove. */
function Closures({ kitchen, save }: { kitchen: Kitchen; save: (change: Record<string, unknown>, what: string) => Promise<void> }) {
  const closures = (kitchen.closures ?? []) as Closure[];
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [reason, setReason] = useState("");
  const shown = (at: string) =>
    new Date(at).toLocaleString("en-NG", { timeZone: kitchen.timezone || "Africa/Lagos", dateStyle: "medium", timeStyle: "short" });
  return (
    <form
      class="stack"
      aria-label="Closures"
      onSubmit={(e) => {
        e.preventDefault();
        if (!from || !to) return;
        // The inputs are the kitchen's own local time.
        const instant = (local: string) => zonedInstant(local, kitchen.timezone || "Africa/Lagos");
        save({ closures: [...closures, { from: instant(from), to: instant(to), reason: reason.trim() || null }] }, "Closure").then(() => {
          setFrom("");
          setTo("");
          setReason("");
        });
      }}
    >
      <h2>Closures</h2>
      {closures.length === 0 && <p class="hint">None planned.</p>}
      <ul class="lines">
        {closures.map((c, i) => (
          <li key={`${c.from}-${i}`} class="line">
            <p>
              {shown(c.from)} to {shown(c.to)}
              {c.reason ? ` · ${c.reason}` : ""}
            </p>
            <button type="button" class="secondary" onClick={() => save({ closures: closures.filter((_, j) => j !== i) }, "Closures")}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      <label>
        Closed from
        <input type="datetime-local" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
      </label>
      <label>
        Until
        <input type="datetime-local" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
      </label>
      <label>
        Reason (optional)
        <input value={reason} maxLength={200} onInput={(e) => setReason(e.currentTarget.value)} />
      </label>
      <button class="secondary">Add the closure</button>
    </form>
  );
}

/** The owner's staff screen: who works here, adding a manager or staff member, removing one. */
export function KitchenStaff({ slug }: { slug: string }) {
  const [members, setMembers] = useState<Member[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [identifier, setIdentifier] = useState("");
  const [role, setRole] = useState<"manager" | "staff">("staff");
  const load = async () => {
    try {
      const { data, error } = await api.GET("/api/kitchens/{slug}/manage/staff/", { params: { path: { slug } } });
      if (data) setMembers(data.items);
      else setProblem(codeOf(error) === "not_kitchen_staff" ? "Only the kitchen's owner manages its staff." : messageOf(error, "The staff could not be loaded."));
    } catch {
      setProblem("The platform cannot be reached. Check your connection and try again.");
    }
  };
  useEffect(() => {
    load();
  }, [slug]);
  if (!members) return problem ? <Notice tone="error">{problem}</Notice> : <Notice tone="info">Loading…</Notice>;
  return (
    <section aria-labelledby="staff-title">
      <h1 id="staff-title">Staff</h1>
      <ul class="lines">
        {members.map((m) => (
          <li key={m.user_id} class="line" data-user-id={m.user_id}>
            <div>
              <h3>{m.identifier}</h3>
              <p>{m.role === "owner" ? "Owner" : m.role === "manager" ? "Manager: menu, settings, orders" : "Staff: the order board"}</p>
            </div>
            {m.role !== "owner" && (
              <button
                type="button"
                class="secondary"
                onClick={async () => {
                  const { error, response } = await api.DELETE("/api/kitchens/{slug}/manage/staff/{user_id}/", { params: { path: { slug, user_id: m.user_id } } });
                  if (!response.ok) setProblem(messageOf(error, "That member could not be removed."));
                  load();
                }}
              >
                Remove {m.identifier}
              </button>
            )}
          </li>
        ))}
      </ul>
      <form
        class="stack"
        onSubmit={async (e) => {
          e.preventDefault();
          setProblem(null);
          const { data, error } = await api.POST("/api/kitchens/{slug}/manage/staff/", { params: { path: { slug } }, body: { identifier: identifier.trim(), role } });
          if (data) {
            setIdentifier("");
            load();
          } else setProblem(codeOf(error) === "user_not_found" ? "No one has signed up with that email or phone number yet: ask them to sign up first." : messageOf(error, "They could not be added."));
        }}
      >
        <h2>Add someone</h2>
        <label>
          Their email or phone number
          <input value={identifier} required onInput={(e) => setIdentifier(e.currentTarget.value)} />
        </label>
        <label>
          Role
          <select value={role} onChange={(e) => setRole(e.currentTarget.value as "manager" | "staff")}>
            <option value="staff">Staff (the order board)</option>
            <option value="manager">Manager (menu, settings, orders)</option>
          </select>
        </label>
        {problem && <Notice tone="error">{problem}</Notice>}
        <button class="primary">Add to the staff</button>
      </form>
    </section>
  );
}

/** The platform admin's kitchens: applications to approve, and suspending or restoring. */
export function PlatformKitchens() {
  const [status, setStatus] = useState<"pending" | "active" | "suspended">("pending");
  const [kitchens, setKitchens] = useState<Kitchen[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const load = async () => {
    try {
      const { data, error } = await api.GET("/api/kitchens/admin/", { params: { query: { status, limit: 100 } } });
      if (data) setKitchens(data.items);
      else setProblem(messageOf(error, "The kitchens could not be loaded."));
    } catch {
      setProblem("The platform cannot be reached.");
    }
  };
  useEffect(() => {
    load();
  }, [status]);
  const decide = async (k: Kitchen, to: "active" | "suspended") => {
    const { error, data } = await api.POST("/api/kitchens/admin/{slug}/status/", { params: { path: { slug: k.slug } }, body: { status: to } });
    if (!data) setProblem(messageOf(error, "That did not work."));
    load();
  };
  return (
    <section aria-labelledby="platform-title">
      <h1 id="platform-title">Kitchens on the platform</h1>
      <nav class="chips" aria-label="Kitchen status">
        {(["pending", "active", "suspended"] as const).map((s) => (
          <button type="button" key={s} aria-pressed={status === s} onClick={() => setStatus(s)}>
            {s === "pending" ? "Waiting for approval" : s === "active" ? "Open" : "Suspended"}
          </button>
        ))}
      </nav>
      {problem && <Notice tone="error">{problem}</Notice>}
      {kitchens && kitchens.length === 0 && <Notice tone="info">None.</Notice>}
      <ul class="lines">
        {kitchens?.map((k) => (
          <li key={k.id} class="line" data-slug={k.slug}>
            <div>
              <h3>{k.name}</h3>
              <p>
                {k.address} · {k.phone}
              </p>
            </div>
            {k.status !== "active" && (
              <button type="button" class="primary" onClick={() => decide(k, "active")}>
                {k.status === "pending" ? `Approve ${k.name}` : `Restore ${k.name}`}
              </button>
            )}
            {k.status === "active" && (
              <button type="button" class="secondary" onClick={() => decide(k, "suspended")}>
                Suspend {k.name}
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Every cart the customer has, one per kitchen. */
export function Carts() {
  const [carts, setCarts] = useState<Load<{ kitchen: { slug: string; name: string }; total: number; count: number }[]>>({ state: "loading" });
  useEffect(() => {
    api
      .GET("/api/carts/")
      .then(({ data, error }) => {
        if (!data) return setCarts({ state: "failed", message: messageOf(error, "Your carts could not be loaded.") });
        const items = data.items as unknown as { kitchen: { slug: string; name: string }; cart: { total: number; items: unknown[] } }[];
        setCarts({ state: "ready", data: items.map((c) => ({ kitchen: c.kitchen, total: c.cart.total, count: c.cart.items.length })) });
      })
      .catch(() => setCarts({ state: "failed", message: "The kitchens cannot be reached. Check your connection and try again." }));
  }, []);
  if (carts.state === "loading") return <Notice tone="info">Loading your carts…</Notice>;
  if (carts.state === "failed") return <Notice tone="error">{carts.message}</Notice>;
  if (carts.data.length === 1) {
    go(`/k/${carts.data[0].kitchen.slug}/cart`);
    return <Notice tone="info">Opening your cart…</Notice>;
  }
  return (
    <section aria-labelledby="carts-title">
      <h1 id="carts-title">Your carts</h1>
      {carts.data.length === 0 && (
        <Notice tone="info">
          Your cart is empty. <a href="#/">Find something to eat</a>
        </Notice>
      )}
      <ul class="kitchens">
        {carts.data.map((c) => (
          <li key={c.kitchen.slug} class="kitchen-card">
            <a href={`#/k/${c.kitchen.slug}/cart`}>
              <h2>{c.kitchen.name}</h2>
              <p class="kitchen-facts">
                <span>
                  {c.count} {c.count === 1 ? "dish" : "dishes"}
                </span>
                <span>{naira(c.total)}</span>
              </p>
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
