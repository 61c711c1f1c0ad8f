import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { Account, Forgot } from "./pages/Account";
import { Login, Signup } from "./pages/Auth";
import { Cart, GuestCart } from "./pages/Cart";
import { KitchenCoupons } from "./pages/Coupons";
import { ImportMenu } from "./pages/Import";
import { Board } from "./pages/Board";
import { Stock } from "./pages/Stock";
import { Users } from "./pages/Users";
import { Carts, Home, KitchenSettings, KitchenStaff, ManageKitchen, MyKitchens, OpenKitchen, PlatformKitchens } from "./pages/Kitchens";
import { Menu } from "./pages/Menu";
import { OrderList, OrderPage } from "./pages/Orders";
import { Inbox, useUnread } from "./pages/Inbox";
import { WalletPage } from "./pages/Wallet";
import { connection } from "./api/client";
import { guestPortions } from "./guest";
import { CART_CHANGED, portionsInCarts } from "./kitchens";
import { go, useRoute } from "./route";
import { session } from "./session";
import { Notice, useUser } from "./ui";
import "./style.css";

/** The sales reports, loaded when first opened: the chart library is for owners and managers,
 * not in the app every customer downloads. */
function SalesReports({ slug }: { slug?: string }) {
  type Page = typeof import("./pages/Reports").SalesReports;
  const [page, setPage] = useState<{ Page: Page } | "failed" | null>(null);
  useEffect(() => {
    import("./pages/Reports").then((m) => setPage({ Page: m.SalesReports })).catch(() => setPage("failed"));
  }, []);
  if (page === "failed")
    return (
      <Notice tone="error">
        The reports could not be loaded. Check your connection and{" "}
        <button type="button" class="link" onClick={() => location.reload()}>
          try again
        </button>
        .
      </Notice>
    );
  return page ? <page.Page slug={slug} /> : <Notice tone="info">Loading the report…</Notice>;
}

function Screen({ path }: { path: string }) {
  const user = useUser();
  const order = path.match(/^\/orders\/([0-9A-Z]{26})(\/paid)?$/);
  const signedIn = (role: "customer" | "admin", screen: preact.JSX.Element) =>
    user?.role === role ? screen : (
      <Notice tone="info">
        {user ? "This page is for " + (role === "admin" ? "the kitchen" : "customers") + "." : <>Please <a href="#/login">sign in</a> first.</>}
      </Notice>
    );
  const kitchen = path.match(/^\/k\/([a-z0-9-]{3,40})(\/cart)?$/);
  const manage = path.match(/^\/manage\/([a-z0-9-]{3,40})(?:\/(board|settings|staff|menu|import|coupons|reports))?$/);
  const member = (screen: preact.JSX.Element) =>
    user ? screen : (
      <Notice tone="info">
        Please <a href="#/login">sign in</a> first.
      </Notice>
    );
  if (path === "/") return <Home />;
  if (kitchen) return kitchen[2] ? (user ? signedIn("customer", <Cart slug={kitchen[1]} />) : <GuestCart slug={kitchen[1]} />) : <Menu slug={kitchen[1]} />;
  if (path === "/kitchens/new") return member(<OpenKitchen />);
  if (path === "/kitchens/mine") return member(<MyKitchens />);
  if (manage) {
    const [, slug, screen] = manage;
    if (screen === "board") return member(<Board slug={slug} />);
    if (screen === "settings") return member(<KitchenSettings slug={slug} />);
    if (screen === "staff") return member(<KitchenStaff slug={slug} />);
    if (screen === "menu") return member(<Stock slug={slug} />);
    if (screen === "import") return member(<ImportMenu slug={slug} />);
    if (screen === "coupons") return member(<KitchenCoupons slug={slug} />);
    if (screen === "reports") return member(<SalesReports slug={slug} />);
    return member(<ManageKitchen slug={slug} />);
  }
  if (path === "/login" || path === "/login/code") return <Login code={path === "/login/code"} />;
  if (path === "/signup") return <Signup />;
  if (path === "/forgot") return <Forgot />;
  if (path === "/inbox") return member(<Inbox />);
  if (path === "/account") return user ? <Account /> : <Notice tone="info"><a href="#/login">Sign in</a> to see your account.</Notice>;
  if (path === "/cart") return user ? signedIn("customer", <Carts />) : <GuestCart />;
  if (path === "/orders") return signedIn("customer", <OrderList />);
  if (path === "/wallet" || path === "/wallet/topped-up") return signedIn("customer", <WalletPage back={path !== "/wallet"} />);
  if (order) return signedIn("customer", <OrderPage id={order[1]} back={Boolean(order[2])} />);
  if (path === "/kitchen") return signedIn("admin", <Board />);
  if (path === "/kitchen/stock") return signedIn("admin", <Stock />);
  if (path === "/kitchen/import") return signedIn("admin", <ImportMenu />);
  if (path === "/kitchen/users") return signedIn("admin", <Users />);
  if (path === "/kitchen/kitchens") return signedIn("admin", <PlatformKitchens />);
  if (path === "/kitchen/reports") return signedIn("admin", <SalesReports />);
  return (
    <Notice tone="info">
      There is no such page. <a href="#/">Back to the menu</a>
    </Notice>
  );
}

