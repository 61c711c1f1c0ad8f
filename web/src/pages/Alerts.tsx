import { useEffect, useState } from "preact/hooks";
import { api, messageOf } from "../api/client";
import type { components } from "../api/schema";
import { Notice, when } from "../ui";

type Alert = components["schemas"]["Alert"];

const KIND: Record<Alert["kind"], string> = {
  low_stock: "Low stock",
  sold_out: "Sold out",
  payment_anomaly: "Payment to check",
  refund_failed: "Refund failed",
};

const UNREACHABLE = "Alerts cannot be reached. Check your connection; the board keeps trying.";

/** The kitchen's open alerts above its board: what staff must look at, each resolved with one
 * tap (a restock resolves stock alerts by itself). Read again whenever `tick` changes. */
export function Alerts({ slug, tick }: { slug: string; tick: number }) {
  const [alerts, setAlerts] = useState<Alert[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const load = async () => {
    try {
      const { data, error } = await api.GET("/api/kitchens/{slug}/manage/alerts/", {
        params: { path: { slug }, query: { status: "open", limit: 50 } },
      });
      if (data) {
        setAlerts(data.items);
        setProblem(null);
      } else setProblem(messageOf(error, "Alerts could not be loaded."));
    } catch {
      setProblem(UNREACHABLE);
    }
  };
  useEffect(() => {
    load();
  }, [slug, tick]);

  const resolve = async (alert: Alert) => {
    setBusy(alert.id);
    try {
      const { data, error } = await api.POST("/api/kitchens/{slug}/manage/alerts/{id}/resolve/", {
        params: { path: { slug, id: alert.id } },
      });
      if (data) setAlerts((all) => (all ?? []).filter((a) => a.id !== alert.id));
      else setProblem(messageOf(error, "That alert could not be resolved."));
    } catch {
      setProblem(UNREACHABLE);
    } finally {
      setBusy(null);
    }
  };

  if (!alerts) return problem ? <Notice tone="error">{problem}</Notice> : null;
  return (
    <section class="alerts" aria-labelledby="alerts-title">
      <h2 id="alerts-title">
        Alerts <span class="count">{alerts.length}</span>
      </h2>
      {problem && <Notice tone="error">{problem}</Notice>}
      {alerts.length === 0 ? (
        <p class="empty">Nothing needs you right now.</p>
      ) : (
        <ul class="lines" aria-label="Open alerts">
          {alerts.map((a) => (
            <li key={a.id} class={`line alert ${a.kind}`} data-kind={a.kind}>
              <span class="alert-kind">{KIND[a.kind]}</span>
              <strong>{a.title}</strong>
              <time dateTime={a.created_at}>{when(a.created_at)}</time>
              <button type="button" class="secondary" disabled={busy === a.id} onClick={() => resolve(a)}>
                {busy === a.id ? "Resolving…" : "Resolve"}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
