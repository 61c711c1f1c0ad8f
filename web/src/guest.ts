// A visitor who has not signed in yet fills a cart on this device; signing in carries it into
// their account's carts (the server's, one per kitchen), then takes them where they were going.
import { type Food } from "./api/client";
import { CART_CHANGED, cartAt } from "./kitchens";
import { go } from "./route";
import { session } from "./session";

const CARTS = "chuks.guest-carts";
const RETURN_TO = "chuks.return-to";

export type GuestLine = { food_item_id: string; name: string; price: number; quantity: number; min_quantity: number; max_quantity: number };
type GuestCarts = Record<string, GuestLine[]>;

function read(): GuestCarts {
  try {
    const carts = JSON.parse(localStorage.getItem(CARTS) ?? "{}");
    return carts && typeof carts === "object" ? carts : {};
  } catch {
    return {};
  }
}

function write(carts: GuestCarts) {
  const kept = Object.fromEntries(Object.entries(carts).filter(([, lines]) => lines.length > 0));
  if (Object.keys(kept).length === 0) localStorage.removeItem(CARTS);
  else localStorage.setItem(CARTS, JSON.stringify(kept));
  window.dispatchEvent(new Event(CART_CHANGED));
}

/** The visitor's lines at a kitchen (by slug). */
export function guestLines(slug: string): GuestLine[] {
  return read()[slug] ?? [];
}

/** The kitchens (slugs) with a cart on this device. */
export function guestKitchens(): string[] {
  return Object.keys(read());
}

/** Portions in every cart on this device. */
export function guestPortions(): number {
  return Object.values(read()).reduce((sum, lines) => sum + lines.reduce((n, l) => n + l.quantity, 0), 0);
}

/** One more of `food` (at least its least per order); `false` when it is already at its most. */
export function guestAdd(slug: string, food: Food): GuestLine[] | false {
  const carts = read();
  const lines = carts[slug] ?? [];
  const line = lines.find((l) => l.food_item_id === food.id);
  const quantity = Math.max((line?.quantity ?? 0) + 1, food.min_quantity);
  if (quantity > food.max_quantity) return false;
  const next: GuestLine = {
    food_item_id: food.id,
    name: food.name,
    price: food.price,
    quantity,
    min_quantity: food.min_quantity,
    max_quantity: food.max_quantity,
  };
  carts[slug] = line ? lines.map((l) => (l.food_item_id === food.id ? next : l)) : [...lines, next];
  write(carts);
  return carts[slug];
}

/** Sets a line's quantity (0 takes it out). */
export function guestSet(slug: string, id: string, quantity: number): GuestLine[] {
  const carts = read();
  carts[slug] = (carts[slug] ?? []).flatMap((l) => (l.food_item_id !== id ? [l] : quantity > 0 ? [{ ...l, quantity }] : []));
  write(carts);
  return carts[slug];
}

/** Where to go once signed in (the screen that asked for it). */
export function returnAfterSignIn(path: string) {
  sessionStorage.setItem(RETURN_TO, path);
}

/** Carries the device's carts into the signed-in customer's (each line at the larger of the
 * two quantities), then goes where the
 * visitor was going: admins to the board, customers to the screen that sent them to sign in. */
export async function arrive(): Promise<void> {
  const role = session.user()?.role;
  const back = sessionStorage.getItem(RETURN_TO);
  sessionStorage.removeItem(RETURN_TO);
  if (role === "admin") return go("/kitchen");
  for (const [slug, lines] of Object.entries(read())) {
    const at = cartAt(slug);
    const held = await at.get();
    for (const line of lines) {
      const there = held.data?.cart.items.find((l) => l.food_item_id === line.food_item_id)?.quantity ?? 0;
      // A dish that can no longer be added (sold out, gone) is simply not carried over: the
      // cart the customer lands on shows what is in it.
      if (there < line.quantity) await at.put(line.food_item_id, line.quantity);
    }
  }
  write({});
  go(back ?? "/");
}
