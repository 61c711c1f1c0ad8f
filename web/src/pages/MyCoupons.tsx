import { useEffect, useState } from "preact/hooks";
import { api, type Coupon } from "../api/client";
import type { components } from "../api/schema";
import { naira } from "../money";
import { Notice } from "../ui";

type User = components["schemas"]["User"];
type Usage = { code: string; kitchen: { id: string; slug: string }; order_id: string; discount: number; at: string };

const TIERS: Record<string, string> = {
  new: "New customer",
  standard: "Customer",
  regular: "Regular",
  vip: "VIP",
};

/** The signed-in customer's side of coupons: their tier and what earned it, the coupons they
 * can use now (the home kitchen's; each kitchen's show at its checkout) and what they saved. */
export function MyCoupons({ user }: { user: User }) {
  const [usable, setUsable] = useState<Coupon[] | null>(null);
  const [used, setUsed] = useState<Usage[] | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    Promise.all([api.GET("/api/coupons/"), api.GET("/api/coupons/usage/")])
      .then(([u, h]) => {
        setUsable(u.data?.items ?? []);
        setUsed((h.data?.items as Usage[] | undefined) ?? []);
        setFailed(!u.data || !h.data);
      })
      .catch(() => setFailed(true));
  }, []);
  const stats = user.stats;
  const completed = stats?.completed_orders ?? 0;
  return (
    <section aria-labelledby="coupons-title">
      <h2 id="coupons-title">Your coupons</h2>
      {user.tier && (
        <p data-testid="tier">
          <strong>{TIERS[user.tier] ?? user.tier}</strong>
          {completed > 0 && ` · ${completed} completed order${completed === 1 ? "" : "s"}, ${naira(stats?.total_spent ?? 0)} in all`}
        </p>
      )}
      {failed && <Notice tone="error">Your coupons could not be loaded. Check your connection and try again.</Notice>}
      {usable && usable.length === 0 && <p>No coupons for you right now.</p>}
      {usable && usable.length > 0 && (
        <ul class="lines" aria-label="Coupons you can use">
          {usable.map((c) => (
            <li key={c.id} class="line">
              <span>
                <strong>{c.code}</strong> {c.description ?? ""}
              </span>
              <span class="limit">{c.ends_at ? `Until ${new Date(c.ends_at).toLocaleDateString("en-NG")}` : "Enter it at checkout"}</span>
            </li>
          ))}
        </ul>
      )}
      {used && used.length > 0 && (
        <>
          <h3>Used</h3>
          <ul class="lines" aria-label="Coupons you have used">
            {used.map((u) => (
              <li key={u.order_id} class="line">
                <a href={`#/orders/${u.order_id}`}>{u.code}</a>
                <span class="discount">saved {naira(u.discount)}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
