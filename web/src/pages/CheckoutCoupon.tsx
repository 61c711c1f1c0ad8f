import { useEffect, useRef, useState } from "preact/hooks";
import { api, messageOf, type Coupon } from "../api/client";
import { offer } from "../coupons";
import { naira } from "../money";

/** What the coupon field says about the code typed: nothing typed, being checked, what it takes
 * off the cart, or why it cannot be used. */
export type CouponState =
  | { state: "none" }
  | { state: "checking"; code: string }
  | { state: "applied"; code: string; discount: number }
  | { state: "refused"; code: string; message: string };

/** The coupon field at checkout: the customer's usable coupons as one-tap chips, and a code
 * checked as it is typed against the cart (`cartKey` changes whenever the cart does), so the
 * discount and new total show before paying. */
export function CheckoutCoupon({ slug, cartKey, onChange }: { slug?: string; cartKey: string; onChange: (s: CouponState) => void }) {
  const [code, setCode] = useState("");
  const [state, setState] = useState<CouponState>({ state: "none" });
  const [mine, setMine] = useState<Coupon[]>([]);
  const asked = useRef(0);

  useEffect(() => {
    const list = slug ? api.GET("/api/kitchens/{slug}/coupons/", { params: { path: { slug } } }) : api.GET("/api/coupons/");
    list.then(({ data }) => setMine(data?.items ?? [])).catch(() => setMine([]));
  }, [slug]);

  const settle = (s: CouponState) => {
    setState(s);
    onChange(s);
  };

  useEffect(() => {
    const typed = code.trim().toUpperCase();
    if (typed.length === 0) return settle({ state: "none" });
    settle({ state: "checking", code: typed });
    const ask = ++asked.current;
    const timer = setTimeout(async () => {
      const body = slug ? { code: typed, kitchen: slug } : { code: typed };
      const answer = await api.POST("/api/coupons/validate/", { body }).catch(() => null);
      if (ask !== asked.current) return;
      if (!answer) return settle({ state: "refused", code: typed, message: "The coupon could not be checked. Check your connection and try again." });
      if (answer.data) return settle({ state: "applied", code: typed, discount: answer.data.discount });
      settle({ state: "refused", code: typed, message: messageOf(answer.error, "This coupon cannot be used.") });
    }, 350);
    return () => clearTimeout(timer);
  }, [code, cartKey, slug]);

  return (
    <div class="coupon-field">
      {mine.length > 0 && (
        <div class="chips" role="group" aria-label="Your coupons">
          {mine.map((c) => (
            <button type="button" key={c.id} aria-pressed={state.state !== "none" && state.code === c.code} onClick={() => setCode(c.code)}>
              <strong>{c.code}</strong> · {offer(c)}
            </button>
          ))}
        </div>
      )}
      <label>
        Coupon code
        <input
          name="coupon_code"
          autoComplete="off"
          autoCapitalize="characters"
          spellcheck={false}
          maxLength={32}
          value={code}
          onInput={(e) => setCode(e.currentTarget.value)}
          aria-describedby="coupon-note"
        />
      </label>
      <p id="coupon-note" class="coupon-note" aria-live="polite">
        {state.state === "checking" && "Checking the code…"}
        {state.state === "applied" && (
          <span class="ok" role="status">
            {state.code} takes {naira(state.discount)} off
          </span>
        )}
        {state.state === "refused" && (
          <span class="bad" role="alert">
            {state.message}{" "}
            <button type="button" class="link" onClick={() => setCode("")}>
              Remove code
            </button>
          </span>
        )}
      </p>
    </div>
  );
}
