// Browser tests of the UI against the mock backend, in the system's Chromium.
// A plain runner (no test framework): each test gets a fresh page; the last line
// is "N passed, N failed" and the exit code is non-zero on any failure.
// Usage: node tests/browser/run.mjs [name filter]
import assert from "node:assert/strict";
import { launch, startServer } from "./harness.mjs";

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

/** Opens the app with a query string; fails the test on console errors / CSP violations. */
async function open(ctx, query = "", { init } = {}) {
  const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(8000);
  page.on("console", (m) => m.type() === "error" && ctx.errors.push(`console: ${m.text()}`));
  page.on("pageerror", (e) => ctx.errors.push(`pageerror: ${e.message}`));
  if (init) await page.addInitScript(init);
  await page.goto(ctx.url + query);
  await page.locator("body[data-ready=true]").waitFor();
  ctx.pages.push(page);
  return page;
}

const count = (page) => page.getByTestId("item-count");
async function expectText(locator, text) {
  await locator.filter({ hasText: text }).first().waitFor();
}
async function loadAll(page, total) {
  await page.getByTestId("load-all").click();
  await expectText(count(page), `${total} of ${total} items`);
}
const firstRowName = (page) => page.locator('[data-testid="row"]:not([hidden]) .col-name').first().innerText();

// ---------------------------------------------------------------------------------

test("cards render with their states", async (ctx) => {
  const page = await open(ctx);
  for (const [id, name] of [["hubspot", "HubSpot"], ["airtable", "Airtable"], ["notion", "Notion"]]) {
    await expectText(page.getByTestId(`provider-card-${id}`), name);
  }
  assert.equal(await page.getByTestId("status-hubspot").innerText(), "Not connected");
  assert.equal(await page.getByTestId("status-airtable").innerText(), "Not configured");
  assert.match(await page.getByTestId("hint-airtable").innerText(), /client ID/);
  assert.equal(await page.getByTestId("connect-airtable").isDisabled(), true);
  assert.equal(await page.getByTestId("connect-hubspot").isEnabled(), true);
  assert.equal(await page.getByTestId("export-button").isDisabled(), true);
  assert.match(await page.getByTestId("empty-state").innerText(), /Connect a provider above, then Load to see its items here\./);
  assert.equal(await page.getByTestId("cache-status").innerText(), "Cache: embedded");
});

test("connect shows Connecting…, then Connected via connection-changed", async (ctx) => {
  const page = await open(ctx);
  await page.getByTestId("connect-hubspot").click();
  await expectText(page.getByTestId("status-hubspot"), "Connecting…");
  await page.getByTestId("cancel-connect-hubspot").waitFor();
  await page.getByTestId("use-browser-hubspot").waitFor();
  await expectText(page.getByTestId("status-hubspot"), "Connected · Acme Sales");
  await page.getByTestId("load-hubspot").waitFor();
  await page.getByTestId("disconnect-hubspot").waitFor();
  assert.match(await page.getByTestId("empty-state").innerText(), /Load all/);
});

test("cancelling a connect goes back to Not connected without an error toast", async (ctx) => {
  const page = await open(ctx);
  await page.getByTestId("connect-notion").click();
  await page.getByTestId("cancel-connect-notion").click();
  await expectText(page.getByTestId("status-notion"), "Not connected");
  assert.equal(await page.getByTestId("toast").count(), 0);
});

test("load all streams 5,000 items into the table", async (ctx) => {
  const page = await open(ctx, "?mock=connected&items=5000");
  await loadAll(page, "5,000");
  assert.equal(await page.getByTestId("export-button").isEnabled(), true);
  assert.equal(await page.getByTestId("empty-state").isHidden(), true);
  const rows = await page.locator('[data-testid="row"]:not([hidden])').count();
  assert.ok(rows > 10 && rows < 80, `virtualized: ${rows} rows in the DOM`);
  // The card says what the store holds and when it was loaded (issue 9).
  await expectText(page.getByTestId("summary-hubspot"), "2,000 items · loaded just now");
});

test("search narrows the count, accent-insensitively", async (ctx) => {
  const page = await open(ctx, "?mock=connected&items=5000&delay=0");
  await loadAll(page, "5,000");
  await page.getByTestId("search-input").fill("zoe");
  const text = await count(page).innerText();
  const shown = Number(text.split(" of ")[0].replace(/,/g, ""));
  assert.ok(shown > 0 && shown < 5000, text);
  assert.match(await firstRowName(page), /zo[eë]/i);
  await page.getByTestId("search-input").fill("zzzz-no-such-thing");
  await expectText(page.getByTestId("empty-state"), "No items match");
  await page.getByTestId("clear-filters").click();
  await expectText(count(page), "5,000 of 5,000 items");
});

test("sort by Name toggles ascending / descending", async (ctx) => {
  const page = await open(ctx, "?mock=connected&items=3000&delay=0");
  await loadAll(page, "3,000");
  const header = page.getByTestId("sort-name");
  await header.click();
  assert.equal(await header.getAttribute("aria-sort"), "ascending");
  const asc = await firstRowName(page);
  await header.click();
  assert.equal(await header.getAttribute("aria-sort"), "descending");
  const desc = await firstRowName(page);
  assert.notEqual(asc, desc);
  assert.ok(asc.localeCompare(desc) < 0 || /^[^A-Za-z]/.test(desc), `${asc} / ${desc}`);
});

