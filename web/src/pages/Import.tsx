import { useState } from "preact/hooks";
import { api, codeOf, messageOf } from "../api/client";
import { Notice } from "../ui";
import sampleCsv from "../../../docs/menu-import/sample-menu.csv?url";
import sampleXlsx from "../../../docs/menu-import/sample-menu.xlsx?url";

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const MAX_BYTES = 1024 * 1024;

type Outcome =
  | { tone: "ok"; text: string }
  | { tone: "error"; text: string; rows: [string, string][] };

/** The media type a file is sent as, from its name (browsers often leave `File.type` empty for CSV). */
function mediaType(file: File): string | null {
  const name = file.name.toLowerCase();
  if (name.endsWith(".csv")) return "text/csv";
  if (name.endsWith(".xlsx")) return XLSX;
  return null;
}

/** Rows as a spreadsheet numbers them: "header" first, then row 2, 3, ... 10 (not 10 before 2). */
function byRow(a: [string, string], b: [string, string]): number {
  const n = (key: string) => (key === "header" ? 0 : Number(key.replace(/\D/g, "")) || 1e9);
  return n(a[0]) - n(b[0]);
}

/** A menu from a spreadsheet: pick a CSV or XLSX file, see every bad row in a table, fix the
 * file and import it again. Nothing is written while any row is wrong. */
export function ImportMenu({ slug }: { slug?: string }) {
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const send = async (e: Event) => {
    e.preventDefault();
    if (!file) return setOutcome({ tone: "error", text: "Choose a CSV or XLSX file first.", rows: [] });
    const type = mediaType(file);
    if (!type) return setOutcome({ tone: "error", text: "Choose a .csv or .xlsx file (save the spreadsheet in one of those).", rows: [] });
    if (file.size > MAX_BYTES) return setOutcome({ tone: "error", text: "The file is over 1 MB: split it into smaller files.", rows: [] });
    setBusy(true);
    setOutcome(null);
    try {
      const options = { body: file as never, bodySerializer: (b: unknown) => b as BodyInit, headers: { "Content-Type": type } };
      const { data, error, response } = slug
        ? await api.POST("/api/kitchens/{slug}/manage/foods/import/", { params: { path: { slug } }, ...options })
        : await api.POST("/api/foods/admin/import/", options);
      if (data) {
        const parts = [`${data.created} ${data.created === 1 ? "dish" : "dishes"} added`, `${data.updated} updated`];
        if (data.categories_created) parts.push(`${data.categories_created} new ${data.categories_created === 1 ? "category" : "categories"}`);
        setOutcome({ tone: "ok", text: `Imported: ${parts.join(", ")}.` });
      } else if (response.status === 413) {
        setOutcome({ tone: "error", text: "The file is over 1 MB: split it into smaller files.", rows: [] });
      } else {
        const fields = (error as { error?: { fields?: Record<string, string> } } | undefined)?.error?.fields ?? {};
        const rows = Object.entries(fields).sort(byRow);
        const text =
          codeOf(error) === "not_kitchen_staff" ? "Only the kitchen's owner and managers change its menu." : messageOf(error, "The file could not be imported.");
        setOutcome({ tone: "error", text, rows });
      }
    } catch {
      setOutcome({ tone: "error", text: "The kitchen cannot be reached. Check your connection and try again.", rows: [] });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="import-title">
      <h1 id="import-title">Import dishes from a spreadsheet</h1>
      <p>
        One dish per row, with a header row: <code>name</code>, <code>category</code> and <code>price</code> (in naira) are needed; <code>description</code>,{" "}
        <code>available</code> (yes/no), <code>stock</code>, <code>low_stock_threshold</code>, <code>tags</code> and <code>featured</code> (yes/no) may be left out. A
        dish with the same name is updated; new categories are made. Start from the sample:{" "}
        <a href={sampleCsv} download="sample-menu.csv">
          CSV
        </a>{" "}
        or{" "}
        <a href={sampleXlsx} download="sample-menu.xlsx">
          Excel
        </a>
        .
      </p>
      <form class="narrow" onSubmit={send}>
        <label>
          Spreadsheet (.csv or .xlsx)
          <input
            type="file"
            accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            onChange={(e) => {
              setFile(e.currentTarget.files?.[0] ?? null);
              setOutcome(null);
            }}
          />
        </label>
        <button class="primary" disabled={busy}>
          {busy ? "Importing…" : "Import"}
        </button>
      </form>
      {outcome && <Notice tone={outcome.tone}>{outcome.text}</Notice>}
      {outcome?.tone === "error" && outcome.rows.length > 0 && (
        <table class="row-errors">
          <caption>Fix these rows, then import the file again. Nothing was imported.</caption>
          <thead>
            <tr>
              <th scope="col">Row</th>
              <th scope="col">What is wrong</th>
            </tr>
          </thead>
          <tbody>
            {outcome.rows.map(([row, problem]) => (
              <tr key={row}>
                <th scope="row">{row.replace(/^row /, "")}</th>
                <td>{problem}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p>
        <a href={slug ? `#/manage/${slug}/menu` : "#/kitchen/stock"}>Back to the menu and stock</a>
      </p>
    </section>
  );
}
