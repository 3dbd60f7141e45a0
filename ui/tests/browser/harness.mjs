// Shared by the browser tests, the screenshots and the benchmark: a tiny static
// server over dist-test/, the UI's test build with the mock backend (with the app's
// strict CSP, so violations show up here first)
// and a Chromium launcher. Chromium comes from the system; nothing is downloaded.
import { createServer } from "node:http";
import { readdir, readFile, stat } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const DIST = fileURLToPath(new URL("../../dist-test/", import.meta.url));
export const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
};

export async function startServer() {
  try {
    await stat(join(DIST, "index.html"));
  } catch {
    throw new Error("dist-test/ is missing: run `npm run build:test` first");
  }
  // Without the mock backend every page would fail to start: say why at once.
  const scripts = (await readdir(join(DIST, "assets"))).filter((f) => f.endsWith(".js"));
  const texts = await Promise.all(scripts.map((f) => readFile(join(DIST, "assets", f), "utf8")));
  if (!texts.some((t) => t.includes("__JUNCTION_MOCK__"))) {
    throw new Error("dist-test/ has no mock backend: run `npm run build:test`");
  }
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/favicon.ico") return res.writeHead(204).end();
    let path = normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, "");
    if (path.endsWith("/")) path += "index.html";
    try {
      const body = await readFile(join(DIST, path));
      res.writeHead(200, {
        "content-type": TYPES[extname(path)] ?? "application/octet-stream",
        "content-security-policy": CSP,
        "cache-control": "no-store",
      });
      res.end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r)) };
}

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function launch(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
}