test("chips filter by provider and type", async (ctx) => {
  const page = await open(ctx, "?mock=connected&items=5000&delay=0");
  await loadAll(page, "5,000");
  await page.getByTestId("chip-provider-notion").click();
  await expectText(count(page), "1,250 of 5,000 items");
  assert.equal(await page.getByTestId("chip-provider-notion").getAttribute("aria-pressed"), "true");
  await page.getByTestId("chip-type-database").click();
  const n = Number((await count(page).innerText()).split(" of ")[0].replace(/,/g, ""));
  assert.ok(n > 0 && n < 1250);
  await page.getByTestId("chip-type-database").click();
  await page.getByTestId("chip-provider-notion").click();
  await expectText(count(page), "5,000 of 5,000 items");
});

test("Enter opens the details pane with properties; Escape closes it", async (ctx) => {
  const page = await open(ctx, "?mock=connected&items=2000&delay=0");
  await loadAll(page, "2,000");
  await page.getByTestId("chip-provider-hubspot").click();
  await page.locator("body").click({ position: { x: 5, y: 790 } });
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  assert.equal(await page.getByTestId("details-pane").isHidden(), true);
  await page.keyboard.press("Enter");
  const pane = page.getByTestId("details-pane");
  await pane.waitFor();
  const props = await page.getByTestId("details-properties").innerText();
  assert.ok(props.trim().length > 0, "properties shown");
  assert.match(await pane.innerText(), /ID[\s\S]*Provider[\s\S]*HubSpot/);
  // Selection is the second row.
  assert.equal(await page.locator('[data-testid="row"].selected').count(), 1);
  await page.keyboard.press("ArrowDown"); // details follow the selection
  await page.keyboard.press("Escape");
  await pane.waitFor({ state: "hidden" });
});

test("arrow keys scroll the selection into view", async (ctx) => {
  const page = await open(ctx, "?mock=connected&items=2000&delay=0");
  await loadAll(page, "2,000");
  await page.locator("body").click({ position: { x: 5, y: 790 } });
  for (let i = 0; i < 40; i++) await page.keyboard.press("ArrowDown");
  const vis = await page.evaluate(() => {
    const sel = document.querySelector('[data-testid="row"].selected');
    const box = document.querySelector(".table-scroll").getBoundingClientRect();
    const r = sel.getBoundingClientRect();
    return { pos: sel.getAttribute("aria-rowindex"), inside: r.top >= box.top + 30 && r.bottom <= box.bottom + 1 };
  });
  assert.equal(vis.pos, "41"); // aria-rowindex is 1-based and counts the header row
  assert.equal(vis.inside, true, "selected row is visible below the sticky header");
  for (let i = 0; i < 5; i++) await page.keyboard.press("ArrowUp");
  assert.equal(await page.locator('[data-testid="row"].selected').getAttribute("aria-rowindex"), "36");
});

test("clicking a row opens its details", async (ctx) => {
  const page = await open(ctx, "?mock=connected&items=1000&delay=0");
  await loadAll(page, "1,000");
  const name = await page.locator('[data-testid="row"]:not([hidden]) .col-name').nth(2).innerText();
  await page.locator('[data-testid="row"]:not([hidden]) .col-type').nth(2).click();
  await page.getByTestId("details-pane").waitFor();
  assert.equal((await page.locator(".details-title").innerText()).trim(), name.trim() || "(untitled)");
});

test("Ctrl+F focuses the search box", async (ctx) => {
  const page = await open(ctx);
  await page.locator("body").click({ position: { x: 5, y: 790 } });
  await page.keyboard.press("Control+f");
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-testid")), "search-input");
});

test("export sends the query of the filtered view", async (ctx) => {
  const page = await open(ctx, "?mock=connected&items=5000&delay=0");
  await loadAll(page, "5,000");
  await page.getByTestId("chip-provider-airtable").click();
  await page.getByTestId("search-input").fill("ord");
  const shown = Number((await count(page).innerText()).split(" of ")[0].replace(/,/g, ""));
  assert.ok(shown > 0 && shown < 1750);
  await page.locator("body").click({ position: { x: 5, y: 790 } });
  await page.keyboard.press("Control+e");
  await page.getByTestId("export-dialog").waitFor();
  assert.equal(await page.getByTestId("export-scope-view").isChecked(), true);
  await page.locator("label.segment", { hasText: "CSV" }).click();
  await page.getByTestId("export-confirm").click();
  await expectText(page.getByTestId("toast"), `Exported ${shown.toLocaleString("en-US")} items to /home/user/Documents/junction-export.csv`);
  const last = await page.evaluate(() => window.__JUNCTION_MOCK__.lastExport);
  assert.equal(last.format, "csv");
  assert.equal(last.path, "/home/user/Documents/junction-export.csv");
  // The page sends the format and the table's query, never a path (issue 13) nor a
  // list of keys (issue 9: export is a query too).
  const sent = await page.evaluate(() => window.__JUNCTION_MOCK__.exportArgs);
  assert.deepEqual(Object.keys(sent[0]).sort(), ["format", "query"]);
  assert.deepEqual(sent[0].query, { providers: ["airtable"], types: [], search: "ord", sort: null });
  assert.equal(last.count, shown);
  assert.equal(last.keys.length, shown);
  assert.ok(last.keys.every((k) => k.startsWith("airtable:")), "only airtable rows written");
});

