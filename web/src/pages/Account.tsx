import { useEffect, useState } from "preact/hooks";
import type { components } from "../api/schema";
import { MyCoupons } from "./MyCoupons";

type Me = components["schemas"]["User"];
import { api, codeOf, messageOf, said } from "../api/client";

const UNREACHABLE = "The kitchen cannot be reached. Check your connection and try again.";
import { go } from "../route";
import { session, type User } from "../session";
import { Notice } from "../ui";

type Gender = "female" | "male" | "other" | "prefer_not_to_say";

/** A forgotten password: a code to the email or phone, then a new password. */
export function Forgot() {
  const [identifier, setIdentifier] = useState("");
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");
  const [sent, setSent] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [wrong, setWrong] = useState(0);
  if (done)
    return (
      <section aria-labelledby="forgot-title" class="narrow">
        <h1 id="forgot-title">Password changed</h1>
        <Notice tone="ok">Your password is changed, and every other device was signed out. Sign in with the new password.</Notice>
        <a class="primary button" href="#/login">
          Sign in
        </a>
      </section>
    );
  return (
    <section aria-labelledby="forgot-title" class="narrow">
      <h1 id="forgot-title">Reset your password</h1>
      {!sent ? (
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            setBusy(true);
            const asked = await api.POST("/api/auths/password/forgot/", { body: { identifier: identifier.trim() } }).catch(() => null);
            setBusy(false);
            if (!asked) return setProblem(UNREACHABLE);
            if (!asked.data) return setProblem(said(asked, "Could not send a code."));
            setProblem(null);
            setSent(asked.data.otp.channel === "sms" ? "SMS" : "email");
          }}
        >
          <label>
            Email or phone number
            <input name="identifier" autoComplete="username" required value={identifier} onInput={(e) => setIdentifier(e.currentTarget.value)} />
          </label>
          {problem && <Notice tone="error">{problem}</Notice>}
          <button class="primary" disabled={busy}>
            Send me a code
          </button>
        </form>
      ) : (
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            setBusy(true);
            const reset = await api
              .POST("/api/auths/password/reset/", {
                body: { identifier: identifier.trim(), otp: code.trim(), new_password: password },
              })
              .catch(() => null);
            setBusy(false);
            if (!reset) return setProblem(UNREACHABLE);
            if (reset.error) {
              const misses = codeOf(reset.error) === "invalid_otp" ? wrong + 1 : wrong;
              setWrong(misses);
              return setProblem(said(reset, "The password could not be reset.", misses));
            }
            session.clear();
            setDone(true);
          }}
        >
          <p>If {identifier} has an account, a 6-digit code is on its way by {sent}.</p>
          <label>
            Code
            <input name="otp" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} required value={code} onInput={(e) => setCode(e.currentTarget.value)} />
          </label>
          <label>
            New password <small>(at least 8 characters)</small>
            <input name="new_password" type="password" autoComplete="new-password" minLength={8} required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
          </label>
          {problem && <Notice tone="error">{problem}</Notice>}
          <button class="primary" disabled={busy}>
            Set the new password
          </button>
        </form>
      )}
    </section>
  );
}

/** The customer's profile, password and sessions. */
export function Account() {
  const [profile, setProfile] = useState<{ first_name: string; last_name: string; address: string; gender: Gender | "" } | null>(null);
  const [note, setNote] = useState<{ tone: "ok" | "error"; text: string } | null>(null);
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [me, setMe] = useState<Me | null>(null);
  useEffect(() => {
    api.GET("/api/auths/me/").then(({ data, error }) => {
      if (!data) return setNote({ tone: "error", text: messageOf(error, "Your profile could not be loaded.") });
      const u = data.user;
      setMe(u);
      setProfile({ first_name: u.first_name ?? "", last_name: u.last_name ?? "", address: u.address ?? "", gender: (u.gender as Gender | null) ?? "" });
    });
  }, []);
  if (!profile) return note ? <Notice tone="error">{note.text}</Notice> : <Notice tone="info">Loading your profile…</Notice>;
  const field = (name: "first_name" | "last_name" | "address") => ({
    value: profile[name],
    onInput: (e: { currentTarget: { value: string } }) => setProfile({ ...profile, [name]: e.currentTarget.value }),
  });
  return (
    <section aria-labelledby="account-title" class="narrow">
      <h1 id="account-title">Your account</h1>
      <p>Signed in as {session.user()?.email ?? session.user()?.phone}</p>
      {note && <Notice tone={note.tone}>{note.text}</Notice>}
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          const blank = (v: string) => (v.trim() ? v.trim() : null);
          const { error } = await api.PATCH("/api/auths/me/", {
            body: {
              first_name: blank(profile.first_name),
              last_name: blank(profile.last_name),
              address: blank(profile.address),
              gender: profile.gender || null,
            },
          });
          setNote(error ? { tone: "error", text: messageOf(error, "Could not save your profile.") } : { tone: "ok", text: "Profile saved." });
        }}
      >
        <label>
          First name
          <input name="first_name" autoComplete="given-name" {...field("first_name")} />
        </label>
        <label>
          Last name
          <input name="last_name" autoComplete="family-name" {...field("last_name")} />
        </label>
        <label>
          Delivery address
          <textarea name="address" autoComplete="street-address" rows={2} {...field("address")} />
        </label>
        <label>
          Gender
          <select name="gender" value={profile.gender} onChange={(e) => setProfile({ ...profile, gender: e.currentTarget.value as Gender | "" })}>
            <option value="">Not set</option>
            <option value="female">Female</option>
            <option value="male">Male</option>
            <option value="other">Other</option>
            <option value="prefer_not_to_say">Prefer not to say</option>
          </select>
        </label>
        <button class="primary">Save profile</button>
      </form>
      {me && me.role === "customer" && <MyCoupons user={me} />}
      <h2>Change password</h2>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          const { data, error } = await api.POST("/api/auths/password/change/", { body: { current_password: current, new_password: next } });
          if (!data) return setNote({ tone: "error", text: messageOf(error, "Could not change the password.") });
          // Every session ended, this one included; the answer is a fresh login.
          session.set({ access: data.access, refresh: data.refresh, user: data.user as unknown as User });
          setCurrent("");
          setNext("");
          setNote({ tone: "ok", text: "Password changed. Every other device is signed out." });
        }}
      >
        <label>
          Current password
          <input name="current_password" type="password" autoComplete="current-password" required value={current} onInput={(e) => setCurrent(e.currentTarget.value)} />
        </label>
        <label>
          New password <small>(at least 8 characters)</small>
          <input name="new_password" type="password" autoComplete="new-password" minLength={8} required value={next} onInput={(e) => setNext(e.currentTarget.value)} />
        </label>
        <button class="secondary">Change password</button>
      </form>
      <h2>Devices</h2>
      <button
        class="secondary"
        onClick={async () => {
          await api.POST("/api/auths/logout-all/");
          session.clear();
          go("/login");
        }}
      >
        Sign out everywhere
      </button>
    </section>
  );
}
