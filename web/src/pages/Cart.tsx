import { useEffect, useState } from "preact/hooks";
import { api, messageOf, type Cart as CartView, type Kitchen } from "../api/client";
import { guestKitchens, guestLines, guestSet, returnAfterSignIn } from "../guest";
import { cartAt, handover, HOME, opensAgain, publicKitchen } from "../kitchens";
import { naira } from "../money";
import { go } from "../route";
import { forgetPrices, Notice, seenPrices } from "../ui";
import { CheckoutCoupon, type CouponState } from "./CheckoutCoupon";

const UNREACHABLE = "The kitchen cannot be reached. Check your connection and try again.";
/** The last number a rider was given, offered again at the next checkout. */
const CONTACT = "chuks.contact-phone";

type Line = CartView["items"][number];
type PayBy = "card" | "wallet";

/** Whether a line can be ordered as it is: on sale, not sold out, with a price. */
const orderable = (line: Line) => line.available && !line.sold_out && line.unit_price !== null;

/** The server-side cart at a kitchen (`slug`; none: the home kitchen's) at current prices, and
 * one checkout: pickup or delivery (the saved address filled in), a number for the rider, the
 * subtotal, delivery fee and total, and one "Pay" that places the order and opens Paystack (or
 * pays from the wallet when it holds enough). "Place order, pay later" leaves paying for the
 * order's page. */
