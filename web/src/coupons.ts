import type { Coupon, Food } from "./api/client";
import { naira } from "./money";

/** What a coupon gives, in a few words; its dishes named when `dishes` holds them (a customer's
 * chip does without: "Buy 1, get 1 free"). */
export function offer(c: Coupon, dishes: Food[] = []): string {
  const name = (id?: string) => {
    const found = dishes.find((d) => d.id === id)?.name;
    return found ? ` ${found}` : dishes.length ? " a dish" : "";
  };
  switch (c.kind) {
    case "percent":
      return `${c.percent}% off${c.max_discount ? ` (up to ${naira(c.max_discount)})` : ""}`;
    case "fixed":
      return `${naira(c.amount ?? 0)} off`;
    case "buy_x_get_y":
      return c.buy?.food_item_id === c.get?.food_item_id
        ? `Buy ${c.buy?.quantity}${name(c.buy?.food_item_id)}, get ${c.get?.quantity} free`
        : `Buy ${c.buy?.quantity}${name(c.buy?.food_item_id)}, get ${c.get?.quantity}${name(c.get?.food_item_id)} free`;
    case "tiered":
      return (c.tiers ?? [])
        .map((t) => `${t.percent ? `${t.percent}%` : naira(t.amount ?? 0)} off from ${naira(t.min_subtotal)}`)
        .join("; ");
  }
}
