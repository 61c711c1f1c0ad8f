import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { Account, Forgot } from "./pages/Account";
import { Login, Signup } from "./pages/Auth";
import { Cart } from "./pages/Cart";
import { KitchenCoupons } from "./pages/Coupons";
import { ImportMenu } from "./pages/Import";
import { Board, Stock, Users } from "./pages/Kitchen";
import { Carts, Home, KitchenSettings, KitchenStaff, ManageKitchen, MyKitchens, OpenKitchen, PlatformKitchens } from "./pages/Kitchens";
import { Menu } from "./pages/Menu";
import { OrderList, OrderPage } from "./pages/Orders";
import { Inbox, useUnread } from "./pages/Inbox";
import { WalletPage } from "./pages/Wallet";
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
  if (kitchen) return kitchen[2] ? signedIn("customer", <Cart slug={kitchen[1]} />) : <Menu slug={kitchen[1]} />;
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
  if (path === "/login") return <Login />;
  if (path === "/signup") return <Signup />;
  if (path === "/forgot") return <Forgot />;
  if (path === "/inbox") return member(<Inbox />);
  if (path === "/account") return user ? <Account /> : <Notice tone="info"><a href="#/login">Sign in</a> to see your account.</Notice>;
  if (path === "/cart") return signedIn("customer", <Carts />);
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

function App() {
  const path = useRoute();
  const user = useUser();
  const unread = useUnread(path, Boolean(user));
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
              {user && <a href="#/cart">Cart</a>}
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
      <main tabIndex={-1}>
        <Screen path={path} />
      </main>
      <footer class="foot">Chuks Kitchen, Lagos · Delivery or pickup · Prices in naira</footer>
    </>
  );
}

const root = document.getElementById("app");
if (root) render(<App />, root);