export function Cart({ slug }: { slug?: string }) {
  const at = cartAt(slug);
  const [kitchen, setKitchen] = useState<Kitchen | null>(null);
  const [cart, setCart] = useState<CartView | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [fulfilment, setFulfilment] = useState<"pickup" | "delivery">("pickup");
  const [address, setAddress] = useState("");
  const [phone, setPhone] = useState(() => localStorage.getItem(CONTACT) ?? "");
  const [busy, setBusy] = useState<null | "placing" | "paying">(null);
  const [coupon, setCoupon] = useState<CouponState>({ state: "none" });
  const [balance, setBalance] = useState<number | null>(null);
  const [payBy, setPayBy] = useState<PayBy>("card");

  /** Reads the cart; what went wrong before stays said until the next change. */
  const load = async () => {
    try {
      const { data, error } = await at.get();
      if (data) setCart(data.cart);
      else setProblem(messageOf(error, "Your cart could not be loaded."));
    } catch {
      setProblem(UNREACHABLE);
    }
  };
  useEffect(() => {
    load();
    publicKitchen(slug ?? HOME)
      .then((k) => {
        setKitchen(k);
        if (k && !k.pickup.enabled) setFulfilment("delivery");
      })
      .catch(() => setKitchen(null));
    // The saved address and phone fill the form in; a failure only leaves them blank.
    api
      .GET("/api/auths/me/")
      .then(({ data }) => {
        if (!data) return;
        if (data.user.address) setAddress((now) => now || data.user.address || "");
        if (data.user.phone) setPhone((now) => now || data.user.phone || "");
      })
      .catch(() => undefined);
    api
      .GET("/api/wallet/")
      .then(({ data }) => setBalance(data?.wallet.balance ?? null))
      .catch(() => setBalance(null));
  }, [slug]);

  const setQuantity = async (id: string, quantity: number) => {
    setProblem(null);
    try {
      const { data, error } = quantity > 0 ? await at.put(id, quantity) : await at.remove(id);
      if (data) setCart(data.cart);
      else setProblem(messageOf(error, "The cart could not be changed."));
    } catch {
      setProblem(UNREACHABLE);
    }
  };

  const seen = seenPrices();
  if (!cart)
    return problem ? (
      <Notice tone="error">
        {problem}{" "}
        <button
          type="button"
          class="link"
          onClick={() => {
            setProblem(null);
            load();
          }}
        >
          Try again
        </button>
      </Notice>
    ) : (
      <Notice tone="info">Loading your cart…</Notice>
    );
  const blocked = cart.items.filter((l) => !orderable(l));
  const discount = coupon.state === "applied" ? coupon.discount : 0;
  const fee = fulfilment === "delivery" && kitchen ? kitchen.delivery.fee : 0;
  const total = cart.total - discount + fee;
  const walletCovers = balance !== null && balance >= total;
  const paying: PayBy = payBy === "wallet" && walletCovers ? "wallet" : "card";
  const cannot = busy !== null || blocked.length > 0 || coupon.state === "checking" || coupon.state === "refused";

  /** Places the order; then pays for it as chosen, or (`later`) leaves that to its page. */
  const place = async (later: boolean) => {
    setProblem(null);
    setBusy("placing");
    const base = fulfilment === "delivery" ? { fulfilment, delivery_address: address.trim() } : { fulfilment };
    const contact = phone.trim() ? { contact_phone: phone.trim() } : {};
    const body = coupon.state === "applied" ? { ...base, ...contact, coupon_code: coupon.code } : { ...base, ...contact };
    const placed = await at.checkout(body).catch(() => null);
    if (!placed?.data) {
      setBusy(null);
      setProblem(placed ? messageOf(placed.error, "The order could not be placed.") : UNREACHABLE);
      if (placed) load();
      return;
    }
    forgetPrices();
    if (phone.trim()) localStorage.setItem(CONTACT, phone.trim());
    const order = placed.data.order;
    if (later) return go(`/orders/${order.id}`);
    setBusy("paying");
    if (paying === "wallet") {
      await api.POST("/api/orders/{id}/pay/wallet/", { params: { path: { id: order.id } } }).catch(() => null);
      // Paid or not, the order's page says where it stands (and offers paying again).
      return go(`/orders/${order.id}`);
    }
    const callback = `${location.pathname}#/orders/${order.id}/paid`;
    const started = await api
      .POST("/api/orders/{id}/pay/", { params: { path: { id: order.id } }, body: { callback_url: callback } })
      .catch(() => null);
    if (started?.data) return location.assign(started.data.payment.authorization_url);
    go(`/orders/${order.id}`);
  };

  return (
    <section aria-labelledby="cart-title">
      <h1 id="cart-title">{kitchen && slug ? `Your cart at ${kitchen.name}` : "Your cart"}</h1>
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
        {cart.items.map((line) => {
          const ok = orderable(line);
          const min = line.min_quantity ?? 1;
          const max = line.max_quantity ?? 50;
          return (
            <li key={line.food_item_id} class={ok ? "line" : "line blocked"} data-food-id={line.food_item_id}>
              <div>
                <h3>{line.name}</h3>
                <p>
                  {line.unit_price === null ? "No longer on the menu" : `${naira(line.unit_price)} each`}
                  {line.unit_price !== null && !line.available && <span class="badge">No longer available</span>}
                  {line.available && line.sold_out && <span class="badge">Sold out</span>}
                  {ok && seen[line.food_item_id] !== undefined && seen[line.food_item_id] !== line.unit_price && line.unit_price !== null && (
                    <span class="changed">
                      Price {line.unit_price > seen[line.food_item_id] ? "up" : "down"} from {naira(seen[line.food_item_id])}
                    </span>
                  )}
                </p>
              </div>
              {ok && (line.quantity < min || line.quantity > max) && (
                <p class="limit" role="alert">
                  Order {min === max ? `exactly ${min}` : `${min} to ${max}`} of this dish
                </p>
              )}
              {ok ? (
                <div class="qty" role="group" aria-label={`Quantity of ${line.name}`}>
                  <button
                    type="button"
                    aria-label={`One less ${line.name}`}
                    disabled={line.quantity <= min}
                    onClick={() => setQuantity(line.food_item_id, Math.min(line.quantity - 1, max))}
                  >
                    −
                  </button>
                  <output aria-live="polite">{line.quantity}</output>
                  <button
                    type="button"
                    aria-label={`One more ${line.name}`}
                    disabled={line.quantity >= max}
                    onClick={() => setQuantity(line.food_item_id, Math.max(line.quantity + 1, min))}
                  >
                    +
                  </button>
                </div>
              ) : (
                <span class="qty-note">{line.quantity} in your cart</span>
              )}
              {ok && line.line_total !== null ? <strong class="line-total">{naira(line.line_total)}</strong> : <span class="line-total" />}
              <button type="button" class="link remove" onClick={() => setQuantity(line.food_item_id, 0)}>
                Remove<span class="visually-hidden"> {line.name}</span>
              </button>
            </li>
          );
        })}
      </ul>
      {cart.items.length > 0 && (
        <form
          class="checkout"
          onSubmit={(e) => {
            e.preventDefault();
            place(false);
          }}
        >
          {blocked.length > 0 && (
            <Notice tone="error">
              {blocked.map((l) => l.name).join(", ")} cannot be ordered now. Remove{" "}
              {blocked.length === 1 ? "it" : "them"} to check out.
            </Notice>
          )}
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
              <textarea name="delivery_address" autoComplete="street-address" required rows={2} value={address} onInput={(e) => setAddress(e.currentTarget.value)} />
            </label>
          )}
          <label>
            Phone number {fulfilment === "delivery" ? "for the rider" : "the kitchen can call"}
            <input type="tel" name="contact_phone" autoComplete="tel" inputMode="tel" placeholder="0803 123 4567" value={phone} onInput={(e) => setPhone(e.currentTarget.value)} />
          </label>
          <CheckoutCoupon slug={slug} cartKey={cart.items.map((l) => `${l.food_item_id}:${l.quantity}`).join(",")} onChange={setCoupon} />
          <div class="totals">
            <p class="total sub">
              Subtotal <span data-testid="cart-total">{naira(cart.total)}</span>
            </p>
            {discount > 0 && coupon.state === "applied" && (
              <p class="total sub" data-testid="discount">
                Coupon {coupon.code} <span>−{naira(discount)}</span>
              </p>
            )}
            {fulfilment === "delivery" && (
              <p class="total sub">
                Delivery <span data-testid="delivery-fee">{kitchen ? (fee > 0 ? naira(fee) : "Free") : "As the kitchen charges"}</span>
              </p>
            )}
            <p class="total">
              Total <strong data-testid="checkout-total">{naira(total)}</strong>
            </p>
          </div>
          {walletCovers && (
            <fieldset>
              <legend>Pay with</legend>
              <label class="choice">
                <input type="radio" name="pay_by" checked={paying === "card"} onChange={() => setPayBy("card")} /> Card or bank (Paystack)
              </label>
              <label class="choice">
                <input type="radio" name="pay_by" checked={paying === "wallet"} onChange={() => setPayBy("wallet")} /> Wallet ({naira(balance ?? 0)})
              </label>
            </fieldset>
          )}
          {problem && <Notice tone="error">{problem}</Notice>}
          <button class="primary" disabled={cannot}>
            {busy === "placing" ? "Placing your order…" : busy === "paying" ? (paying === "wallet" ? "Paying…" : "Opening Paystack…") : paying === "wallet" ? `Pay ${naira(total)} from wallet` : `Pay ${naira(total)} with Paystack`}
          </button>
          <button type="button" class="link later" disabled={cannot} onClick={() => place(true)}>
            Place order, pay later
          </button>
        </form>
      )}
    </section>
  );
}

