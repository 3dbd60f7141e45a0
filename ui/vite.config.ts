import { defineConfig } from "vite";

// The app is served from Tauri's custom protocol (or file-like URLs), so every asset
// path must be relative; the dev server port is fixed because tauri.conf.json's
// devUrl points at it.
//
// Two builds: `vite build` is the product (what `make run` and `make deb` embed);
// `vite build --mode test` (npm run build:test) adds what only tests use: the mock
// backend for the browser tests and the perf hooks for the benchmarks. The product
// build sees `__JUNCTION_TEST_BUILD__` as `false` and tree-shakes both out. The dev
// server (never shipped) has them, so UI work in a plain browser runs on the mock.
export default defineConfig(({ command, mode }) => ({
  define: { __JUNCTION_TEST_BUILD__: JSON.stringify(mode === "test" || command === "serve") },
  base: "./",
  clearScreen: false,
  server: { port: 1420, strictPort: true },
  preview: { port: 4173, strictPort: false },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WebKitGTK 2.4x (Safari 16-17 class) and current Chromium for tests.
    target: ["es2022", "safari16", "chrome115"],
    sourcemap: false,
    // Nothing is inlined as data: URLs, so a strict CSP (default-src 'self') holds.
    assetsInlineLimit: 0,
  },
}));