test("export of all items sends no query and uses the save dialog path", async (ctx) => {
  const page = await open(ctx, "?mock=connected&items=1500&delay=0");
  await loadAll(page, "1,500");
  await page.getByTestId("export-button").click();
  assert.equal(await page.getByTestId("export-scope-all").isChecked(), true);
  await page.getByTestId("export-confirm").click();
  await expectText(page.getByTestId("toast"), "Exported 1,500 items to /home/user/Documents/junction-export.json");
  const last = await page.evaluate(() => window.__JUNCTION_MOCK__.lastExport);
  assert.equal(last.query, null);
  assert.equal(last.count, 1500);
  assert.equal(last.format, "json");
});

test("a cancelled save dialog is no error: no toast, nothing exported", async (ctx) => {
  const page = await open(ctx, "?mock=connected&items=500&delay=0&savecancel=1&exportdelay=50");
  await loadAll(page, "500");
  await page.getByTestId("export-button").click();
  await page.getByTestId("export-confirm").click();
  await page.waitForFunction(() => window.__JUNCTION_MOCK__.exportArgs.length === 1);
  // The answer comes after the mock's 50 ms; give the UI time to (not) react.
  await page.waitForTimeout(300);
  assert.equal(await page.getByTestId("toast").count(), 0);
  assert.equal(await page.evaluate(() => window.__JUNCTION_MOCK__.lastExport), null);
  // And the next export is not blocked by the cancelled one.
  await page.evaluate(() => (window.__JUNCTION_MOCK__.cancelSave = false));
  await page.getByTestId("export-button").click();
  await page.getByTestId("export-confirm").click();
  await expectText(page.getByTestId("toast"), "Exported 500 items to /home/user/Documents/junction-export.json");
});

test("URL click calls openUrl and never navigates", async (ctx) => {
  const page = await open(ctx, "?mock=connected&items=500&delay=0");
  await loadAll(page, "500");
  const before = page.url();
  const link = page.locator('[data-testid="row"]:not([hidden]) a.url-link').first();
  const href = await link.getAttribute("href");
  let popups = 0;
  page.context().on("page", () => popups++);
  await link.click();
  await link.click({ button: "middle" });
  await page.waitForTimeout(200);
  assert.equal(page.url(), before);
  assert.equal(popups, 0);
  const opened = await page.evaluate(() => window.__JUNCTION_MOCK__.openedUrls);
  assert.deepEqual(opened, [href, href]);
});

test("settings: Include archived records is saved and shown again", async (ctx) => {
  const page = await open(ctx);
  await page.getByTestId("settings-button").click();
  const dialog = page.getByTestId("settings-dialog");
  await dialog.waitFor();
  const box = page.getByTestId("hubspot-archived");
  assert.equal(await box.isChecked(), false, "off by default");
  await box.check();
  await page.getByTestId("settings-save").click();
  await dialog.waitFor({ state: "hidden" });
  const mock = await page.evaluate(() => window.__JUNCTION_MOCK__);
  assert.equal(mock.savedSettings.at(-1).hubspot_archived, true);
  await page.getByTestId("settings-button").click();
  await dialog.waitFor();
  assert.equal(await page.getByTestId("hubspot-archived").isChecked(), true);
  await page.keyboard.press("Escape");
});

test("settings: client secret is write-only", async (ctx) => {
  const page = await open(ctx);
  await page.getByTestId("settings-button").click();
  const dialog = page.getByTestId("settings-dialog");
  await dialog.waitFor();
  const secret = page.getByTestId("client-secret-notion");
  assert.equal(await secret.getAttribute("type"), "password");
  assert.equal(await secret.inputValue(), "");
  assert.equal(await page.getByTestId("secret-state-notion").innerText(), "not set");
  await page.getByTestId("client-id-airtable").fill("my-airtable-client");
  await secret.fill("s3cret-value");
  await page.getByTestId("settings-save").click();
  await dialog.waitFor({ state: "hidden" });
  const mock = await page.evaluate(() => window.__JUNCTION_MOCK__);
  assert.deepEqual(mock.secretsSet, [{ provider: "notion", length: 12 }]);
  assert.equal(mock.savedSettings.at(-1).providers.find((p) => p.id === "airtable").client_id, "my-airtable-client");
  assert.ok(!JSON.stringify(mock.savedSettings).includes("s3cret"), "secret not sent with settings");
  // Airtable became configured.
  await expectText(page.getByTestId("status-airtable"), "Not connected");
  await page.getByTestId("settings-button").click();
  await dialog.waitFor();
  assert.equal(await page.getByTestId("client-secret-notion").inputValue(), "");
  assert.equal(await page.getByTestId("secret-state-notion").innerText(), "set");
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "hidden" });
});

