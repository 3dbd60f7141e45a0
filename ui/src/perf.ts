// Timing hooks for the browser benchmark (bench/table-bench.mjs). Marks are plain
// numbers in an object: cheap enough to leave on in production.

export interface PerfHooks {
  marks: Record<string, number>;
  /** Durations (ms) of the last run of each measured step. */
  last: Record<string, number>;
  mark(name: string): void;
  measure(name: string, start: number): void;
  /** Marks `name` right after the next paint (rAF + message, i.e. after the frame). */
  afterPaint(name: string): void;
}

const channel = typeof MessageChannel !== "undefined" ? new MessageChannel() : null;
const queue: (() => void)[] = [];
if (channel) channel.port1.onmessage = () => queue.shift()?.();

export const perf: PerfHooks = {
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

declare global {
  interface Window {
    __JUNCTION_PERF__?: PerfHooks;
  }
}
window.__JUNCTION_PERF__ = perf;
