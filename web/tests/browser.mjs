// Browser journeys against the real app in headless Chromium (Debian's package, driven by
// playwright-core), served by `vite preview` in front of the local API. Started by
// `infra/local/dev.sh test`: APP_URL is the app, CHROMIUM the browser, ARTIFACTS where the
// screenshots go (look at them: they are what a customer sees).
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import assert from "node:assert/strict";

const APP_URL = process.env.APP_URL ?? "http://127.0.0.1:4173";
const ARTIFACTS = process.env.ARTIFACTS ?? "test-results";
mkdirSync(ARTIFACTS, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});

const journeys = [];
function journey(name, run) {
  journeys.push({ name, run });
}

journey("a visitor browses the menu by category, searches it and sees what is sold out", async (page) => {
  await page.goto(APP_URL);
  await page.getByRole("heading", { name: "Menu" }).waitFor();
  // The demo menu: categories as chips, prices in naira, the sold-out croaker still listed.
  const jollof = page.locator(".dish", { hasText: "Jollof Rice" });
  await jollof.waitFor();
  assert.match(await jollof.locator(".price").innerText(), /^₦[\d,]+/);
  const croaker = page.locator(".dish", { hasText: "Croaker" });
  assert.equal(await croaker.locator(".badge").innerText(), "SOLD OUT");
  await page.screenshot({ path: `${ARTIFACTS}/menu.png`, fullPage: true });

  await page.getByRole("button", { name: "Drinks", exact: true }).click();
  await page.waitForFunction(() => document.querySelectorAll(".category").length === 1);
  assert.equal(await page.locator(".category h2").innerText(), "Drinks", "only that category shown");
  assert.equal(await page.getByRole("button", { name: "Drinks", exact: true }).getAttribute("aria-pressed"), "true");

  await page.getByRole("button", { name: "All", exact: true }).click();
  await page.getByLabel("Search the menu").fill("moi");
  await page.locator(".dish", { hasText: "Moi Moi" }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll(".dish").length === 1);
  await page.getByLabel("Search the menu").fill("zzzz no such dish");
  await page.getByRole("status").filter({ hasText: "Nothing on the menu matches" }).waitFor();
  await page.screenshot({ path: `${ARTIFACTS}/menu-empty-search.png` });
});

journey("the menu is keyboard-usable and says so when the kitchen cannot be reached", async (page) => {
  await page.route("**/api/foods/**", (route) => route.abort());
  await page.goto(APP_URL);
  await page.getByRole("alert").filter({ hasText: "cannot be reached" }).waitFor();
  await page.unroute("**/api/foods/**");
  await page.goto(APP_URL);
  await page.keyboard.press("Tab"); // the brand link
  await page.keyboard.press("Tab"); // the search box
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("type")), "search");
});

let failed = 0;
for (const { name, run } of journeys) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const started = Date.now();
  try {
    await run(page);
    console.log(`ok - ${name} (${Date.now() - started} ms)`);
  } catch (err) {
    failed += 1;
    const shot = `${ARTIFACTS}/failed-${journeys.findIndex((j) => j.name === name)}.png`;
    await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
    console.log(`not ok - ${name}\n  ${String(err?.stack ?? err).split("\n").join("\n  ")}\n  screenshot: ${shot}`);
  } finally {
    await context.close();
  }
}
await browser.close();
console.log(`${journeys.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
