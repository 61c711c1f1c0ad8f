import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";
import { session } from "../session";

export type Food = components["schemas"]["Food"];
export type Category = components["schemas"]["Category"];
export type Order = components["schemas"]["Order"];
export type OrderSummary = components["schemas"]["OrderSummary"];
export type Cart = components["schemas"]["Cart"];
export type Kitchen = components["schemas"]["Kitchen"];
export type Member = components["schemas"]["Member"];
export type Coupon = components["schemas"]["Coupon"];

/** What a screen says when the API cannot be reached at all. */
export const UNREACHABLE = "The kitchen cannot be reached. Check your connection and try again.";

/** Whether the API answered the last call (any answer) or could not be reached; screens that
 * care (the app's connection banner) subscribe. */
const reach = { ok: true, listeners: new Set<(ok: boolean) => void>() };
export const connection = {
  ok: () => reach.ok,
  subscribe(listener: (ok: boolean) => void): () => void {
    reach.listeners.add(listener);
    return () => reach.listeners.delete(listener);
  },
};
function reached(ok: boolean) {
  if (reach.ok === ok) return;
  reach.ok = ok;
  reach.listeners.forEach((l) => l(ok));
}

/** `fetch` that always answers: a request that cannot reach the API (offline, a dropped
 * connection) gets the contract's error body (503 `unreachable`), so every screen ends in a
 * result or a message, never in an uncaught rejection with its buttons still busy. */
async function answered(request: Request): Promise<Response> {
  try {
    const response = await fetch(request);
    reached(true);
    return response;
  } catch (err) {
    if (request.signal.aborted) throw err;
    reached(false);
    return new Response(JSON.stringify({ error: { code: "unreachable", message: UNREACHABLE } }), {
      status: 503,
      headers: { "content-type": "application/json" },
    });
  }
}

/** The API on this origin (CloudFront routes /api/* to it; locally Vite proxies it). Every read
 * asks past the browser's cache (the public menu allows a minute of it): stock and prices change
 * by the minute, and the CDN in front already spares the kitchen the load. */
export const api = createClient<paths>({ baseUrl: "", cache: "no-cache", fetch: answered });

/** The account routes that take no token (credentials, codes or a refresh token instead). */
const PUBLIC_AUTH = [
  "/api/auths/signup/",
  "/api/auths/verify/",
  "/api/auths/resend-otp/",
  "/api/auths/login/",
  "/api/auths/token/refresh/",
  "/api/auths/logout/",
  "/api/auths/password/forgot/",
  "/api/auths/password/reset/",
  "/api/auths/login/code/",
];

/** Adds a fresh access token (refreshed before it expires); a 401 after that signs out. */
const auth: Middleware = {
  async onRequest({ request }) {
    if (PUBLIC_AUTH.some((path) => new URL(request.url).pathname.startsWith(path))) return request;
    const token = session.user() ? await session.fresh() : null;
    if (token) request.headers.set("authorization", `Bearer ${token}`);
    return request;
  },
  async onResponse({ request, response }) {
    // Only a token the API refused signs out (not a call that went without one because the
    // refresh could not reach the API).
    if (response.status === 401 && session.user() && request.headers.has("authorization")) session.clear();
    return response;
  },
};
api.use(auth);

/** The contract's error body, for showing what the API said. */
export function messageOf(error: unknown, fallback: string): string {
  const e = error as { error?: { message?: string } } | undefined;
  return e?.error?.message ?? fallback;
}

/** What the API said, with each field it named ("from must not come after to"). */
export function detailOf(error: unknown, fallback: string): string {
  const fields = (error as { error?: { fields?: Record<string, string> } } | undefined)?.error?.fields ?? {};
  const detail = Object.entries(fields)
    .map(([field, problem]) => `${field.replace(/_/g, " ")} ${problem}`)
    .join("; ");
  return `${messageOf(error, fallback)}${detail ? `: ${detail}` : ""}`;
}

/** The contract's error code, for choosing what to do next. */
export function codeOf(error: unknown): string | undefined {
  return (error as { error?: { code?: string } } | undefined)?.error?.code;
}

/** How many wrong codes a code takes before a new one is needed (the contract's 5 tries). */
export const CODE_TRIES = 5;

/** A wait in the words people use: "45 seconds", "3 minutes", "2 hours". */
export function waitOf(seconds: number): string {
  const say = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  if (seconds < 90) return say(Math.max(1, Math.round(seconds)), "second");
  if (seconds < 90 * 60) return say(Math.round(seconds / 60), "minute");
  return say(Math.round(seconds / 3600), "hour");
}

/** What a failed call means for the person at the screen: the API's message, said plainly for
 * the codes people meet most (a wrong code with the tries left after `wrong` misses, an expired
 * code), and how long to wait when asked to slow down (`Retry-After`). */
export function said(result: { error?: unknown; response?: Response }, fallback: string, wrong = 0): string {
  const code = codeOf(result.error);
  const wait = Number(result.response?.headers.get("retry-after"));
  const waiting = result.response?.status === 429 && wait > 0 ? ` Try again in ${waitOf(wait)}.` : "";
  switch (code) {
    case "invalid_otp": {
      const left = CODE_TRIES - wrong;
      return left > 0
        ? `That code is not right. Check the newest message we sent and try again (${left} ${left === 1 ? "try" : "tries"} left).`
        : "That code is not right, and that was the last try. Send yourself a new code.";
    }
    case "otp_expired":
      return "That code has expired. Send yourself a new one.";
    case "too_many_attempts":
      return "Too many wrong codes. Send yourself a new code.";
    case "otp_cooldown":
      return `A code was sent a moment ago; check your messages.${waiting}`;
    default:
      return `${messageOf(result.error, fallback).replace(/\.?$/, ".")}${waiting}`;
  }
}