test("settings: env overrides are read-only; forget everything asks first", async (ctx) => {
  const page = await open(ctx, "?env=1&mock=connected&items=300&delay=0");
  await loadAll(page, "300");
  await page.getByTestId("settings-button").click();
  await page.getByTestId("settings-dialog").waitFor();
  assert.equal(await page.getByTestId("client-id-notion").isDisabled(), true);
  assert.match(await page.getByTestId("settings-dialog").innerText(), /Set by JUNCTION_NOTION_CLIENT_ID/);
  assert.equal(await page.getByTestId("redis-url").isDisabled(), true);
  assert.equal(await page.getByTestId("client-id-hubspot").isEnabled(), true);
  await page.getByTestId("forget-everything").click();
  await page.getByTestId("forget-confirm-box").waitFor();
  await page.getByTestId("forget-cancel").click();
  assert.equal(await page.evaluate(() => window.__JUNCTION_MOCK__.calls.includes("forget_everything")), false);
  await page.getByTestId("forget-everything").click();
  await page.getByTestId("forget-confirm").click();
  await page.getByTestId("settings-dialog").waitFor({ state: "hidden" });
  await expectText(count(page), "0 of 0 items");
  await expectText(page.getByTestId("status-hubspot"), "Not configured");
});

test("reloading a provider replaces only its rows", async (ctx) => {
  const page = await open(ctx, "?mock=connected&items=5000&delay=0");
  await loadAll(page, "5,000");
  await page.getByTestId("load-hubspot").click();
  await page.getByTestId("summary-hubspot").waitFor();
  await expectText(count(page), "5,000 of 5,000 items");
  await expectText(page.getByTestId("chip-provider-hubspot"), "2,000");
});

test("a failed load keeps its rows and can be resumed", async (ctx) => {
  const page = await open(ctx, "?mock=connected&items=4000&delay=0&fail=notion");
  await page.getByTestId("load-all").click();
  await page.getByTestId("resume-notion").waitFor();
  await expectText(page.getByTestId("load-error-notion"), "502");
  await expectText(page.getByTestId("toast"), "502");
  await expectText(count(page), "3,500 of 3,500 items");
  await page.getByTestId("resume-notion").click();
  await expectText(count(page), "4,000 of 4,000 items");
  await page.getByTestId("summary-notion").waitFor();
});

test("loading shows progress, throttle notice and cancel", async (ctx) => {
  const page = await open(ctx, "?mock=connected&items=30000&delay=40&throttle=1");
  await page.getByTestId("load-airtable").click();
  await page.getByTestId("progress-airtable").waitFor();
  await page.getByTestId("cancel-load-airtable").waitFor();
  await expectText(page.getByTestId("throttle-airtable"), "Airtable asked us to wait 30 s");
  await page.getByTestId("cancel-load-airtable").click();
  await page.getByTestId("resume-airtable").waitFor({ timeout: 10000 });
  const n = Number((await count(page).innerText()).split(" of ")[0].replace(/,/g, ""));
  assert.ok(n > 0 && n < 10500, `kept ${n}`);
});

test("status bar: cache error with Retry, secrets warning", async (ctx) => {
  const page = await open(ctx, "?cache=down&secrets=file");
  assert.equal(await page.getByTestId("cache-status").innerText(), "Cache: Redis at cache.internal:6379");
  await expectText(page.getByTestId("cache-error"), "Connection refused");
  await expectText(page.getByTestId("secrets-warning"), "keychain");
  await page.getByTestId("retry-cache").click();
  await page.getByTestId("retry-cache").waitFor({ state: "hidden" });
  assert.equal(await page.getByTestId("cache-error").isHidden(), true);
});

test("RTL and very long names stay inside their cells", async (ctx) => {
  const page = await open(ctx, "?mock=connected&items=3000&delay=0");
  await loadAll(page, "3,000");
  await page.getByTestId("search-input").fill("includes premium support");
  await page.locator('[data-testid="row"]:not([hidden])').first().waitFor();
  const fits = await page.evaluate(() => {
    const row = document.querySelector('[data-testid="row"]:not([hidden])');
    const text = row.querySelector(".col-name .cell-text");
    return { rowH: row.getBoundingClientRect().height, overflow: text.scrollWidth > text.clientWidth };
  });
  assert.equal(fits.rowH, 32);
  assert.equal(fits.overflow, true, "long name is clipped (ellipsis)");
  await page.getByTestId("search-input").fill("الأحمد");
  const dir = await page.locator('[data-testid="row"]:not([hidden]) .col-name .cell-text').first().getAttribute("dir");
  assert.equal(dir, "auto");
});

// ---- regressions ------------------------------------------------------------------


