import { render } from "preact";
import { Menu } from "./pages/Menu";
import "./style.css";

function App() {
  return (
    <>
      <header class="bar">
        <a class="brand" href="/">
          Chuks Kitchen
        </a>
        <span class="where">Lagos</span>
      </header>
      <main>
        <Menu />
      </main>
      <footer class="foot">Delivery or pickup · Prices in naira</footer>
    </>
  );
}

const root = document.getElementById("app");
if (root) render(<App />, root);
