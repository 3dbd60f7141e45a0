import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { defineConfig, type Plugin } from "vite";

// The app is served from Tauri's custom protocol (or file-like URLs), so every asset
// path must be relative; the dev server port is fixed because tauri.conf.json's
// devUrl points at it.
//
// Two builds: `vite build` is the product, in dist/ (what every Rust build of the app
// embeds: `make run`, `make deb`, the e2e tests). `vite build --mode test`
// (npm run build:test) is for tests only, in dist-test/: it adds the mock backend for
// the browser tests and the perf hooks for the benchmarks. The product build sees
// `__JUNCTION_TEST_BUILD__` as `false` and tree-shakes both out. The dev server (never
// shipped) has them, so UI work in a plain browser runs on the mock.
export default defineConfig(({ command, mode }) => ({
  define: { __JUNCTION_TEST_BUILD__: JSON.stringify(mode === "test" || command === "serve") },
  plugins: [writeOnlyChanged()],
  base: "./",
  clearScreen: false,
  server: { port: 1420, strictPort: true },
  preview: { port: 4173, strictPort: false },
  build: {
    outDir: mode === "test" ? "dist-test" : "dist",
    // writeOnlyChanged removes what the build no longer emits.
    emptyOutDir: false,
    // WebKitGTK 2.4x (Safari 16-17 class) and current Chromium for tests.
    target: ["es2022", "safari16", "chrome115"],
    sourcemap: false,
    // Nothing is inlined as data: URLs, so a strict CSP (default-src 'self') holds.
    assetsInlineLimit: 0,
  },
}));

/**
 * Leaves files whose content did not change untouched, and deletes the ones no
 * longer emitted. The Rust build embeds dist/ and cargo rebuilds when a file is
 * newer than its last build: rewriting identical files would cost a release build
 * its whole LTO link (minutes) on every `make deb`.
 */
function writeOnlyChanged(): Plugin {
  let outDir = "";
  const emitted = new Set<string>();
  return {
    name: "junction:write-only-changed",
    apply: "build",
    enforce: "post",
    generateBundle(options, bundle) {
      outDir = options.dir ?? "";
      for (const [name, output] of Object.entries(bundle)) {
        emitted.add(name);
        const path = join(outDir, name);
        if (!existsSync(path)) continue;
        const fresh = output.type === "asset" ? output.source : output.code;
        const bytes = typeof fresh === "string" ? Buffer.from(fresh) : Buffer.from(fresh);
        if (readFileSync(path).equals(bytes)) delete bundle[name];
      }
    },
    writeBundle() {
      const prune = (dir: string): void => {
        for (const entry of readdirSync(dir)) {
          const path = join(dir, entry);
          if (statSync(path).isDirectory()) prune(path);
          else if (!emitted.has(relative(outDir, path))) rmSync(path);
        }
      };
      if (outDir && existsSync(outDir)) prune(outDir);
    },
  };
}