test("rows re-sent with the same key replace the old ones (no duplicates)", async (ctx) => {
  const page = await open(ctx, "?mock=connected&items=5000&delay=0&resend=1");
  await loadAll(page, "5,000");
  await page.getByTestId("summary-notion").waitFor();
  await expectText(count(page), "5,000 of 5,000 items");
  await expectText(page.getByTestId("chip-provider-notion"), "1,250");
  const typeSum = await page.evaluate(() =>
    ["page", "database"].reduce((n, t) => n + Number(document.querySelector(`[data-testid="chip-type-${t}"] .chip-count`).textContent.replace(/,/g, "")), 0),
  );
  assert.equal(typeSum, 1250);
  // The re-sent rows carry the new parent.
  await page.getByTestId("search-input").fill("resolved parent");
  await expectText(count(page), "100 of 5,000 items");
  await page.getByTestId("search-input").fill("");
  await page.getByTestId("chip-provider-notion").click();
  await expectText(count(page), "1,250 of 5,000 items");
  await page.getByTestId("export-button").click();
  assert.equal(await page.getByTestId("export-scope-view").isChecked(), true);
  await page.getByTestId("export-confirm").click();
  await expectText(page.getByTestId("toast"), "Exported 1,250 items");
  const keys = await page.evaluate(() => window.__JUNCTION_MOCK__.lastExport.keys);
  assert.equal(keys.length, 1250);
  assert.equal(new Set(keys).size, 1250, "no key sent twice");
});

test("a run that ends doesn't finish a provider another run is still loading", async (ctx) => {
  // Notion fails early; its resume is slow; the first run (HubSpot, Airtable) ends
  // while the resume still streams.
  const page = await open(ctx, "?mock=connected&items=12000&delay=150&fail=notion&resumedelay=2500");
  await page.getByTestId("load-all").click();
  await page.getByTestId("resume-notion").click();
  await page.getByTestId("cancel-load-notion").waitFor();
  await page.getByTestId("summary-airtable").waitFor();
  await page.getByTestId("summary-hubspot").waitFor();
  await page.waitForTimeout(400); // the first run's command has returned by now
  assert.equal(await page.getByTestId("summary-notion").isHidden(), true, "notion not marked done");
  assert.equal(await page.getByTestId("progress-notion").isVisible(), true, "notion still loading");
  await page.getByTestId("cancel-load-notion").waitFor();
  await expectText(page.getByTestId("summary-notion"), "3,000 items · loaded just now");
  await expectText(count(page), "12,000 of 12,000 items");
});

test("double-clicking Load or Connect doesn't cancel it", async (ctx) => {
  // Slow enough batches (10,500 Airtable items, 11 batches × 200 ms) that the load
  // still runs when the deliberate click comes.
  const page = await open(ctx, "?mock=connected&items=30000&delay=200");
  await page.getByTestId("load-airtable").dblclick();
  await page.getByTestId("cancel-load-airtable").waitFor();
  await page.waitForTimeout(300);
  assert.equal(await page.getByTestId("progress-airtable").isVisible(), true, "still loading");
  const calls = await page.evaluate(() => window.__JUNCTION_MOCK__.calls);
  assert.ok(!calls.some((c) => c.startsWith("cancel_load")), calls.join(", "));
  // A deliberate click still cancels.
  await page.getByTestId("cancel-load-airtable").click();
  await page.getByTestId("resume-airtable").waitFor({ timeout: 10000 });

  const page2 = await open(ctx);
  await page2.getByTestId("connect-hubspot").dblclick();
  await expectText(page2.getByTestId("status-hubspot"), "Connected · Acme Sales");
  const calls2 = await page2.evaluate(() => window.__JUNCTION_MOCK__.calls);
  assert.ok(!calls2.some((c) => c.startsWith("cancel_connect")), calls2.join(", "));
});

test("status bar follows Settings → Save (with and without status-changed)", async (ctx) => {
  for (const q of ["?statusevent=0", ""]) {
    const page = await open(ctx, q);
    assert.equal(await page.getByTestId("cache-status").innerText(), "Cache: embedded");
    await page.getByTestId("settings-button").click();
    await page.getByTestId("settings-dialog").waitFor();
    await page.getByTestId("redis-url").fill("redis://cache.example:6380");
    await page.getByTestId("settings-save").click();
    await page.getByTestId("settings-dialog").waitFor({ state: "hidden" });
    await expectText(page.getByTestId("cache-status"), "Cache: Redis at cache.example:6380");
  }
});

test("a reload that fails before its first batch still replaces the old rows on Resume", async (ctx) => {
  const page = await open(ctx, "?mock=connected&items=1500&delay=0&failreload=hubspot&edit=1");
  await loadAll(page, "1,500");
  await page.getByTestId("load-hubspot").click();
  await page.getByTestId("resume-hubspot").waitFor();
  await expectText(count(page), "1,500 of 1,500 items"); // old rows kept while failed
  await page.getByTestId("resume-hubspot").click();
  await page.getByTestId("summary-hubspot").waitFor();
  // The reload returns 540 edited HubSpot items: they replace the old 600.
  await expectText(count(page), "1,440 of 1,440 items");
  await expectText(page.getByTestId("chip-provider-hubspot"), "540");
});

test("empty state: nothing configured points to Settings", async (ctx) => {
  const page = await open(ctx, "?config=none");
  const empty = page.getByTestId("empty-state");
  await expectText(empty, "client ID");
  assert.match(await empty.innerText(), /Settings/);
  await page.getByTestId("empty-open-settings").click();
  await page.getByTestId("settings-dialog").waitFor();
});

