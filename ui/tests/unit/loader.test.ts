// Loader: load results are tied to the run that produced them.
import { describe, expect, it } from "vitest";
import { Loader } from "../../src/loader";
import { AppState } from "../../src/state";
import type { Backend, LoadEvent, ProviderId } from "../../src/backend";
import type { ItemsPanel } from "../../src/table/items-panel";

interface Run {
  providers: ProviderId[];
  emit(e: LoadEvent): void;
  finish(): void;
  reject(e: unknown): void;
}

function setup() {
  const runs: Run[] = [];
  const start = (providers: ProviderId[], onEvent: (e: LoadEvent) => void) =>
    new Promise<void>((resolve, reject) => runs.push({ providers, emit: onEvent, finish: resolve, reject }));
  const backend = {
    loadItems: (ps: ProviderId[], cb: (e: LoadEvent) => void) => start(ps, cb),
    resumeLoad: (p: ProviderId, cb: (e: LoadEvent) => void) => start([p], cb),
    cancelLoad: async () => {},
  } as unknown as Backend;
  const ended: [ProviderId, boolean][] = [];
  const rows: Record<string, number> = {};
  const panel = {
    beginLoad() {},
    beginResume() {},
    endLoad: (p: ProviderId, completed: boolean) => ended.push([p, completed]),
    appendBatch: (p: ProviderId, items: unknown[]) => (rows[p] = (rows[p] ?? 0) + items.length),
    refreshEmpty() {},
    model: { countForProvider: (p: ProviderId) => rows[p] ?? 0 },
  } as unknown as ItemsPanel;
  const state = new AppState();
  const loader = new Loader(backend, state, panel);
  return { runs, state, loader, ended, rows };
}

const failed = (provider: ProviderId, code: string, resumable = true): LoadEvent => ({
  event: "failed",
  data: { provider, code, message: `${code}!`, resumable },
});
const flush = () => new Promise((r) => setTimeout(r, 0));

describe("Loader runs", () => {
  it("settling a run leaves alone a provider that a newer resume is loading", async () => {
    const { runs, state, loader } = setup();
    const all = loader.load(["hubspot", "notion"]);
    runs[0]!.emit(failed("notion", "upstream_unavailable"));
    expect(state.load("notion").phase).toBe("failed");
    const resumed = loader.resume("notion");
    expect(state.load("notion").phase).toBe("loading");
    // The first run ends (HubSpot done) while the resume still streams.
    runs[0]!.emit({ event: "done", data: { provider: "hubspot", count: 3 } });
    runs[0]!.finish();
    await all;
    expect(state.load("hubspot").phase).toBe("done");
    expect(state.load("notion").phase).toBe("loading");
    runs[1]!.emit({ event: "done", data: { provider: "notion", count: 7 } });
    runs[1]!.finish();
    await resumed;
    expect(state.load("notion")).toMatchObject({ phase: "done", count: 7 });
  });

  it("ignores a stale channel's events, including failed: cancelled", async () => {
    const { runs, state, loader, rows } = setup();
    void loader.load(["airtable"]);
    runs[0]!.emit(failed("airtable", "upstream_unavailable"));
    void loader.resume("airtable");
    runs[0]!.emit(failed("airtable", "cancelled"));
    runs[0]!.emit({ event: "batch", data: { provider: "airtable", items: [] } });
    expect(state.load("airtable").phase).toBe("loading");
    expect(state.load("airtable").failure).toBeNull();
    const item = { provider: "airtable" } as never;
    runs[1]!.emit({ event: "batch", data: { provider: "airtable", items: [item, item] } });
    expect(rows.airtable).toBe(2);
    runs[0]!.emit({ event: "done", data: { provider: "airtable", count: 99 } });
    expect(state.load("airtable").phase).toBe("loading");
  });

  it("a stale command rejection doesn't fail the newer run", async () => {
    const { runs, state, loader } = setup();
    const first = loader.load(["hubspot"]);
    runs[0]!.emit(failed("hubspot", "upstream_unavailable"));
    void loader.resume("hubspot");
    runs[0]!.reject({ code: "internal", message: "channel closed" });
    await first;
    await flush();
    expect(state.load("hubspot").phase).toBe("loading");
  });

  it("a double Resume starts one run", () => {
    const { runs, loader } = setup();
    void loader.load(["notion"]);
    runs[0]!.emit(failed("notion", "upstream_unavailable"));
    void loader.resume("notion");
    void loader.resume("notion");
    expect(runs.length).toBe(2);
  });

  it("abandoned runs are ignored (disconnect, forget everything)", () => {
    const { runs, state, loader } = setup();
    void loader.load(["notion"]);
    loader.abandon(["notion"]);
    state.load("notion").phase = "idle";
    runs[0]!.emit({ event: "done", data: { provider: "notion", count: 5 } });
    expect(state.load("notion").phase).toBe("idle");
  });
});
