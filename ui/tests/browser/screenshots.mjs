// Screenshots of the mock app in light and dark at 1280x800, for looking at the
// UI (written to ../artifacts/, which is gitignored).
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { launch, startServer } from "./harness.mjs";

const OUT = fileURLToPath(new URL("../../../artifacts/", import.meta.url));
await mkdir(OUT, { recursive: true });
const server = await startServer();
const browser = await launch();
const only = process.argv[2];

const scenes = [
  { name: "empty", query: "", run: async () => {} },
  {
    name: "loaded",
    query: "?mock=connected&items=5000&delay=0",
    run: async (page) => {
      await page.getByTestId("load-all").click();
      await page.getByTestId("item-count").filter({ hasText: "5,000 of 5,000 items" }).waitFor();
      await page.getByTestId("sort-name").click();
      await page.getByTestId("row").nth(3).click();
    },
  },
  {
    name: "loading",
    query: "?mock=connected&items=100000&delay=60&throttle=1",
    run: async (page) => {
      await page.getByTestId("load-all").click();
      await page.getByTestId("throttle-airtable").waitFor({ timeout: 20000 });
    },
  },
  {
    name: "failed",
    query: "?mock=connected&items=3000&delay=0&fail=notion&cache=down&secrets=file",
    run: async (page) => {
      await page.getByTestId("load-all").click();
      await page.getByTestId("resume-notion").waitFor();
      await page.getByTestId("search-input").fill("zzzz-nothing");
    },
  },
  {
    // A start with a stored set (no Load) whose items.db had been damaged earlier.
    name: "stored",
    query: "?mock=connected&stored=100000&storeproblem=1",
    run: async (page) => {
      await page.getByTestId("item-count").filter({ hasText: "100,000 of 100,000 items" }).waitFor();
    },
  },
  {
    // A reload that failed after its first page: the previous set stays, Resume offered.
    name: "reload-failed",
    query: "?mock=connected&stored=3000&items=3000&delay=0&failreload=hubspot&failat=300",
    run: async (page) => {
      await page.getByTestId("load-hubspot").click();
      await page.getByTestId("resume-hubspot").waitFor();
      await page.waitForTimeout(4500); // the error toast fades
    },
  },
  {
    // A reload running over the stored set: the cards keep their height.
    name: "reloading",
    query: "?mock=connected&stored=3000&items=300000&delay=60",
    run: async (page) => {
      await page.getByTestId("load-all").click();
      await page.getByTestId("progress-hubspot").waitFor();
      await page.waitForTimeout(600);
    },
  },
  {
    name: "settings",
    query: "?env=1",
    run: async (page) => {
      await page.getByTestId("settings-button").click();
      await page.getByTestId("settings-dialog").waitFor();
    },
  },
  {
    name: "export",
    query: "?mock=connected&items=2000&delay=0",
    run: async (page) => {
      await page.getByTestId("load-all").click();
      await page.getByTestId("item-count").filter({ hasText: "2,000 of 2,000" }).waitFor();
      await page.getByTestId("chip-provider-hubspot").click();
      await page.getByTestId("export-button").click();
      await page.getByTestId("export-dialog").waitFor();
    },
  },
];

for (const scheme of ["light", "dark"]) {
  for (const s of scenes) {
    if (only && !s.name.startsWith(only)) continue;
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: scheme });
    page.on("console", (m) => m.type() === "error" && console.log(`[${s.name}] console error: ${m.text()}`));
    await page.goto(server.url + s.query);
    await page.locator("body[data-ready=true]").waitFor();
    await s.run(page);
    await page.waitForTimeout(400);
    const file = `${OUT}ui-${s.name}-${scheme}.png`;
    await page.screenshot({ path: file });
    console.log(file);
    await page.close();
  }
}
await browser.close();
await server.close();
