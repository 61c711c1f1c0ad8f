import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

export type Food = components["schemas"]["Food"];
export type Category = components["schemas"]["Category"];

/** The API on this origin (CloudFront routes /api/* to it; locally Vite proxies it). */
export const api = createClient<paths>({ baseUrl: "" });

/** The contract's error body, for showing what the API said. */
export function messageOf(error: unknown, fallback: string): string {
  const e = error as { error?: { message?: string } } | undefined;
  return e?.error?.message ?? fallback;
}
