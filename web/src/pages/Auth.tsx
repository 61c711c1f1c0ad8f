import { useState } from "preact/hooks";
import { api, codeOf, messageOf } from "../api/client";
import { session, type User } from "../session";
import { go } from "../route";
import { Notice } from "../ui";

async function logIn(identifier: string, password: string): Promise<string | null> {
  const { data, error } = await api.POST("/api/auths/login/", { body: { identifier, password } });
  if (!data) return messageOf(error, "Could not sign in. Try again.");
  session.set({ access: data.access, refresh: data.refresh, user: data.user as unknown as User });
  return null;
}

/** Sign in; admins land on the kitchen board, customers where they were going. */
export function Login() {
  const [identifier, setIdentifier] = useState("");
  const [password, setPassword] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <section aria-labelledby="login-title" class="narrow">
      <h1 id="login-title">Sign in</h1>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          const failed = await logIn(identifier.trim(), password);
          setBusy(false);
          if (failed) return setProblem(failed);
          go(session.user()?.role === "admin" ? "/kitchen" : "/");
        }}
      >
        <label>
          Email or phone number
          <input name="identifier" autoComplete="username" required value={identifier} onInput={(e) => setIdentifier(e.currentTarget.value)} />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        {problem && <Notice tone="error">{problem}</Notice>}
        <button class="primary" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
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
  const [code, setCode] = useState("");
  const [sentBy, setSentBy] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (sentBy) {
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
            const { error } = await api.POST("/api/auths/verify/", { body: { identifier: identifier.trim(), otp: code.trim() } });
            if (error) {
              setBusy(false);
              return setProblem(messageOf(error, "That code did not work."));
            }
            const failed = await logIn(identifier.trim(), password);
            setBusy(false);
            if (failed) return setProblem(failed);
            go("/");
          }}
        >
          <label>
            Code
            <input name="otp" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} required value={code} onInput={(e) => setCode(e.currentTarget.value)} />
          </label>
          {problem && <Notice tone="error">{problem}</Notice>}
          <button class="primary" disabled={busy}>
            {busy ? "Checking…" : "Verify and sign in"}
          </button>
        </form>
        <button
          type="button"
          class="link"
          onClick={async () => {
            const { error } = await api.POST("/api/auths/resend-otp/", { body: { identifier: identifier.trim() } });
            setProblem(error ? messageOf(error, "Could not send a new code.") : null);
          }}
        >
          Send a new code
        </button>
      </section>
    );
  }

  return (
    <section aria-labelledby="signup-title" class="narrow">
      <h1 id="signup-title">Create an account</h1>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          const { data, error } = await api.POST("/api/auths/signup/", { body: { identifier: identifier.trim(), password } });
          setBusy(false);
          if (!data) {
            return setProblem(codeOf(error) === "identifier_taken" ? `${messageOf(error, "")}. Sign in instead.` : messageOf(error, "Could not sign up."));
          }
          setProblem(null);
          setSentBy(data.otp.channel === "sms" ? "SMS" : "email");
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
