// Who is signed in. The access token lives in memory only; the refresh token (which rotates on
// every use, and whose reuse ends the whole login) and the user's public profile are kept in
// localStorage so a customer stays signed in across reloads. Nothing else is stored.

export type User = { id: string; role: "customer" | "admin"; email?: string | null; phone?: string | null };

type Login = { access: string; refresh: string; user: User };

const KEY = "chuks.session";
let access: string | null = null;
let accessExpires = 0;
let refreshing: Promise<boolean> | null = null;
const listeners = new Set<() => void>();

function stored(): { refresh: string; user: User } | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? JSON.parse(raw) : null;
  } catch {
    return null;
  }
}

/** The `exp` of a JWT, in ms (0 when unreadable: then it is refreshed before use). */
function expiry(token: string): number {
  try {
    const payload = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    return typeof payload.exp === "number" ? payload.exp * 1000 : 0;
  } catch {
    return 0;
  }
}

/** The newest refresh token, also kept in IndexedDB: unlike localStorage, which Chromium copies
 * to other tabs a moment later, IndexedDB reads what another tab committed before it released
 * the refresh lock. `undefined` where IndexedDB is missing (then localStorage serves). */
const STORE = "session";
let opened: Promise<IDBDatabase | null> | null = null;
function database(): Promise<IDBDatabase | null> {
  opened ??= new Promise((resolve) => {
    if (typeof indexedDB === "undefined") return resolve(null);
    const request = indexedDB.open("chuks", 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => resolve(null);
  });
  return opened;
}
async function latestRefresh(): Promise<string | undefined> {
  const db = await database();
  if (!db) return undefined;
  return new Promise((resolve) => {
    const get = db.transaction(STORE).objectStore(STORE).get("refresh");
    get.onsuccess = () => resolve(typeof get.result === "string" ? get.result : undefined);
    get.onerror = () => resolve(undefined);
  });
}
/** Keeps (or, with null, forgets) the newest refresh token; resolves once committed. */
async function keepRefresh(token: string | null): Promise<void> {
  const db = await database();
  if (!db) return;
  await new Promise<void>((resolve) => {
    const tx = db.transaction(STORE, "readwrite");
    if (token === null) tx.objectStore(STORE).delete("refresh");
    else tx.objectStore(STORE).put(token, "refresh");
    tx.oncomplete = () => resolve();
    tx.onerror = () => resolve();
    tx.onabort = () => resolve();
  });
}

/** Runs `work` while holding the app's refresh lock in every tab of this origin (where the
 * browser has Web Locks; elsewhere, as it is). */
function acrossTabs<T>(work: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  return locks ? (locks.request("chuks.session.refresh", work) as Promise<T>) : work();
}

function notify() {
  listeners.forEach((l) => l());
}

export const session = {
  user(): User | null {
    return stored()?.user ?? null;
  },
  access(): string | null {
    return access;
  },
  set(login: Login) {
    access = login.access;
    accessExpires = expiry(login.access);
    localStorage.setItem(KEY, JSON.stringify({ refresh: login.refresh, user: login.user }));
    void keepRefresh(login.refresh);
    notify();
  },
  clear() {
    access = null;
    accessExpires = 0;
    localStorage.removeItem(KEY);
    void keepRefresh(null);
    notify();
  },
  /** A usable access token: the one in memory, or a new one from the refresh token. */
  async fresh(): Promise<string | null> {
    if (access && Date.now() < accessExpires - 30_000) return access;
    return (await session.refresh()) ? access : null;
  },
  /** Rotates the refresh token for a new pair: one at a time in this tab, and one at a time
   * across every tab of the app (a Web Lock), each reading the newest token (IndexedDB) only
   * once it holds the lock. Two tabs refreshing with one token would look like a stolen token to the API,
   * which then ends the whole login. A refused token signs out. */
  refresh(): Promise<boolean> {
    refreshing ??= acrossTabs(async () => {
      const saved = stored();
      if (!saved) return false;
      try {
        const refresh = (await latestRefresh()) ?? saved.refresh;
        const res = await fetch("/api/auths/token/refresh/", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ refresh }),
        });
        if (res.status === 401 || res.status === 403) {
          session.clear();
          return false;
        }
        if (!res.ok) return false;
        const body = await res.json();
        session.set({ access: body.access, refresh: body.refresh, user: body.user ?? saved.user });
        // Committed before the lock is released, so the next tab to hold it reads this token.
        await keepRefresh(body.refresh);
        return true;
      } catch {
        return false;
      }
    }).finally(() => {
      refreshing = null;
    });
    return refreshing;
  },
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  async logout() {
    const saved = stored();
    if (saved) {
      await fetch("/api/auths/logout/", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ refresh: saved.refresh }),
      }).catch(() => undefined);
    }
    session.clear();
  },
};