/** Whether the API can be reached (the last call's fate) and whether the browser says it is
 * online at all. */
function useConnection(): { reached: boolean; online: boolean } {
  const now = () => ({ reached: connection.ok(), online: navigator.onLine });
  const [state, setState] = useState(now);
  useEffect(() => {
    const update = () => setState(now());
    const off = connection.subscribe(update);
    window.addEventListener("online", update);
    window.addEventListener("offline", update);
    return () => {
      off();
      window.removeEventListener("online", update);
      window.removeEventListener("offline", update);
    };
  }, []);
  return state;
}

/** Portions in the customer's carts (a visitor's: on this device), read on sign-in and whenever
 * a cart may have changed. */
function useCartCount(role: string | undefined): number {
  const [count, setCount] = useState(0);
  useEffect(() => {
    if (role === "admin") return setCount(0);
    const read = () => (role ? portionsInCarts().then(setCount).catch(() => undefined) : setCount(guestPortions()));
    read();
    window.addEventListener(CART_CHANGED, read);
    return () => window.removeEventListener(CART_CHANGED, read);
  }, [role]);
  return count;
}

function App() {
  const path = useRoute();
  const user = useUser();
  const unread = useUnread(path, Boolean(user));
  const inCart = useCartCount(user?.role);
  const { reached, online } = useConnection();
  const connected = reached && online;
  /** Bumped by "Try again": the screen is made afresh, and reads everything again. */
  const [attempt, setAttempt] = useState(0);
  /** Whether a call failed since this screen was drawn: once the kitchen can be reached again,
   * the screen may be missing something, and "Try again" draws it afresh. Nothing is redrawn
   * by itself (what is typed in a form stays). */
  const [missed, setMissed] = useState(false);
  useEffect(() => {
    if (!connected) setMissed(true);
  }, [connected]);
  useEffect(() => setMissed(!connection.ok()), [path]);
  const again = () => {
    setMissed(false);
    setAttempt((a) => a + 1);
  };
  const first = useRef(true);
  useEffect(() => {
    // A screen change (not the first load) moves focus to the new screen, so a screen reader
    // says where the customer is and the keyboard starts from the top of it.
    if (first.current) {
      first.current = false;
      return;
    }
    document.querySelector<HTMLElement>("main")?.focus();
  }, [path]);
  useEffect(() => {
    // Each screen names the tab (and the history entry, and what a screen reader announces
    // on switching tabs) after its heading, whenever the heading appears or changes.
    const main = document.querySelector("main");
    if (!main) return;
    const name = () => {
      const heading = main.querySelector("h1")?.textContent?.trim();
      const title = heading ? `${heading} · Chuks Kitchen` : "Chuks Kitchen";
      if (document.title !== title) document.title = title;
    };
    const watcher = new MutationObserver(name);
    watcher.observe(main, { childList: true, subtree: true, characterData: true });
    name();
    return () => watcher.disconnect();
  }, []);
  useEffect(() => {
    // A signed-in visitor gets a fresh access token from the stored refresh token.
    if (session.user()) session.fresh();
  }, []);
  return (
    <>
      <header class="bar">
        <a class="brand" href="#/">
          Chuks Kitchen
        </a>
        <nav aria-label="Main">
          {user?.role === "admin" ? (
            <>
              <a href="#/kitchen">Board</a>
              <a href="#/kitchen/stock">Menu &amp; stock</a>
              <a href="#/kitchen/users">Users</a>
              <a href="#/kitchen/kitchens">Kitchens</a>
              <a href="#/kitchen/reports">Reports</a>
            </>
          ) : (
            <>
              <a href="#/">Menu</a>
              {(user || inCart > 0) && (
                <a href="#/cart" aria-label={inCart > 0 ? `Cart, ${inCart} in it` : "Cart"}>
                  Cart{inCart > 0 && <span class="count" data-testid="cart-count">{inCart}</span>}
                </a>
              )}
              {user && <a href="#/orders">Orders</a>}
              {user && <a href="#/wallet">Wallet</a>}
              {user && <a href="#/kitchens/mine">My kitchens</a>}
              {user && <a href="#/account">Account</a>}
            </>
          )}
          {user && (
            <a href="#/inbox" class="bell" aria-label={unread > 0 ? `Notifications, ${unread} unread` : "Notifications"}>
              Inbox{unread > 0 && <span class="count">{unread}</span>}
            </a>
          )}
          {user ? (
            <button
              type="button"
              class="link light"
              onClick={async () => {
                await session.logout();
                go("/");
              }}
            >
              Sign out
            </button>
          ) : (
            <a href="#/login">Sign in</a>
          )}
        </nav>
      </header>
      {(!connected || missed) && (
        <div class={connected ? "offline back" : "offline"} role={connected ? "status" : "alert"}>
          <span>
            {connected
              ? "Connected again."
              : online
                ? "Connection lost: the app cannot reach the kitchen right now."
                : "You are offline."}
          </span>
          <button type="button" class="link light" onClick={again}>
            Try again
          </button>
        </div>
      )}
      <main tabIndex={-1}>
        <Screen key={attempt} path={path} />
      </main>
      <footer class="foot">Chuks Kitchen, Lagos · Delivery or pickup · Prices in naira</footer>
    </>
  );
}

const root = document.getElementById("app");
if (root) render(<App />, root);
