import { useEffect, useState } from "preact/hooks";
import { messageOf, type Cart as CartView, type Kitchen } from "../api/client";
import { cartAt, handover, opensAgain, publicKitchen } from "../kitchens";
import { naira } from "../money";
import { go } from "../route";
import { forgetPrices, Notice, seenPrices } from "../ui";
import { CheckoutCoupon, type CouponState } from "./CheckoutCoupon";

/** The server-side cart at a kitchen (`slug`; none: the home kitchen's) at current prices, and
 * checkout for pickup or delivery as the kitchen offers them. */
export function Cart({ slug }: { slug?: string }) {
  const at = cartAt(slug);
  const [kitchen, setKitchen] = useState<Kitchen | null>(null);
  const [cart, setCart] = useState<CartView | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [fulfilment, setFulfilment] = useState<"pickup" | "delivery">("pickup");
  const [address, setAddress] = useState("");
  const [busy, setBusy] = useState(false);
  const [coupon, setCoupon] = useState<CouponState>({ state: "none" });

  const load = async () => {
    try {
      const { data, error } = await at.get();
      if (data) setCart(data.cart);
      else setProblem(messageOf(error, "Your cart could not be loaded."));
    } catch {
      setProblem("The kitchen cannot be reached. Check your connection and try again.");
    }
  };
  useEffect(() => {
    load();
    if (slug)
      publicKitchen(slug)
        .then((k) => {
          setKitchen(k);
          if (k && !k.pickup.enabled) setFulfilment("delivery");
        })
        .catch(() => setKitchen(null));
  }, [slug]);

  const setQuantity = async (id: string, quantity: number) => {
    setProblem(null);
    const { data, error } = quantity > 0 ? await at.put(id, quantity) : await at.remove(id);
    if (data) setCart(data.cart);
    else setProblem(messageOf(error, "The cart could not be changed."));
  };

  const seen = seenPrices();
  if (!cart) return problem ? <Notice tone="error">{problem}</Notice> : <Notice tone="info">Loading your cart…</Notice>;
  const orderable = cart.items.some((l) => l.available && !l.sold_out);
  const discount = coupon.state === "applied" ? coupon.discount : 0;
  const fee = fulfilment === "delivery" && kitchen ? kitchen.delivery.fee : 0;

  return (
    <section aria-labelledby="cart-title">
      <h1 id="cart-title">{kitchen ? `Your cart at ${kitchen.name}` : "Your cart"}</h1>
      {kitchen && (
        <p class="kitchen-facts">
          <span class={kitchen.open_now ? "open" : "closed"}>{kitchen.open_now ? "Open now" : opensAgain(kitchen)}</span>
          {handover(kitchen).map((fact) => (
            <span key={fact}>{fact}</span>
          ))}
        </p>
      )}
      {cart.items.length === 0 && (
        <Notice tone="info">
          Your cart is empty. <a href={slug ? `#/k/${slug}` : "#/"}>Browse the menu</a>
        </Notice>
      )}
      <ul class="lines">
        {cart.items.map((line) => (
          <li key={line.food_item_id} class="line" data-food-id={line.food_item_id}>
            <div>
              <h3>{line.name}</h3>
              <p>
                {line.unit_price === null ? "No price" : `${naira(line.unit_price)} each`}
                {!line.available && <span class="badge">No longer available</span>}
                {line.available && line.sold_out && <span class="badge">Sold out</span>}
                {line.unit_price !== null && seen[line.food_item_id] !== undefined && seen[line.food_item_id] !== line.unit_price && (
                  <span class="changed">
                    Price {line.unit_price > seen[line.food_item_id] ? "up" : "down"} from {naira(seen[line.food_item_id])}
                  </span>
                )}
              </p>
            </div>
            {line.min_quantity !== null && line.max_quantity !== null && (line.quantity < line.min_quantity || line.quantity > line.max_quantity) && (
              <p class="limit" role="alert">
                Order {line.min_quantity === line.max_quantity ? `exactly ${line.min_quantity}` : `${line.min_quantity} to ${line.max_quantity}`} of this dish
              </p>
            )}
            <div class="qty" role="group" aria-label={`Quantity of ${line.name}`}>
              <button
                type="button"
                aria-label={line.quantity <= (line.min_quantity ?? 1) ? `Remove ${line.name}` : `One less ${line.name}`}
                onClick={() => setQuantity(line.food_item_id, line.quantity <= (line.min_quantity ?? 1) ? 0 : Math.min(line.quantity - 1, line.max_quantity ?? 50))}
              >
                −
              </button>
              <output aria-live="polite">{line.quantity}</output>
              <button
                type="button"
                aria-label={`One more ${line.name}`}
                disabled={!line.available || line.quantity >= (line.max_quantity ?? 50)}
                onClick={() => setQuantity(line.food_item_id, Math.max(line.quantity + 1, line.min_quantity ?? 1))}
              >
                +
              </button>
            </div>
            <strong class="line-total">{line.line_total === null ? "—" : naira(line.line_total)}</strong>
          </li>
        ))}
      </ul>
      {cart.items.length > 0 && (
        <form
          class="checkout"
          onSubmit={async (e) => {
            e.preventDefault();
            setBusy(true);
            const base = fulfilment === "delivery" ? { fulfilment, delivery_address: address.trim() } : { fulfilment };
            const body = coupon.state === "applied" ? { ...base, coupon_code: coupon.code } : base;
            const { data, error } = await at.checkout(body).catch(() => ({
              data: undefined,
              error: { error: { message: "The kitchen cannot be reached. Check your connection and try again." } },
            }));
            setBusy(false);
            if (data) {
              forgetPrices();
              return go(`/orders/${data.order.id}`);
            }
            setProblem(messageOf(error, "The order could not be placed."));
            load();
          }}
        >
          {kitchen && fulfilment === "delivery" && kitchen.delivery.minimum_order > cart.total && (
            <Notice tone="info">
              {kitchen.name} delivers orders of at least {naira(kitchen.delivery.minimum_order)}: add {naira(kitchen.delivery.minimum_order - cart.total)} more, or
              choose pickup.
            </Notice>
          )}
          <fieldset>
            <legend>How do you want it?</legend>
            {(!kitchen || kitchen.pickup.enabled) && (
              <label class="choice">
                <input type="radio" name="fulfilment" checked={fulfilment === "pickup"} onChange={() => setFulfilment("pickup")} /> Pickup at the kitchen
              </label>
            )}
            {(!kitchen || kitchen.delivery.enabled) && (
              <label class="choice">
                <input type="radio" name="fulfilment" checked={fulfilment === "delivery"} onChange={() => setFulfilment("delivery")} /> Delivery
                {kitchen && kitchen.delivery.fee > 0 && ` (${naira(kitchen.delivery.fee)})`}
              </label>
            )}
          </fieldset>
          {fulfilment === "delivery" && (
            <label>
              Delivery address
              <textarea name="delivery_address" required rows={2} value={address} onInput={(e) => setAddress(e.currentTarget.value)} />
            </label>
          )}
          <CheckoutCoupon slug={slug} cartKey={cart.items.map((l) => `${l.food_item_id}:${l.quantity}`).join(",")} onChange={setCoupon} />
          <div class="totals">
            <p class="total">
              {discount > 0 ? "Subtotal" : "Total"} <strong data-testid="cart-total">{naira(cart.total)}</strong>
            </p>
            {discount > 0 && coupon.state === "applied" && (
              <>
                <p class="total sub" data-testid="discount">
                  Coupon {coupon.code} <span>−{naira(discount)}</span>
                </p>
                {fee > 0 && (
                  <p class="total sub">
                    Delivery <span>{naira(fee)}</span>
                  </p>
                )}
                <p class="total">
                  New total <strong data-testid="checkout-total">{naira(cart.total - discount + fee)}</strong>
                </p>
              </>
            )}
          </div>
          {problem && <Notice tone="error">{problem}</Notice>}
          <button class="primary" disabled={busy || !orderable || coupon.state === "checking" || coupon.state === "refused"}>
            {busy ? "Placing your order…" : "Place order"}
          </button>
        </form>
      )}
    </section>
  );
}
