// Timing hooks for the table benchmarks (bench/table-bench.mjs in Chromium,
// src-tauri/benches/webkit_table.rs in the app window), read as window.__JUNCTION_PERF__.
// Only test builds (`npm run build:test`) measure and expose them; in the product
// build `perf` does nothing and the bundler drops the measuring code.

export interface PerfHooks {
  marks: Record<string, number>;
  /** Durations (ms) of the last run of each measured step. */
  last: Record<string, number>;
  mark(name: string): void;
  measure(name: string, start: number): void;
  /** Marks `name` right after the next paint (rAF + message, i.e. after the frame). */
  afterPaint(name: string): void;
}

function measuring(): PerfHooks {
  const channel = typeof MessageChannel !== "undefined" ? new MessageChannel() : null;
  const queue: (() => void)[] = [];
  if (channel) channel.port1.onmessage = () => queue.shift()?.();
  return {
    marks: {},
    last: {},
    mark(name) {
      this.marks[name] = performance.now();
    },
    measure(name, start) {
      this.last[name] = performance.now() - start;
    },
    afterPaint(name) {
      requestAnimationFrame(() => {
        if (!channel) return this.mark(name);
        queue.push(() => this.mark(name));
        channel.port2.postMessage(0);
      });
    },
  };
}

const off: PerfHooks = { marks: {}, last: {}, mark() {}, measure() {}, afterPaint() {} };

export const perf: PerfHooks = __JUNCTION_TEST_BUILD__ ? measuring() : off;

declare global {
  interface Window {
    __JUNCTION_PERF__?: PerfHooks;
  }
}
if (__JUNCTION_TEST_BUILD__) window.__JUNCTION_PERF__ = perf;