test("empty state: a failed load names the provider and offers Resume", async (ctx) => {
  const page = await open(ctx, "?mock=connected&items=3000&delay=0&fail=notion&failat=0");
  await page.getByTestId("load-notion").click();
  const empty = page.getByTestId("empty-state");
  await expectText(empty, "Loading Notion failed");
  await expectText(empty, "502");
  await page.getByTestId("empty-resume").click();
  await expectText(count(page), "750 of 750 items");
});

test("empty state: a load that returned nothing says so", async (ctx) => {
  const page = await open(ctx, "?mock=connected&items=0&delay=0");
  await page.getByTestId("load-notion").click();
  await page.getByTestId("summary-notion").waitFor();
  await expectText(page.getByTestId("empty-state"), "Notion returned nothing shared with Junction");
});

test("the details pane shows the reloaded row, not the old object", async (ctx) => {
  const page = await open(ctx, "?mock=connected&items=1500&delay=0&edit=1");
  await loadAll(page, "1,500");
  await page.getByTestId("chip-provider-hubspot").click();
  await page.locator('[data-testid="row"]:not([hidden]) .col-type').first().click();
  await page.getByTestId("details-pane").waitFor();
  const before = (await page.locator(".details-title").innerText()).trim();
  assert.ok(!before.endsWith("(edited)"), before);
  await page.getByTestId("load-hubspot").click();
  await page.getByTestId("summary-hubspot").waitFor();
  await expectText(page.locator(".details-title"), "(edited)");
  assert.equal((await page.locator(".details-title").innerText()).trim(), `${before} (edited)`.trim());
});

test("Ctrl+E with no rows says there is nothing to export", async (ctx) => {
  const page = await open(ctx);
  await page.locator("body").click({ position: { x: 5, y: 790 } });
  await page.keyboard.press("Control+e");
  await expectText(page.getByTestId("toast"), "Nothing to export yet");
  assert.equal(await page.getByTestId("export-dialog").isHidden(), true);
});

test("shortcuts: IME composition is ignored; Ctrl+F/E work on non-Latin layouts", async (ctx) => {
  const page = await open(ctx, "?mock=connected&items=500&delay=0");
  await loadAll(page, "500");
  await page.locator("body").click({ position: { x: 5, y: 790 } });
  const press = (init) => page.evaluate((i) => document.body.dispatchEvent(new KeyboardEvent("keydown", { bubbles: true, cancelable: true, ...i })), init);
  await press({ key: "ArrowDown", code: "ArrowDown", isComposing: true });
  assert.equal(await page.locator('[data-testid="row"].selected').count(), 0, "composition keys don't move the selection");
  await press({ key: "ArrowDown", code: "ArrowDown" });
  assert.equal(await page.locator('[data-testid="row"].selected').count(), 1);
  // Russian layout: the F key types "а", the E key types "у".
  await press({ key: "а", code: "KeyF", ctrlKey: true });
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-testid")), "search-input");
  await page.locator("body").click({ position: { x: 5, y: 790 } });
  await press({ key: "у", code: "KeyE", ctrlKey: true });
  await page.getByTestId("export-dialog").waitFor();
});

test("Export while an export is running says so", async (ctx) => {
  const page = await open(ctx, "?mock=connected&items=500&delay=0&exportdelay=1500");
  await loadAll(page, "500");
  await page.getByTestId("export-button").click();
  await page.getByTestId("export-confirm").click();
  await page.getByTestId("export-button").click();
  await page.getByTestId("export-confirm").click();
  await expectText(page.getByTestId("toast"), "An export is already running");
  await expectText(page.getByTestId("toast"), "Exported 500 items");
  const calls = await page.evaluate(() => window.__JUNCTION_MOCK__.calls.filter((c) => c.startsWith("export_items")));
  assert.equal(calls.length, 1);
});

// ---- the item store (issue 9) ---------------------------------------------------

const visibleRows = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('[data-testid="row"]:not([hidden])')]
      .map((r) => ({
        index: Number(r.getAttribute("aria-rowindex")),
        name: r.querySelector(".col-name").textContent.trim(),
        untitled: r.querySelector(".col-name").classList.contains("untitled"),
        cells: [...r.querySelectorAll(".td")].map((c) => c.textContent.trim()),
        selected: r.classList.contains("selected"),
      }))
      .sort((a, b) => a.index - b.index),
  );
/** Rows the table asked for so far, in all its query_items calls. */
const rowsAsked = (page) => page.evaluate(() => window.__JUNCTION_MOCK__.queries.reduce((n, q) => n + q.limit, 0));

