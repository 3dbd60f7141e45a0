// Runs loads: starts them through the backend and routes what their channels say
// (progress, throttling, the end) to the app state. The rows go to the item store in
// Rust, never through here: the loader tells the table when to read the store again.
import { toIpcError, type Backend, type LoadUpdate, type ProviderId } from "./backend";
import { formatNumber } from "./table/format";
import type { AppState } from "./state";
import { toast } from "./toast";
import { providerName } from "./providers";

export interface LoadHooks {
  /** The store changed; `now` when a load ended (else the table reads at its own pace). */
  storeChanged(now: boolean): void;
  /** `p`'s load ended: its card's stored facts (count, when) changed. */
  ended(p: ProviderId): void;
  /** App state changed in a way the empty state may tell. */
  refreshEmpty(): void;
}

/** How long a returned load command waits for its channel's final event. */
const SETTLE_GRACE_MS = 3000;

export class Loader {
  private throttleTimers = new Map<ProviderId, number>();
  /**
   * The run that currently owns each provider. Every load/resume gets a new id and
   * its own event callback; events, settling and command failures of any other
   * (older) run are ignored for that provider, so a stale channel can't finish or
   * fail a newer load.
   */
  private runs = new Map<ProviderId, number>();
  private nextRun = 0;

  constructor(
    private backend: Backend,
    private state: AppState,
    private hooks: LoadHooks,
  ) {}

  /** Loads the given providers from scratch (a reload: the stored rows stay until it is done). */
  async load(providers: ProviderId[]): Promise<void> {
    const ps = providers.filter((p) => this.state.load(p).phase !== "loading");
    if (!ps.length) return;
    const run = ++this.nextRun;
    for (const p of ps) {
      this.runs.set(p, run);
      this.state.loads.set(p, { phase: "loading", perType: new Map(), throttle: null, failure: null, count: 0 });
    }
    this.started();
    try {
      await this.backend.loadItems(ps, (e) => this.onEvent(run, e));
    } catch (e) {
      this.commandFailed(run, ps, e);
    }
    await this.settle(run, ps);
  }

  /** Continues a stopped load where it stopped; what it wrote so far is kept. */
  async resume(p: ProviderId): Promise<void> {
    const ls = this.state.load(p);
    if (ls.phase === "loading") return;
    const run = ++this.nextRun;
    this.runs.set(p, run);
    ls.phase = "loading";
    ls.failure = null;
    this.started();
    try {
      await this.backend.resumeLoad(p, (e) => this.onEvent(run, e));
    } catch (e) {
      this.commandFailed(run, [p], e);
    }
    await this.settle(run, [p]);
  }

  async cancel(p: ProviderId): Promise<void> {
    try {
      await this.backend.cancelLoad(p);
    } catch (e) {
      toast(toIpcError(e).message, "error");
    }
  }

  /**
   * Forgets the runs of these providers (disconnect, forget everything): whatever
   * their channels still send is ignored.
   */
  abandon(ps: readonly ProviderId[]): void {
    for (const p of ps) {
      this.runs.delete(p);
      clearTimeout(this.throttleTimers.get(p));
    }
  }

  private isCurrent(run: number, p: ProviderId): boolean {
    return this.runs.get(p) === run;
  }

  private started(): void {
    this.state.changed();
    this.hooks.refreshEmpty();
  }

  private onEvent(run: number, e: LoadUpdate): void {
    const p = e.data.provider;
    if (!this.isCurrent(run, p)) return; // a superseded run's channel
    const ls = this.state.load(p);
    if (ls.phase !== "loading") return; // this run already ended (done/failed)
    switch (e.event) {
      case "progress":
        ls.perType.set(e.data.object_type, e.data.loaded);
        if (ls.throttle) this.clearThrottle(p);
        // A first load's rows show as they arrive (a reload's only once it is done).
        this.hooks.storeChanged(false);
        break;
      case "throttled": {
        ls.throttle = { message: e.data.message, until: Date.now() + e.data.wait_ms };
        clearTimeout(this.throttleTimers.get(p));
        this.throttleTimers.set(p, window.setTimeout(() => this.clearThrottle(p), e.data.wait_ms));
        break;
      }
      case "done":
        ls.phase = "done";
        ls.count = e.data.count;
        ls.throttle = null;
        this.ended(p);
        break;
      case "failed": {
        ls.phase = "failed";
        ls.throttle = null;
        ls.failure = { code: e.data.code, message: e.data.message, resumable: e.data.resumable };
        this.ended(p);
        const name = providerName(p);
        if (e.data.code === "cancelled") {
          const stored = this.state.providers.get(p)?.stored;
          toast(
            stored
              ? `Stopped loading ${name}: the ${formatNumber(stored.count)} items loaded before stay.`
              : `Stopped loading ${name}. Resume continues where it stopped.`,
            "info",
          );
        }
        // Prefix the provider unless the message already starts with it.
        else toast(e.data.message.startsWith(name) ? e.data.message : `${name}: ${e.data.message}`, "error");
        break;
      }
    }
    this.state.changed();
    this.hooks.refreshEmpty();
  }

  private ended(p: ProviderId): void {
    this.hooks.storeChanged(true);
    this.hooks.ended(p);
  }

  private clearThrottle(p: ProviderId): void {
    this.state.load(p).throttle = null;
    this.state.changed();
  }

  /** The command itself rejected (e.g. not connected): every provider it still owns failed. */
  private commandFailed(run: number, ps: ProviderId[], e: unknown): void {
    const err = toIpcError(e);
    let any = false;
    for (const p of ps) {
      const ls = this.state.load(p);
      if (!this.isCurrent(run, p) || ls.phase !== "loading") continue;
      any = true;
      ls.phase = "failed";
      ls.failure = { code: err.code, message: err.message, resumable: false };
      this.ended(p);
    }
    if (any) toast(err.message, "error");
  }

  /**
   * The command returned: providers this run still owns and that are still loading
   * finished without a final event. Providers taken over by a newer run (a resume or
   * reload started meanwhile) are left alone.
   */
  private async settle(run: number, ps: ProviderId[]): Promise<void> {
    // The final event may still be on its way: give it a moment before concluding
    // there was none.
    const waiting = () => ps.some((p) => this.isCurrent(run, p) && this.state.load(p).phase === "loading");
    for (let waited = 0; waiting() && waited < SETTLE_GRACE_MS; waited += 25) {
      await new Promise((r) => setTimeout(r, 25));
    }
    for (const p of ps) {
      const ls = this.state.load(p);
      if (this.isCurrent(run, p) && ls.phase === "loading") {
        ls.phase = "done";
        ls.count = this.state.providers.get(p)?.stored?.count ?? 0;
        this.ended(p);
      }
    }
    this.state.changed();
    this.hooks.refreshEmpty();
  }
}
