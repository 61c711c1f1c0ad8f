import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { session, type User } from "./session";
import type { Food } from "./api/client";

export function useUser(): User | null {
  const [user, setUser] = useState(session.user());
  useEffect(() => session.subscribe(() => setUser(session.user())), []);
  return user;
}

const STATUS_WORDS: Record<string, string> = {
  pending: "Pending",
  confirmed: "Confirmed",
  preparing: "Preparing",
  out_for_delivery: "Out for delivery",
  ready_for_pickup: "Ready for pickup",
  completed: "Completed",
  cancelled: "Cancelled",
  unpaid: "Unpaid",
  paid: "Paid",
  refund_pending: "Refund on its way",
  refunded: "Refunded",
  refund_failed: "Refund failed",
};

export function words(status: string): string {
  return STATUS_WORDS[status] ?? status.replace(/_/g, " ");
}

export function Pill({ status, kind }: { status: string; kind: "status" | "payment" }) {
  return (
    <span class={`pill ${kind} ${status}`} data-status={status}>
      {words(status)}
    </span>
  );
}

export function Notice({ tone, children }: { tone: "info" | "error" | "ok"; children: ComponentChildren }) {
  return (
    <p class={`status ${tone === "error" ? "error" : tone === "ok" ? "ok" : ""}`} role={tone === "error" ? "alert" : "status"}>
      {children}
    </p>
  );
}

/** The short order number people say out loud: the id's last six characters. */
export function shortId(id: string): string {
  return id.slice(-6);
}

export function when(at: string): string {
  return new Date(at).toLocaleString("en-NG", { dateStyle: "medium", timeStyle: "short" });
}

const PRICES = "chuks.prices";

/** The prices a customer saw when adding dishes, so the cart can say which ones changed since. */
export function seenPrices(): Record<string, number> {
  try {
    return JSON.parse(localStorage.getItem(PRICES) ?? "{}");
  } catch {
    return {};
  }
}

export function rememberPrice(foodId: string, price: number) {
  localStorage.setItem(PRICES, JSON.stringify({ ...seenPrices(), [foodId]: price }));
}

export function forgetPrices() {
  localStorage.removeItem(PRICES);
}

export type Tag = Food["tags"][number];

/** A dish's tags as customers read them. */
export const TAG_LABELS: Record<Tag, string> = {
  vegetarian: "Vegetarian",
  vegan: "Vegan",
  halal: "Halal",
  spicy: "Spicy",
  contains_nuts: "Contains nuts",
  gluten_free: "Gluten-free",
  dairy_free: "Dairy-free",
  seafood: "Seafood",
};

/** A dish's primary photo, lazy and sized; a dish without one (or whose photo fails to load)
 * shows its initial on a plain tile (`tile`) or nothing, never a broken image. */
export function Photo({ food, size, tile = true }: { food: Pick<Food, "image_url" | "name">; size: number; tile?: boolean }) {
  const [failed, setFailed] = useState(false);
  useEffect(() => setFailed(false), [food.image_url]);
  if (!food.image_url || failed) {
    if (!tile) return null;
    return (
      <span class={`photo placeholder${size > 72 ? " big" : ""}`} aria-hidden="true">
        {food.name.slice(0, 1)}
      </span>
    );
  }
  return <img class={`photo${size > 72 ? " big" : ""}`} src={food.image_url} alt="" loading="lazy" decoding="async" width={size} height={size} onError={() => setFailed(true)} />;
}

/** A button for something that cannot be undone: it first asks, saying what will happen
 * (`question`), and only "yes" does it. */
export function Confirm({
  label,
  question,
  yes,
  no = "Keep it",
  onConfirm,
}: {
  label: string;
  question: ComponentChildren;
  yes: string;
  no?: string;
  onConfirm: () => unknown;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button type="button" class="secondary" onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  return (
    <div class="confirm" role="group" aria-label={label}>
      <p>{question}</p>
      <button
        type="button"
        class="danger"
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {yes}
      </button>
      <button type="button" class="secondary" onClick={() => setAsking(false)}>
        {no}
      </button>
    </div>
  );
}