test("the window opens with the stored items: table, chips and cards, no Load", async (ctx) => {
  const page = await open(ctx, "?mock=connected&stored=10000");
  await expectText(count(page), "10,000 of 10,000 items");
  await expectText(page.getByTestId("chip-provider-hubspot"), "4,000");
  // Each card says how many items it holds and when they were loaded.
  await expectText(page.getByTestId("summary-hubspot"), "4,000 items · loaded 2 h ago");
  await expectText(page.getByTestId("summary-airtable"), "3,500 items · loaded 2 h ago");
  await expectText(page.getByTestId("summary-notion"), "2,500 items · loaded 2 h ago");
  assert.match(await page.getByTestId("summary-hubspot").getAttribute("title"), /^Last complete load: /);
  assert.equal((await page.getByTestId("load-hubspot").innerText()).trim(), "Reload");
  assert.equal(await page.getByTestId("export-button").isEnabled(), true);
  const calls = await page.evaluate(() => window.__JUNCTION_MOCK__.calls);
  assert.ok(!calls.some((c) => c.startsWith("load_items")), calls.join(", "));
  assert.ok((await visibleRows(page)).length > 10, "rows on screen");
});

test("a damaged items.db is reported in the status bar; Settings show where the store is", async (ctx) => {
  const page = await open(ctx, "?mock=connected&storeproblem=1");
  const problem = page.getByTestId("store-problem");
  await expectText(problem, "The item store was damaged and started empty");
  assert.match(await problem.innerText(), /items\.db\.corrupt-20250601T101500Z/);
  // The whole message on hover, however narrow the bar.
  assert.match(await problem.getAttribute("title"), /\(file is not a database\)$/);
  // The app still works: an empty store, the usual next step.
  await expectText(page.getByTestId("empty-state"), "Load all");
  await page.getByTestId("settings-button").click();
  await page.getByTestId("settings-dialog").waitFor();
  assert.equal(await page.getByTestId("store-path").innerText(), "/home/user/.local/share/app.junction.desktop/items.db");
  assert.match(await page.getByTestId("store-size").innerText(), /^\d+(\.\d)? (KB|MB|GB)$/);
  // A healthy store says nothing.
  const page2 = await open(ctx, "?mock=connected");
  assert.equal(await page2.getByTestId("store-problem").isHidden(), true);
});

test("every column sorts both ways; empty values come last both ways", async (ctx) => {
  const page = await open(ctx, "?mock=connected&stored=3000");
  await expectText(count(page), "3,000 of 3,000 items");
  await page.locator("body").click({ position: { x: 5, y: 790 } });
  // Columns whose generated values are sometimes missing (cells 0, 3, 4, 5).
  const withEmpties = { name: 0, parent: 3, created: 4, modified: 5 };
  for (const column of ["name", "type", "provider", "parent", "created", "modified", "url"]) {
    const header = page.getByTestId(`sort-${column}`);
    for (const dir of ["asc", "desc"]) {
      await header.click();
      assert.equal(await header.getAttribute("aria-sort"), dir === "asc" ? "ascending" : "descending", column);
      await page.waitForFunction(
        ([c, d]) => {
          const q = window.__JUNCTION_MOCK__.queries.at(-1)?.query;
          return q?.sort?.column === c && q.sort.dir === d;
        },
        [column, dir],
      );
      await page.waitForTimeout(50);
      const top = await visibleRows(page);
      assert.equal(top[0].index, 2, `${column} ${dir} starts at the first row`);
      if (column in withEmpties) {
        const cell = withEmpties[column];
        assert.ok(top[0].cells[cell] !== "" && !top[0].untitled, `${column} ${dir}: a value first`);
        // End: the last row of the result, fetched at its offset.
        await page.keyboard.press("End");
        await page.waitForFunction(() => document.querySelector('[data-testid="row"].selected')?.getAttribute("aria-rowindex") === "3001");
        const bottom = await visibleRows(page);
        const last = bottom.at(-1);
        assert.equal(last.index, 3001);
        assert.ok(column === "name" ? last.untitled : last.cells[cell] === "", `${column} ${dir}: empty last, got ${last.cells[cell]}`);
        await page.keyboard.press("Home");
        await page.waitForFunction(() => document.querySelector('[data-testid="row"].selected')?.getAttribute("aria-rowindex") === "2");
      }
    }
  }
  // Only one column shows an arrow.
  const sorted = await page.locator('[role="columnheader"]:not([aria-sort="none"])').count();
  assert.equal(sorted, 1);
});

test("a million stored rows: any row is reachable and the table keeps only windows", async (ctx) => {
  const page = await open(ctx, "?mock=connected&stored=1000000");
  await expectText(count(page), "1,000,000 of 1,000,000 items");
  await page.locator("body").click({ position: { x: 5, y: 790 } });
  await page.keyboard.press("End");
  await page.waitForFunction(() => document.querySelector('[data-testid="row"].selected')?.getAttribute("aria-rowindex") === "1000001");
  const end = await visibleRows(page);
  assert.equal(end.at(-1).index, 1000001, "the last row is on screen");
  assert.ok(end.every((r, i) => i === 0 || r.index === end[i - 1].index + 1), "no gap among the rows shown");
  // The scrollbar's middle (scaled past 8M px) shows the rows around the middle.
  await page.evaluate(() => {
    const el = document.querySelector(".table-scroll");
    el.scrollTop = (el.scrollHeight - el.clientHeight) / 2;
  });
  await page.waitForFunction(() => {
    const r = document.querySelector('[data-testid="row"]:not([hidden])');
    return r && Math.abs(Number(r.getAttribute("aria-rowindex")) - 500000) < 1000;
  });
  const middle = await visibleRows(page);
  assert.ok(middle.length > 10 && middle.every((r) => r.name !== ""), "rows drawn, none blank");
  await page.keyboard.press("Home");
  await page.waitForFunction(() => document.querySelector('[data-testid="row"].selected')?.getAttribute("aria-rowindex") === "2");
  // Never a full copy: a few windows of at most 2,000 rows were asked for.
  const asked = await page.evaluate(() => window.__JUNCTION_MOCK__.queries.map((q) => q.limit));
  assert.ok(Math.max(...asked) <= 2000, `windows of ${Math.max(...asked)} rows`);
  assert.ok((await rowsAsked(page)) < 20000, `${await rowsAsked(page)} rows asked for`);
  assert.ok((await page.locator('[data-testid="row"]').count()) < 80, "pooled row elements");
});

