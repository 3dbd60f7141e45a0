import { defineConfig } from "vite";

// The app is served from Tauri's custom protocol (or file-like URLs), so every asset
// path must be relative; the dev server port is fixed because tauri.conf.json's
// devUrl points at it.
export default defineConfig({
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
});
