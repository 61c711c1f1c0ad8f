import { useEffect, useState } from "preact/hooks";

/** The app's location: the hash path (`#/orders/01J...` -> `/orders/01J...`), so the static host
 * serves one page for every screen. */
export function currentPath(): string {
  // Paystack appends ?trxref=...&reference=... to the callback URL, after the hash.
  return location.hash.replace(/^#/, "").split("?")[0] || "/";
}

export function useRoute(): string {
  const [path, setPath] = useState(currentPath());
  useEffect(() => {
    const on = () => setPath(currentPath());
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);
  return path;
}

export function go(path: string) {
  location.hash = path;
}