test("a reload that fails after its first batch keeps the stored set; the card says so; Resume completes it", async (ctx) => {
  const page = await open(ctx, "?mock=connected&stored=3000&items=3000&delay=0&failreload=hubspot&failat=300");
  await expectText(count(page), "3,000 of 3,000 items");
  await page.getByTestId("load-hubspot").click();
  await page.getByTestId("resume-hubspot").waitFor();
  const why = page.getByTestId("load-error-hubspot");
  await expectText(why, "Reload failed: HubSpot stopped answering after 300 items (502 Bad Gateway).");
  await expectText(why, "300 items so far, kept for Resume");
  assert.equal(await why.getAttribute("title"), await why.innerText());
  // The previous complete set is still the one shown, on the card and in the table.
  await expectText(page.getByTestId("summary-hubspot"), "1,200 items · loaded 2 h ago");
  await expectText(count(page), "3,000 of 3,000 items");
  await page.getByTestId("resume-hubspot").click();
  await expectText(page.getByTestId("summary-hubspot"), "1,200 items · loaded just now");
  assert.equal(await page.getByTestId("load-error-hubspot").isHidden(), true);
  await expectText(count(page), "3,000 of 3,000 items");
});

test("rows drawn before the provider names arrive read them once they do", async (ctx) => {
  const page = await open(ctx, "?mock=connected&stored=500&listdelay=400");
  await expectText(count(page), "500 of 500 items");
  const first = page.locator('[data-testid="row"]:not([hidden]) .col-provider').first();
  await expectText(first, "HubSpot");
  assert.equal((await first.innerText()).trim(), "HubSpot");
  assert.match(await page.getByTestId("chip-provider-hubspot").innerText(), /^HubSpot/);
});

test("Disconnect takes that provider's items out of the table and its card", async (ctx) => {
  const page = await open(ctx, "?mock=connected&stored=1000");
  await expectText(count(page), "1,000 of 1,000 items");
  await page.getByTestId("disconnect-notion").click();
  await expectText(page.getByTestId("status-notion"), "Not connected");
  await expectText(count(page), "750 of 750 items");
  assert.equal(await page.getByTestId("chip-provider-notion").isHidden(), true);
  assert.equal(await page.getByTestId("summary-notion").isHidden(), true);
  await expectText(page.getByTestId("summary-hubspot"), "400 items · loaded 2 h ago");
});

test("a card keeps its height while it loads", async (ctx) => {
  const page = await open(ctx, "?mock=connected&stored=3000&items=300000&delay=60");
  await expectText(count(page), "3,000 of 3,000 items");
  const height = () => page.getByTestId("provider-card-hubspot").evaluate((e) => e.getBoundingClientRect().height);
  const tableTop = () => page.getByTestId("items-table").evaluate((e) => e.getBoundingClientRect().top);
  const [h0, t0] = [await height(), await tableTop()];
  await page.getByTestId("load-hubspot").click();
  await expectText(page.getByTestId("progress-hubspot"), "Reloading: ");
  assert.equal(await height(), h0);
  assert.equal(await tableTop(), t0, "the table doesn't move");
  await page.getByTestId("cancel-load-hubspot").click();
});

// ---------------------------------------------------------------------------------

const filter = process.argv[2];
const server = await startServer();
const browser = await launch();
let passed = 0;
let failed = 0;
const t0 = Date.now();
for (const t of tests) {
  if (filter && !t.name.includes(filter)) continue;
  const ctx = { browser, url: server.url, errors: [], pages: [] };
  const start = Date.now();
  try {
    await Promise.race([
      t.fn(ctx),
      new Promise((_, rej) => setTimeout(() => rej(new Error("test timed out after 20 s")), 20000)),
    ]);
    if (ctx.errors.length) throw new Error(`errors in the page:\n  ${ctx.errors.join("\n  ")}`);
    passed++;
    console.log(`✓ ${t.name} (${Date.now() - start} ms)`);
  } catch (e) {
    failed++;
    console.log(`✗ ${t.name} (${Date.now() - start} ms)\n  ${String(e?.stack ?? e).split("\n").slice(0, 6).join("\n  ")}`);
  } finally {
    for (const p of ctx.pages) await p.close().catch(() => {});
  }
}
await browser.close();
await server.close();
console.log(`(${((Date.now() - t0) / 1000).toFixed(1)} s)`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
