// Runs loads: starts them through the backend, routes the streamed LoadEvents to
// the table (rows) and to the app state (progress, throttling, failures).
import { toBackendError, type Backend, type LoadEvent, type ProviderId } from "./backend";
import type { ItemsPanel } from "./table/items-panel";
import { formatNumber } from "./table/model";
import type { AppState } from "./state";
import { toast } from "./toast";
import { providerName } from "./providers";


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
    private panel: ItemsPanel,
  ) {}

  /** Loads the given providers from scratch (their old rows are replaced). */
  async load(providers: ProviderId[]): Promise<void> {
    const ps = providers.filter((p) => this.state.load(p).phase !== "loading");
    if (!ps.length) return;
    const run = ++this.nextRun;
    for (const p of ps) {
      this.runs.set(p, run);
      this.state.loads.set(p, { phase: "loading", perType: new Map(), throttle: null, failure: null, count: 0 });
      this.panel.beginLoad(p);
    }
    this.started();
    try {
      await this.backend.loadItems(ps, (e) => this.onEvent(run, e));
    } catch (e) {
      this.commandFailed(run, ps, e);
    }
    await this.settle(run, ps);
  }

  /** Continues a failed load where it stopped; rows loaded so far are kept. */
  async resume(p: ProviderId): Promise<void> {
    const ls = this.state.load(p);
    if (ls.phase === "loading") return;
    const run = ++this.nextRun;
    this.runs.set(p, run);
    ls.phase = "loading";
    ls.failure = null;
    this.panel.beginResume(p);
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
      toast(toBackendError(e).message, "error");
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
    this.panel.refreshEmpty();
  }

  private onEvent(run: number, e: LoadEvent): void {
    const p = e.data.provider;
    if (!this.isCurrent(run, p)) return; // a superseded run's channel
    const ls = this.state.load(p);
    if (e.event === "batch") {
      // Rows of the current run are always kept: Tauri may deliver a large channel
      // message after the command itself has returned.
      this.panel.appendBatch(p, e.data.items);
      if (ls.throttle) this.clearThrottle(p);
      return; // rows don't change the cards; progress events do
    }
    if (ls.phase !== "loading") return; // this run already ended (done/failed)
    switch (e.event) {
      case "progress":
        ls.perType.set(e.data.object_type, e.data.loaded);
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
        this.panel.endLoad(p, true);
        break;
      case "failed": {
        ls.phase = "failed";
        ls.throttle = null;
        ls.failure = { code: e.data.code, message: e.data.message, resumable: e.data.resumable };
        this.panel.endLoad(p, false);
        if (e.data.code === "cancelled") toast(`Stopped loading ${providerName(p)}. ${formatNumber(this.panel.model.countForProvider(p))} items kept.`, "info");
        // Prefix the provider unless the message already starts with it.
        else toast(e.data.message.startsWith(providerName(p)) ? e.data.message : `${providerName(p)}: ${e.data.message}`, "error");
        break;
      }
    }
    this.state.changed();
    this.panel.refreshEmpty();
  }

  private clearThrottle(p: ProviderId): void {
    this.state.load(p).throttle = null;
    this.state.changed();
  }

  /** The command itself rejected (e.g. not connected): every provider it still owns failed. */
  private commandFailed(run: number, ps: ProviderId[], e: unknown): void {
    const err = toBackendError(e);
    let any = false;
    for (const p of ps) {
      const ls = this.state.load(p);
      if (!this.isCurrent(run, p) || ls.phase !== "loading") continue;
      any = true;
      ls.phase = "failed";
      ls.failure = { code: err.code, message: err.message, resumable: false };
      this.panel.endLoad(p, false);
    }
    if (any) toast(err.message, "error");
  }

  /**
   * The command returned: providers this run still owns and that are still loading
   * finished without a final event. Providers taken over by a newer run (a resume or
   * reload started meanwhile) are left alone.
   */
  private async settle(run: number, ps: ProviderId[]): Promise<void> {
    // The final event may still be on its way (large channel messages are fetched
    // separately): give it a moment before concluding there was none.
    const waiting = () => ps.some((p) => this.isCurrent(run, p) && this.state.load(p).phase === "loading");
    for (let waited = 0; waiting() && waited < SETTLE_GRACE_MS; waited += 25) {
      await new Promise((r) => setTimeout(r, 25));
    }
    for (const p of ps) {
      const ls = this.state.load(p);
      if (this.isCurrent(run, p) && ls.phase === "loading") {
        ls.phase = "done";
        ls.count = this.panel.model.countForProvider(p);
        this.panel.endLoad(p, true);
      }
    }
    this.state.changed();
    this.panel.refreshEmpty();
  }
}
