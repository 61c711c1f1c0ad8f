import { useState } from "preact/hooks";
import { api, codeOf, messageOf, said } from "../api/client";
import { session, type User } from "../session";
import { arrive } from "../guest";
import { Notice } from "../ui";

/** What a screen says when the API cannot be reached at all. */
const UNREACHABLE = "The kitchen cannot be reached. Check your connection and try again.";

/** Signs in; `null` when signed in, else what went wrong (`code`: the API's error code). */
async function logIn(identifier: string, password: string): Promise<{ message: string; code?: string } | null> {
  try {
    const { data, error, response } = await api.POST("/api/auths/login/", { body: { identifier, password } });
    if (!data) return { message: said({ error, response }, "Could not sign in. Try again."), code: codeOf(error) };
    session.set({ access: data.access, refresh: data.refresh, user: data.user as unknown as User });
    return null;
  } catch {
    return { message: UNREACHABLE };
  }
}

/** The 6-digit code screen. With `password`: the signup code, which verifies the account, then
 * the password signs in. Without: a sign-in code, which signs in by itself. */
function EnterCode({ identifier, password, sentBy }: { identifier: string; password?: string; sentBy: string }) {
  const [code, setCode] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** Wrong codes typed since the last one was sent (the tries left are said). */
  const [wrong, setWrong] = useState(0);
  const refused = (result: { error?: unknown; response?: Response }) => {
    const misses = codeOf(result.error) === "invalid_otp" ? wrong + 1 : wrong;
    setWrong(misses);
    setNote(null);
    setProblem(said(result, "That code did not work.", misses));
  };
  return (
    <section aria-labelledby="verify-title" class="narrow">
      <h1 id="verify-title">Enter your code</h1>
      <p>
        We sent a 6-digit code by {sentBy} to <strong>{identifier}</strong>. It expires in 10 minutes.
      </p>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          try {
            if (password === undefined) {
              const { data, error, response } = await api.POST("/api/auths/login/code/verify/", { body: { identifier, otp: code.trim() } });
              if (!data) return refused({ error, response });
              session.set({ access: data.access, refresh: data.refresh, user: data.user as unknown as User });
              return await arrive();
            }
            const { error, response } = await api.POST("/api/auths/verify/", { body: { identifier, otp: code.trim() } });
            if (error) return refused({ error, response });
            const failed = await logIn(identifier, password);
            if (failed) return setProblem(failed.message);
            await arrive();
          } catch {
            setProblem(UNREACHABLE);
          } finally {
            setBusy(false);
          }
        }}
      >
        <label>
          Code
          <input
            name="otp"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]{6}"
            maxLength={6}
            required
            autoFocus
            value={code}
            onInput={(e) => setCode(e.currentTarget.value)}
          />
        </label>
        {problem && <Notice tone="error">{problem}</Notice>}
        {note && <Notice tone="ok">{note}</Notice>}
        <button class="primary" disabled={busy}>
          {busy ? "Checking…" : password === undefined ? "Sign in" : "Verify and sign in"}
        </button>
      </form>
      <button
        type="button"
        class="link"
        onClick={async () => {
          try {
            const { error, response } =
              password === undefined
                ? await api.POST("/api/auths/login/code/", { body: { identifier } })
                : await api.POST("/api/auths/resend-otp/", { body: { identifier } });
            setProblem(error ? said({ error, response }, "Could not send a new code.") : null);
            setNote(error ? null : "A new code is on its way.");
            if (!error) setWrong(0);
          } catch {
            setProblem(UNREACHABLE);
          }
        }}
      >
        Send a new code
      </button>
    </section>
  );
}

/** Sign in; admins land on the kitchen board, customers where they were going. An account not
 * verified yet gets a code to verify it there and then. */
