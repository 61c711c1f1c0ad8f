// Sales reports for a kitchen's owner and managers (and the platform's, across kitchens, for the
// platform admin): a chart of daily gross and orders, the totals, top dishes, the split by
// payment method, a date range, and the days as CSV. The figures are the API's, kept from the
// change stream; nothing here adds them up.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { api, codeOf, detailOf, messageOf } from "../api/client";
import type { components } from "../api/schema";
import { naira } from "../money";
import { Notice } from "../ui";

type Report = components["schemas"]["SalesReport"];
type PlatformReport = components["schemas"]["PlatformSalesReport"];
type Day = Report["days"][number];
type Range = { from?: string; to?: string };

const UNREACHABLE = "The platform cannot be reached. Check your connection and try again.";
const PRESETS = [7, 30, 90];

/** `date` (YYYY-MM-DD) moved by `days`. */
function shifted(date: string, days: number): string {
  const at = new Date(`${date}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
}

/** A date as people here write it: "3 Dec". */
function dayLabel(date: string): string {
  return new Date(`${date}T00:00:00Z`).toLocaleDateString("en-NG", { day: "numeric", month: "short", timeZone: "UTC" });
}

/** Naira on an axis: short ("₦12k") so it fits beside a phone's chart. */
function shortNaira(n: number): string {
  if (n >= 1_000_000) return `₦${(n / 1_000_000).toFixed(n % 1_000_000 ? 1 : 0)}m`;
  if (n >= 1_000) return `₦${(n / 1_000).toFixed(n % 1_000 ? 1 : 0)}k`;
  return `₦${n}`;
}

/** Daily gross (bars, naira) and orders (a line, on its own scale), as wide as the screen. */
function DailyChart({ days }: { days: Day[] }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const size = () => ({ width: Math.max(260, element.clientWidth), height: 240 });
    const plot = new uPlot(
      {
        ...size(),
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
        cursor: { drag: { x: false, y: false } },
        // Half a day either side, so the first and last days' bars show whole.
        scales: {
          x: { time: true, range: (_u, min, max) => [min - 43_200, max + 43_200] },
          orders: { range: (_u, _min, max) => [0, Math.max(1, max)] },
        },
        series: [
          { label: "Day", value: (_u, ts) => (ts == null ? "" : dayLabel(new Date(ts * 1000).toISOString().slice(0, 10))) },
          {
            label: "Gross",
            stroke: "#9c3a12",
            fill: "rgba(156, 58, 18, 0.35)",
            paths: uPlot.paths.bars!({ size: [0.7, 40] }),
            points: { show: false },
            value: (_u, v) => (v == null ? "–" : naira(Math.round(v * 100))),
          },
          { label: "Orders", stroke: "#1d4ed8", width: 2, scale: "orders", value: (_u, v) => (v == null ? "–" : String(v)) },
        ],
        axes: [
          {
            stroke: "#5c524c",
            grid: { stroke: "#eee2d9" },
            values: (_u, ticks) => ticks.map((ts) => dayLabel(new Date(ts * 1000).toISOString().slice(0, 10))),
          },
          { stroke: "#5c524c", grid: { stroke: "#eee2d9" }, size: 56, values: (_u, ticks) => ticks.map(shortNaira) },
          { scale: "orders", side: 1, stroke: "#1d4ed8", grid: { show: false }, size: 36, values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? String(t) : "")) },
        ],
      },
      [days.map((d) => Date.parse(`${d.date}T12:00:00Z`) / 1000), days.map((d) => d.gross / 100), days.map((d) => d.orders)],
      element,
    );
    const resized = new ResizeObserver(() => plot.setSize(size()));
    resized.observe(element);
    return () => {
      resized.disconnect();
      plot.destroy();
    };
  }, [days]);
  const busiest = days.reduce<Day | null>((best, d) => (!best || d.gross > best.gross ? d : best), null);
  const said =
    busiest && busiest.gross > 0
      ? `Daily gross and orders; the best day was ${dayLabel(busiest.date)} with ${naira(busiest.gross)} from ${busiest.orders} orders.`
      : "Daily gross and orders: no sales in this range.";
  return <div ref={box} class="chart" role="img" aria-label={said} data-testid="sales-chart" />;
}

/** The range form: two dates and the usual spans, ending on the report's last day. */
function RangePicker({ report, busy, onPick }: { report: Report; busy: boolean; onPick: (range: Range) => void }) {
  const [from, setFrom] = useState(report.from);
  const [to, setTo] = useState(report.to);
  useEffect(() => {
    setFrom(report.from);
    setTo(report.to);
  }, [report.from, report.to]);
  return (
    <form
      class="range"
      onSubmit={(e) => {
        e.preventDefault();
        onPick({ from, to });
      }}
    >
      <label>
        From <input type="date" name="from" value={from} required onInput={(e) => setFrom(e.currentTarget.value)} />
      </label>
      <label>
        To <input type="date" name="to" value={to} required onInput={(e) => setTo(e.currentTarget.value)} />
      </label>
      <button type="submit" class="secondary" disabled={busy}>
        Show
      </button>
      <div class="chips" role="group" aria-label="Quick ranges">
        {PRESETS.map((n) => (
          <button type="button" key={n} disabled={busy} onClick={() => onPick({ from: shifted(report.to, 1 - n), to: report.to })}>
            Last {n} days
          </button>
        ))}
      </div>
    </form>
  );
}

/** A report's figures: totals, the chart, the days, top dishes and how customers paid. */
function Figures({ report }: { report: Report }) {
  const t = report.totals;
  const methods = Object.entries(report.by_payment_method) as [string, number][];
  const paidAll = methods.reduce((sum, [, amount]) => sum + amount, 0);
  return (
    <>
      <dl class="totals" aria-label="Totals">
        <div>
          <dt>Gross</dt>
          <dd data-testid="total-gross">{naira(t.gross)}</dd>
        </div>
        <div>
          <dt>Orders</dt>
          <dd data-testid="total-orders">{t.orders}</dd>
        </div>
        <div>
          <dt>Paid</dt>
          <dd>{naira(t.paid)}</dd>
        </div>
        <div>
          <dt>Average order</dt>
          <dd>{naira(t.average_order_value)}</dd>
        </div>
        <div>
          <dt>Completed</dt>
          <dd>{t.completed}</dd>
        </div>
        <div>
          <dt>Cancelled</dt>
          <dd>{t.cancelled}</dd>
        </div>
      </dl>
      <DailyChart days={report.days} />
      <details class="details">
        <summary>Each day</summary>
        <Table
          heads={["Day", "Orders", "Gross", "Paid"]}
          rows={report.days
            .filter((d) => d.orders > 0)
            .map((d) => ({ key: d.date, date: d.date, cells: [dayLabel(d.date), d.orders, naira(d.gross), naira(d.paid)] }))}
        />
      </details>
      <h2>Top dishes</h2>
      {report.top_dishes.length === 0 ? (
        <p class="quiet">No completed orders in this range yet.</p>
      ) : (
        <Table
          label="Top dishes"
          heads={["Dish", "Sold", "Revenue"]}
          rows={report.top_dishes.map((d) => ({ key: d.food_item_id, cells: [d.name, d.quantity, naira(d.revenue)] }))}
        />
      )}
      <h2>How customers paid</h2>
      <ul class="split" aria-label="By payment method">
        {methods.map(([method, amount]) => (
          <li key={method} data-method={method}>
            <span>{method === "paystack" ? "Card and transfer (Paystack)" : method === "cash" ? "Cash at the counter" : "Wallet"}</span>
            <strong>{naira(amount)}</strong>
            <span class="bar-track" aria-hidden="true">
              <span class="bar-fill" style={{ width: `${paidAll ? Math.round((amount / paidAll) * 100) : 0}%` }} />
            </span>
          </li>
        ))}
      </ul>
    </>
  );
}

/** A table of figures: its column heads, and a row of cells each (`date` marks a day's row). */
function Table({ label, heads, rows }: { label?: string; heads: string[]; rows: { key: string; date?: string; cells: ComponentChildren[] }[] }) {
  return (
    <table class="figures" aria-label={label}>
      <thead>
        <tr>
          {heads.map((h) => (
            <th scope="col" key={h}>
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key} data-date={r.date}>
            {r.cells.map((c, i) => (
              <td key={i}>{c}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Saves `text` as a file the browser downloads. */
function save(text: string, name: string) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A kitchen's sales (`slug`), or the platform's across kitchens (no slug: the platform admin). */
export function SalesReports({ slug }: { slug?: string }) {
  const [report, setReport] = useState<Report | PlatformReport | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [range, setRange] = useState<Range>({});
  const [tries, setTries] = useState(0);
  const asked = useRef(0);

  const fetchReport = (query: Range & { format?: "csv" }) =>
    slug
      ? api.GET("/api/kitchens/{slug}/manage/reports/sales/", { params: { path: { slug }, query }, parseAs: query.format ? "text" : "json" })
      : api.GET("/api/kitchens/admin/reports/sales/", { params: { query }, parseAs: query.format ? "text" : "json" });

  useEffect(() => {
    const mine = ++asked.current;
    setBusy(true);
    fetchReport(range)
      .then(({ data, error }) => {
        if (mine !== asked.current) return;
        if (data) {
          setReport(data as Report | PlatformReport);
          setProblem(null);
        } else
          setProblem(
            codeOf(error) === "not_kitchen_staff" || codeOf(error) === "forbidden"
              ? "Only the kitchen's owner and managers see its reports."
              : detailOf(error, "The report could not be loaded."),
          );
      })
      .catch(() => mine === asked.current && setProblem(UNREACHABLE))
      .finally(() => mine === asked.current && setBusy(false));
  }, [slug, range.from, range.to, tries]);

  const download = async () => {
    if (!report) return;
    setBusy(true);
    try {
      const { data, error } = await fetchReport({ from: report.from, to: report.to, format: "csv" });
      if (typeof data === "string") save(data, `sales-${slug ?? "platform"}-${report.from}-to-${report.to}.csv`);
      else setProblem(messageOf(error, "The CSV could not be made."));
    } catch {
      setProblem(UNREACHABLE);
    } finally {
      setBusy(false);
    }
  };

  const title = slug ? "Sales" : "Sales across kitchens";
  return (
    <section aria-labelledby="reports-title">
      <h1 id="reports-title">{title}</h1>
      {problem && (
        <Notice tone="error">
          {problem}{" "}
          <button type="button" class="link" onClick={() => setTries((n) => n + 1)}>
            Try again
          </button>
        </Notice>
      )}
      {!report && !problem && <Notice tone="info">Loading the report…</Notice>}
      {report && (
        <>
          <p class="quiet" aria-live="polite">
            {dayLabel(report.from)} to {dayLabel(report.to)} ({report.days.length} days){busy ? " · updating…" : ""}
          </p>
          <RangePicker report={report} busy={busy} onPick={setRange} />
          <button type="button" class="secondary" onClick={download} disabled={busy}>
            Download CSV
          </button>
          <Figures report={report} />
          {"kitchens" in report && (
            <>
              <h2>By kitchen</h2>
              <Table
                label="By kitchen"
                heads={["Kitchen", "Orders", "Gross"]}
                rows={report.kitchens.map((k) => ({
                  key: k.slug,
                  cells: [<a href={`#/manage/${k.slug}/reports`}>{k.slug}</a>, k.totals.orders, naira(k.totals.gross)],
                }))}
              />
            </>
          )}
        </>
      )}
    </section>
  );
}
