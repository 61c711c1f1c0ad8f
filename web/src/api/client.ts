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

/** The API on this origin (CloudFront routes /api/* to it; locally Vite proxies it). Every read
 * asks past the browser's cache (the public menu allows a minute of it): stock and prices change
 * by the minute, and the CDN in front already spares the kitchen the load. */
export const api = createClient<paths>({ baseUrl: "", cache: "no-cache" });

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
];

/** Adds a fresh access token (refreshed before it expires); a 401 after that signs out. */
const auth: Middleware = {
  async onRequest({ request }) {
    if (PUBLIC_AUTH.some((path) => new URL(request.url).pathname.startsWith(path))) return request;
    const token = session.user() ? await session.fresh() : null;
    if (token) request.headers.set("authorization", `Bearer ${token}`);
    return request;
  },
  async onResponse({ response }) {
    if (response.status === 401 && session.user()) session.clear();
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
