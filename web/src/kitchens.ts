import { api, type Cart, type Kitchen } from "./api/client";
import { naira } from "./money";

/** The home kitchen's slug (the v1 routes' kitchen); the API says which one it is (`is_home`). */
export const HOME = "chuks-kitchen";

/** Where a kitchen's screens live: `#/k/<slug>` for customers, `#/manage/<slug>/...` for its staff. */
export const kitchenPath = (slug: string) => `/k/${slug}`;

/** When a closed kitchen opens again, in its own time zone, as people say it. */
export function opensAgain(kitchen: Pick<Kitchen, "next_open_at" | "timezone" | "accepting_orders">): string {
  if (!kitchen.next_open_at) return kitchen.accepting_orders ? "Closed for now" : "Not taking orders right now";
  const at = new Date(kitchen.next_open_at);
  const zone = kitchen.timezone || "Africa/Lagos";
  const time = at.toLocaleTimeString("en-NG", { timeZone: zone, hour: "numeric", minute: "2-digit" });
  const day = at.toLocaleDateString("en-NG", { timeZone: zone, weekday: "short", day: "numeric", month: "short" });
  const today = new Date().toLocaleDateString("en-NG", { timeZone: zone, weekday: "short", day: "numeric", month: "short" });
  return `Opens ${day === today ? "today" : day} at ${time}`;
}

/** How a kitchen hands food over, and what delivery costs, in a few words. */
export function handover(kitchen: Kitchen): string[] {
  const out: string[] = [];
  if (kitchen.delivery.enabled) {
    out.push(kitchen.delivery.fee > 0 ? `Delivery ${naira(kitchen.delivery.fee)}` : "Free delivery");
    if (kitchen.delivery.minimum_order > 0) out.push(`Minimum ${naira(kitchen.delivery.minimum_order)}`);
  }
  if (kitchen.pickup.enabled) out.push("Pickup");
  return out;
}

/** One kitchen by slug (active kitchens only). */
export async function publicKitchen(slug: string): Promise<Kitchen | null> {
  const { data } = await api.GET("/api/kitchens/{slug}/", { params: { path: { slug } } });
  return data?.kitchen ?? null;
}

/** The public menu of a kitchen: its own routes, or the v1 routes for the home kitchen. */
export async function kitchenFoods(slug: string, query: { q?: string; category?: string }) {
  return api.GET("/api/kitchens/{slug}/foods/", { params: { path: { slug }, query } });
}

export async function kitchenCategories(slug: string) {
  return api.GET("/api/kitchens/{slug}/foods/categories/", { params: { path: { slug } } });
}

type CheckoutBody = {
  fulfilment: "pickup" | "delivery";
  delivery_address?: string;
  delivery_location?: { lat: number; lng: number };
  contact_phone?: string;
  coupon_code?: string;
};

/** Said on the window whenever a cart may have changed (the header's count reads again). */
export const CART_CHANGED = "chuks:cart";

/** `request`, then the word that a cart may have changed, whatever came of it. */
async function changing<T>(request: Promise<T>): Promise<T> {
  try {
    return await request;
  } finally {
    window.dispatchEvent(new Event(CART_CHANGED));
  }
}

/** A customer's cart at a kitchen (`slug`), or the home kitchen's through the v1 routes. */
export function cartAt(slug: string | undefined) {
  return {
    get: async () => (slug ? api.GET("/api/kitchens/{slug}/cart/", { params: { path: { slug } } }) : api.GET("/api/cart/")),
    put: async (id: string, quantity: number) =>
      changing(
        slug
          ? api.PUT("/api/kitchens/{slug}/cart/items/{id}/", { params: { path: { slug, id } }, body: { quantity } })
          : api.PUT("/api/cart/items/{id}/", { params: { path: { id } }, body: { quantity } }),
      ),
    remove: async (id: string) =>
      changing(
        slug
          ? api.DELETE("/api/kitchens/{slug}/cart/items/{id}/", { params: { path: { slug, id } } })
          : api.DELETE("/api/cart/items/{id}/", { params: { path: { id } } }),
      ),
    checkout: async (body: CheckoutBody) => {
      const headers = { "Idempotency-Key": crypto.randomUUID() };
      return changing(
        slug
          ? api.POST("/api/kitchens/{slug}/cart/checkout/", { params: { path: { slug } }, body: body as never, headers })
          : api.POST("/api/cart/checkout/", { body: body as never, headers }),
      );
    },
    link: slug ? `#/k/${slug}/cart` : "#/cart",
  };
}

/** Portions in every cart of the signed-in customer (0 when unknown). */
export async function portionsInCarts(): Promise<number> {
  const { data } = await api.GET("/api/carts/");
  return (data?.items ?? []).reduce((sum, c) => sum + (c.cart as Cart).items.reduce((n, l) => n + l.quantity, 0), 0);
}