export function Login({ code = false }: { code?: boolean }) {
  const [identifier, setIdentifier] = useState("");
  const [password, setPassword] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [unverified, setUnverified] = useState(false);
  const [sentBy, setSentBy] = useState<string | null>(null);
  // Signing in with a code and no password (the quick way), or with the password.
  const [byCode, setByCode] = useState(code);
  const [busy, setBusy] = useState(false);
  if (sentBy) return <EnterCode identifier={identifier.trim()} password={byCode ? undefined : password} sentBy={sentBy} />;
  const channelOf = (text: string) => (text.includes("@") ? "email" : "SMS");
  /** Asks for a sign-in code (`login`) or the verification code again (`verify`), then the
   * code screen; a code sent a moment ago (the cooldown) still works: straight to entering it. */
  const requestCode = async (purpose: "login" | "verify") => {
    setBusy(true);
    try {
      const body = { identifier: identifier.trim() };
      const { data, error } =
        purpose === "login" ? await api.POST("/api/auths/login/code/", { body }) : await api.POST("/api/auths/resend-otp/", { body });
      if (codeOf(error) === "otp_cooldown") return setSentBy(channelOf(identifier));
      if (!data) return setProblem(messageOf(error, "Could not send a code."));
      setSentBy(data.otp.channel === "sms" ? "SMS" : "email");
    } catch {
      setProblem(UNREACHABLE);
    } finally {
      setBusy(false);
    }
  };
  if (byCode)
    return (
      <section aria-labelledby="login-title" class="narrow">
        <h1 id="login-title">Sign in</h1>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            requestCode("login");
          }}
        >
          <label>
            Email or phone number
            <input name="identifier" autoComplete="username" required autoFocus value={identifier} onInput={(e) => setIdentifier(e.currentTarget.value)} />
          </label>
          {problem && <Notice tone="error">{problem}</Notice>}
          <button class="primary" disabled={busy}>
            {busy ? "Sending…" : "Send me a code"}
          </button>
        </form>
        <p>
          <button type="button" class="link" onClick={() => (setByCode(false), setProblem(null))}>
            Use my password instead
          </button>
        </p>
      </section>
    );
  return (
    <section aria-labelledby="login-title" class="narrow">
      <h1 id="login-title">Sign in</h1>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          const failed = await logIn(identifier.trim(), password);
          setBusy(false);
          setUnverified(failed?.code === "account_not_verified");
          if (failed) return setProblem(failed.code === "account_not_verified" ? "This account is not verified yet: we can send you a code to verify it now." : failed.message);
          await arrive();
        }}
      >
        <label>
          Email or phone number
          <input name="identifier" autoComplete="username" required value={identifier} onInput={(e) => { setIdentifier(e.currentTarget.value); setUnverified(false); }} />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        {problem && <Notice tone="error">{problem}</Notice>}
        {unverified ? (
          <button type="button" class="primary" disabled={busy} onClick={() => requestCode("verify")}>
            {busy ? "Sending…" : "Send me a code"}
          </button>
        ) : (
          <button class="primary" disabled={busy}>
            {busy ? "Signing in…" : "Sign in"}
          </button>
        )}
      </form>
      <p>
        <button type="button" class="link" onClick={() => (setByCode(true), setProblem(null), setUnverified(false))}>
          Get a code instead (no password)
        </button>
      </p>
      <p>
        <a href="#/forgot">Forgot your password?</a>
      </p>
      <p>
        New here? <a href="#/signup">Create an account</a>
      </p>
    </section>
  );
}

/** Sign up with an email or a phone number, then prove it with the 6-digit code. */
export function Signup() {
  const [identifier, setIdentifier] = useState("");
  const [password, setPassword] = useState("");
  const [sentBy, setSentBy] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (sentBy) return <EnterCode identifier={identifier.trim()} password={password} sentBy={sentBy} />;

  return (
    <section aria-labelledby="signup-title" class="narrow">
      <h1 id="signup-title">Create an account</h1>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          try {
            const { data, error } = await api.POST("/api/auths/signup/", { body: { identifier: identifier.trim(), password } });
            if (!data) {
              return setProblem(
                codeOf(error) === "identifier_taken"
                  ? `${messageOf(error, "")}. Sign in instead (not verified yet? signing in sends you a code).`
                  : messageOf(error, "Could not sign up."),
              );
            }
            setProblem(null);
            setSentBy(data.otp.channel === "sms" ? "SMS" : "email");
          } catch {
            setProblem(UNREACHABLE);
          } finally {
            setBusy(false);
          }
        }}
      >
        <label>
          Email or phone number
          <input name="identifier" autoComplete="username" required value={identifier} onInput={(e) => setIdentifier(e.currentTarget.value)} />
        </label>
        <label>
          Password <small>(at least 8 characters)</small>
          <input name="password" type="password" autoComplete="new-password" minLength={8} required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        {problem && <Notice tone="error">{problem}</Notice>}
        <button class="primary" disabled={busy}>
          {busy ? "Creating…" : "Create account"}
        </button>
      </form>
      <p>
        Already have one? <a href="#/login">Sign in</a>
      </p>
    </section>
  );
}
