// Runs loads: starts them through the backend, routes the streamed LoadEvents to
// the table (rows) and to the app state (progress, throttling, failures).
import { toBackendError, type Backend, type LoadEvent, type ProviderId } from "./backend";
import type { ItemsPanel } from "./table";
import { PROVIDER_NAMES, formatNumber } from "./table/model";
import type { AppState } from "./state";
import { toast } from "./toast";

export class Loader {
  private throttleTimers = new Map<ProviderId, number>();

  constructor(
    private backend: Backend,
    private state: AppState,
    private panel: ItemsPanel,
  ) {}

  /** Loads the given providers from scratch (their old rows are replaced). */
  async load(providers: ProviderId[]): Promise<void> {
    const ps = providers.filter((p) => this.state.load(p).phase !== "loading");
    if (!ps.length) return;
    for (const p of ps) {
      this.state.loads.set(p, { phase: "loading", perType: new Map(), throttle: null, failure: null, count: 0 });
      this.panel.beginLoad(p);
    }
    this.started();
    try {
      await this.backend.loadItems(ps, (e) => this.onEvent(e));
    } catch (e) {
      this.commandFailed(ps, e);
    }
    this.settle(ps);
  }

  /** Continues a failed load where it stopped; rows loaded so far are kept. */
  async resume(p: ProviderId): Promise<void> {
    const ls = this.state.load(p);
    ls.phase = "loading";
    ls.failure = null;
    this.started();
    try {
      await this.backend.resumeLoad(p, (e) => this.onEvent(e));
    } catch (e) {
      this.commandFailed([p], e);
    }
    this.settle([p]);
  }

  async cancel(p: ProviderId): Promise<void> {
    try {
      await this.backend.cancelLoad(p);
    } catch (e) {
      toast(toBackendError(e).message, "error");
    }
  }

  private started(): void {
    this.state.changed();
    this.panel.refreshEmpty();
  }

  private onEvent(e: LoadEvent): void {
    const p = e.data.provider;
    const ls = this.state.load(p);
    switch (e.event) {
      case "batch":
        this.panel.appendBatch(p, e.data.items);
        if (ls.throttle) this.clearThrottle(p);
        return; // rows don't change the cards; progress events do
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
        if (e.data.code === "cancelled") toast(`Stopped loading ${PROVIDER_NAMES[p]}. ${formatNumber(this.panel.model.countForProvider(p))} items kept.`, "info");
        // Prefix the provider unless the message already starts with it.
        else toast(e.data.message.startsWith(PROVIDER_NAMES[p]) ? e.data.message : `${PROVIDER_NAMES[p]}: ${e.data.message}`, "error");
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

  /** The command itself rejected (e.g. not connected): every provider it covered failed. */
  private commandFailed(ps: ProviderId[], e: unknown): void {
    const err = toBackendError(e);
    for (const p of ps) {
      const ls = this.state.load(p);
      if (ls.phase !== "loading") continue;
      ls.phase = "failed";
      ls.failure = { code: err.code, message: err.message, resumable: false };
      this.panel.endLoad(p, false);
    }
    toast(err.message, "error");
  }

  /** The command resolved: anything still marked loading finished without a final event. */
  private settle(ps: ProviderId[]): void {
    for (const p of ps) {
      const ls = this.state.load(p);
      if (ls.phase === "loading") {
        ls.phase = "done";
        ls.count = this.panel.model.countForProvider(p);
        this.panel.endLoad(p, true);
      }
    }
    this.state.changed();
    this.panel.refreshEmpty();
  }
}