/** A visitor's cart before signing in: the lines kept on this device at the prices they saw,
 * changed as any cart, and one step to sign in (by a code, no password needed), after which
 * the lines join the account's cart here and checkout follows. */
export function GuestCart({ slug }: { slug?: string }) {
  const kitchens = slug ? [slug] : guestKitchens();
  const [, redraw] = useState(0);
  const set = (at: string, id: string, quantity: number) => {
    guestSet(at, id, quantity);
    redraw((n) => n + 1);
  };
  const carts = kitchens.map((at) => ({ at, lines: guestLines(at) })).filter((c) => c.lines.length > 0);
  const portions = carts.reduce((n, c) => n + c.lines.reduce((m, l) => m + l.quantity, 0), 0);
  const signIn = (to: "login/code" | "signup") => {
    returnAfterSignIn(carts.length === 1 ? `/k/${carts[0].at}/cart` : "/cart");
    go(`/${to}`);
  };
  return (
    <section aria-labelledby="cart-title">
      <h1 id="cart-title">Your cart</h1>
      {carts.length === 0 && (
        <Notice tone="info">
          Your cart is empty. <a href={slug ? `#/k/${slug}` : "#/"}>Browse the menu</a>
        </Notice>
      )}
      {carts.map(({ at, lines }) => (
        <section key={at} aria-label={`Cart at ${at}`}>
          <ul class="lines">
            {lines.map((line) => (
              <li key={line.food_item_id} class="line" data-food-id={line.food_item_id}>
                <div>
                  <h3>{line.name}</h3>
                  <p>{naira(line.price)} each</p>
                </div>
                <div class="qty" role="group" aria-label={`Quantity of ${line.name}`}>
                  <button type="button" aria-label={`One less ${line.name}`} disabled={line.quantity <= line.min_quantity} onClick={() => set(at, line.food_item_id, line.quantity - 1)}>
                    −
                  </button>
                  <output aria-live="polite">{line.quantity}</output>
                  <button type="button" aria-label={`One more ${line.name}`} disabled={line.quantity >= line.max_quantity} onClick={() => set(at, line.food_item_id, line.quantity + 1)}>
                    +
                  </button>
                </div>
                <strong class="line-total">{naira(line.price * line.quantity)}</strong>
                <button type="button" class="link remove" onClick={() => set(at, line.food_item_id, 0)}>
                  Remove<span class="visually-hidden"> {line.name}</span>
                </button>
              </li>
            ))}
          </ul>
          <p class="total">
            Subtotal <strong data-testid="cart-total">{naira(lines.reduce((sum, l) => sum + l.price * l.quantity, 0))}</strong>
          </p>
        </section>
      ))}
      {portions > 0 && (
        <div class="checkout">
          <p>Sign in to order: your cart comes with you. No password needed: we can send you a code.</p>
          <button type="button" class="primary" onClick={() => signIn("login/code")}>
            Sign in to order
          </button>
          <button type="button" class="link later" onClick={() => signIn("signup")}>
            New here? Create an account
          </button>
        </div>
      )}
    </section>
  );
}
