import { useEffect, useState } from "preact/hooks";
import { api, messageOf } from "../api/client";
import type { components } from "../api/schema";
import { kobo, naira } from "../money";
import { Notice, when } from "../ui";

type Entry = components["schemas"]["WalletEntry"];

const UNREACHABLE = "Your wallet cannot be reached. Check your connection and try again.";
const KINDS: Record<Entry["kind"], string> = {
  deposit: "Top-up",
  payment: "Order payment",
  refund: "Refund",
  adjustment: "Adjustment",
};
const PRESETS = [100_000, 500_000, 1_000_000];

/** The reference Paystack sends the customer back with (`?reference=` after the hash). */
function returnedReference(): string | null {
  const query = location.hash.split("?")[1] ?? "";
  return new URLSearchParams(query).get("reference");
}

/** The customer's wallet: the balance in naira, a top-up through Paystack (checked with Paystack
 * on the way back, so it shows at once), and the history with the balance after each entry. */
export function WalletPage({ back }: { back: boolean }) {
  const [balance, setBalance] = useState<number | null>(null);
  const [history, setHistory] = useState<Entry[] | null>(null);
  const [note, setNote] = useState<{ tone: "ok" | "error" | "info"; text: string } | null>(null);
  const [amount, setAmount] = useState("");
  const [busy, setBusy] = useState(false);

  const load = async () => {
    try {
      const reference = back ? returnedReference() : null;
      // Back from Paystack: the deposit is checked (and credited) before the history is read.
      const history = () => api.GET("/api/wallet/transactions/", { params: { query: { limit: 50 } } });
      const [wallet, entries] = reference
        ? [await api.POST("/api/wallet/deposit/verify/", { body: { reference } }), await history()]
        : await Promise.all([api.GET("/api/wallet/"), history()]);
      if (wallet.data) setBalance(wallet.data.wallet.balance);
      else setNote({ tone: "error", text: messageOf(wallet.error, "Your wallet could not be loaded.") });
      if (entries.data) setHistory(entries.data.items);
      if (reference && wallet.data) {
        const credited = entries.data?.items.some((e) => e.reference === reference);
        setNote(
          credited
            ? { tone: "ok", text: "Top-up received. It is in your wallet." }
            : { tone: "info", text: "Paystack has not confirmed the top-up yet; it shows here once it does." },
        );
      }
    } catch {
      setNote({ tone: "error", text: UNREACHABLE });
    }
  };
  useEffect(() => {
    load();
  }, [back]);

  const topUp = async (naira_: string) => {
    const k = kobo(naira_);
    if (!k || k < 10_000 || k > 100_000_000) return setNote({ tone: "error", text: "Top up from ₦100 to ₦1,000,000." });
    setBusy(true);
    setNote(null);
    // A path of this app: the API makes it absolute on the app's own origin (APP_URL).
    const callback = `${location.pathname}#/wallet/topped-up`;
    const started = await api.POST("/api/wallet/deposit/", { body: { amount: k, callback_url: callback } }).catch(() => null);
    if (started?.data) return location.assign(started.data.payment.authorization_url);
    setBusy(false);
    setNote({ tone: "error", text: started ? messageOf(started.error, "The top-up could not be started.") : UNREACHABLE });
  };

  return (
    <section aria-labelledby="wallet-title" class="narrow">
      <h1 id="wallet-title">Your wallet</h1>
      {note && <Notice tone={note.tone}>{note.text}</Notice>}
      {balance === null && !note && <Notice tone="info">Loading your wallet…</Notice>}
      {balance !== null && (
        <p class="balance">
          Balance <strong data-testid="wallet-balance">{naira(balance)}</strong>
        </p>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          topUp(amount);
        }}
      >
        <div class="chips" role="group" aria-label="Top up by">
          {PRESETS.map((p) => (
            <button type="button" key={p} aria-pressed={kobo(amount) === p} onClick={() => setAmount(String(p / 100))}>
              {naira(p)}
            </button>
          ))}
        </div>
        <label>
          Amount to add (₦)
          <input name="amount" inputMode="decimal" value={amount} onInput={(e) => setAmount(e.currentTarget.value)} />
        </label>
        <button class="primary" disabled={busy || !amount}>
          {busy ? "Opening Paystack…" : amount && kobo(amount) ? `Top up ${naira(kobo(amount) ?? 0)} with Paystack` : "Top up with Paystack"}
        </button>
      </form>
      <h2>History</h2>
      {history && history.length === 0 && <p>Nothing yet. Top up, then pay for orders in one tap.</p>}
      {history && history.length > 0 && (
        <ul class="lines" aria-label="Wallet history">
          {history.map((e) => (
            <li key={e.id} class="line entry" data-kind={e.kind}>
              <span>
                <strong>{KINDS[e.kind]}</strong>
                {e.order_id && (
                  <>
                    {" "}
                    <a href={`#/orders/${e.order_id}`}>order</a>
                  </>
                )}
                {e.note && <span class="gist"> {e.note}</span>}
                <br />
                <time dateTime={e.at}>{when(e.at)}</time>
              </span>
              <span class="amounts">
                <strong class={e.amount < 0 ? "out" : "in"}>
                  {e.amount < 0 ? "−" : "+"}
                  {naira(Math.abs(e.amount))}
                </strong>
                <span class="limit">Balance {naira(e.balance_after)}</span>
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Paying an open order from the wallet: one tap when the balance covers it, else what is
 * missing and where to top up. */
export function PayFromWallet({ orderId, total, onPaid }: { orderId: string; total: number; onPaid: (order: components["schemas"]["Order"]) => void }) {
  const [balance, setBalance] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    api
      .GET("/api/wallet/")
      .then(({ data }) => setBalance(data?.wallet.balance ?? null))
      .catch(() => setBalance(null));
  }, [orderId]);
  if (balance === null) return null;
  if (balance < total)
    return (
      <p class="wallet-short" data-testid="wallet-short">
        Your wallet has {naira(balance)}: <a href="#/wallet">top up {naira(total - balance)} more</a> to pay from it.
      </p>
    );
  return (
    <>
      {problem && <Notice tone="error">{problem}</Notice>}
      <button
        class="primary"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setProblem(null);
          const paid = await api.POST("/api/orders/{id}/pay/wallet/", { params: { path: { id: orderId } } }).catch(() => null);
          setBusy(false);
          if (paid?.data) return onPaid(paid.data.order);
          setProblem(paid ? messageOf(paid.error, "The payment did not go through.") : UNREACHABLE);
        }}
      >
        {busy ? "Paying…" : `Pay ${naira(total)} from wallet`}
      </button>
      <p class="limit">Wallet balance {naira(balance)}</p>
    </>
  );
}
