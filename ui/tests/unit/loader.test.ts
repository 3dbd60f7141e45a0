// Loader: load results are tied to the run that produced them; the table is told to
// read the store as loads write and end (rows never come through the loader).
import { describe, expect, it } from "vitest";
import { Loader } from "../../src/loader";
import { AppState } from "../../src/state";
import type { Backend, ErrorCode, LoadUpdate, ProviderId } from "../../src/backend";

interface Run {
  providers: ProviderId[];
  emit(e: LoadUpdate): void;
  finish(): void;
  reject(e: unknown): void;
}

function setup() {
  const runs: Run[] = [];
  const start = (providers: ProviderId[], onEvent: (e: LoadUpdate) => void) =>
    new Promise<null>((resolve, reject) => runs.push({ providers, emit: onEvent, finish: () => resolve(null), reject }));
  const backend = {
    loadItems: (ps: ProviderId[], cb: (e: LoadUpdate) => void) => start(ps, cb),
    resumeLoad: (p: ProviderId, cb: (e: LoadUpdate) => void) => start([p], cb),
    cancelLoad: async () => null,
  } as unknown as Backend;
  const reads: boolean[] = [];
  const ended: ProviderId[] = [];
  const state = new AppState();
  const loader = new Loader(backend, state, {
    storeChanged: (now) => reads.push(now),
    ended: (p) => ended.push(p),
    refreshEmpty() {},
  });
  return { runs, state, loader, reads, ended };
}

const failed = (provider: ProviderId, code: ErrorCode, resumable = true): LoadUpdate => ({
  event: "failed",
  data: { provider, code, message: `${code}!`, resumable },
});
const progress = (provider: ProviderId, loaded: number): LoadUpdate => ({
  event: "progress",
  data: { provider, object_type: "contacts", loaded },
});
const flush = () => new Promise((r) => setTimeout(r, 0));

describe("Loader runs", () => {
  it("settling a run leaves alone a provider that a newer resume is loading", async () => {
    const { runs, state, loader } = setup();
    const all = loader.load(["hubspot", "notion"]);
    runs[0]!.emit(failed("notion", "provider_http"));
    expect(state.load("notion").phase).toBe("failed");
    const resumed = loader.resume("notion");
    expect(state.load("notion").phase).toBe("loading");
    // The first run ends (HubSpot done) while the resume still runs.
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
    const { runs, state, loader, reads } = setup();
    void loader.load(["airtable"]);
    runs[0]!.emit(failed("airtable", "provider_http"));
    void loader.resume("airtable");
    runs[0]!.emit(failed("airtable", "cancelled"));
    runs[0]!.emit(progress("airtable", 500));
    expect(state.load("airtable").phase).toBe("loading");
    expect(state.load("airtable").failure).toBeNull();
    expect(state.load("airtable").perType.size).toBe(0);
    const before = reads.length;
    runs[1]!.emit(progress("airtable", 200));
    expect(state.load("airtable").perType.get("contacts")).toBe(200);
    expect(reads.slice(before)).toEqual([false]);
    runs[0]!.emit({ event: "done", data: { provider: "airtable", count: 99 } });
    expect(state.load("airtable").phase).toBe("loading");
  });

  it("progress asks for a paced read, the end for one at once and a new card", async () => {
    const { runs, loader, reads, ended } = setup();
    void loader.load(["hubspot"]);
    runs[0]!.emit(progress("hubspot", 100));
    runs[0]!.emit(progress("hubspot", 200));
    expect(reads).toEqual([false, false]);
    runs[0]!.emit({ event: "done", data: { provider: "hubspot", count: 200 } });
    expect(reads).toEqual([false, false, true]);
    expect(ended).toEqual(["hubspot"]);
    // Nothing after the end counts.
    runs[0]!.emit(progress("hubspot", 300));
    expect(reads.length).toBe(3);
  });

  it("a failed reload reports why, and the store is read at once", async () => {
    const { runs, state, loader, reads, ended } = setup();
    void loader.load(["notion"]);
    runs[0]!.emit(failed("notion", "network"));
    expect(state.stopped("notion")).toMatchObject({ code: "network", resumable: true });
    expect(reads).toEqual([true]);
    expect(ended).toEqual(["notion"]);
  });

  it("a stale command rejection doesn't fail the newer run", async () => {
    const { runs, state, loader } = setup();
    const first = loader.load(["hubspot"]);
    runs[0]!.emit(failed("hubspot", "provider_http"));
    void loader.resume("hubspot");
    runs[0]!.reject({ code: "internal", message: "channel closed" });
    await first;
    await flush();
    expect(state.load("hubspot").phase).toBe("loading");
  });

  it("a double Resume starts one run", () => {
    const { runs, loader } = setup();
    void loader.load(["notion"]);
    runs[0]!.emit(failed("notion", "provider_http"));
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

describe("AppState.stopped", () => {
  it("prefers this window's run, else what the store recorded", () => {
    const state = new AppState();
    state.setProvider({
      id: "hubspot",
      name: "HubSpot",
      state: "connected",
      hint: null,
      account: "a",
      expires_at: null,
      last_error: null,
      stored: { count: 10, loaded_at: "2025-01-01T00:00:00Z" },
      load: { running: false, failed: { code: "network", message: "gone", count: 4, resumable: true } },
    });
    expect(state.stopped("hubspot")).toEqual({ code: "network", message: "gone", count: 4, resumable: true });
    state.load("hubspot").phase = "done";
    expect(state.stopped("hubspot")).toBeNull();
    state.load("hubspot").phase = "failed";
    state.load("hubspot").failure = { code: "cancelled", message: "stopped", resumable: true };
    expect(state.stopped("hubspot")).toMatchObject({ code: "cancelled", count: null });
    // The store's record of this same stop says how many items it kept.
    state.load("hubspot").failure = { code: "network", message: "gone", resumable: true };
    expect(state.stopped("hubspot")).toEqual({ code: "network", message: "gone", count: 4, resumable: true });
  });

  it("forgets a needs-reconnect stop once the provider is connected again", () => {
    const state = new AppState();
    const view = (s: "needs_reconnect" | "connected", resumable: boolean) =>
      state.setProvider({
        id: "notion",
        name: "Notion",
        state: s,
        hint: null,
        account: "a",
        expires_at: null,
        last_error: null,
        stored: null,
        load: { running: false, failed: { code: "needs_reconnect", message: "reconnect Notion", count: 3, resumable } },
      });
    view("needs_reconnect", false);
    expect(state.stopped("notion")).toMatchObject({ code: "needs_reconnect" });
    view("connected", false);
    expect(state.stopped("notion")).toBeNull();
    // What it left to resume is still offered.
    view("connected", true);
    expect(state.stopped("notion")).toMatchObject({ code: "needs_reconnect", resumable: true });
  });
});
