// App state that several modules render from: providers (with what the store holds
// for each), the loads this window runs, app status. A single change signal is enough
// at this size; renderers are cheap and only the cards and header listen.
import type { AppStatus, ErrorCode, ProviderId, ProviderView } from "./backend";
import { PROVIDER_IDS } from "./backend";
import { learnProviderName } from "./providers";

/** A load this window runs (or ran): what its channel said. */
export interface LoadState {
  phase: "idle" | "loading" | "done" | "failed";
  /** Items written so far per object type, from progress events (cumulative across a resume). */
  perType: Map<string, number>;
  throttle: { message: string; until: number } | null;
  failure: { code: ErrorCode; message: string; resumable: boolean } | null;
  /** Final count of the last completed load. */
  count: number;
}

export function idleLoad(): LoadState {
  return { phase: "idle", perType: new Map(), throttle: null, failure: null, count: 0 };
}

type Listener = () => void;

export class AppState {
  providers = new Map<ProviderId, ProviderView>();
  loads = new Map<ProviderId, LoadState>(PROVIDER_IDS.map((id) => [id, idleLoad()]));
  status: AppStatus | null = null;
  private listeners = new Set<Listener>();
  private queued = false;

  on(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Coalesces bursts (a batch of progress events) into one render per microtask. */
  changed(): void {
    if (this.queued) return;
    this.queued = true;
    queueMicrotask(() => {
      this.queued = false;
      this.listeners.forEach((fn) => fn());
    });
  }

  setProvider(v: ProviderView): void {
    learnProviderName(v);
    this.providers.set(v.id, v);
    this.changed();
  }

  load(p: ProviderId): LoadState {
    return this.loads.get(p)!;
  }

  get connected(): ProviderId[] {
    return PROVIDER_IDS.filter((id) => this.providers.get(id)?.state === "connected");
  }

  get anyLoading(): boolean {
    return [...this.loads.values()].some((l) => l.phase === "loading");
  }

  /**
   * Why `p`'s last load stopped, if it did and nothing newer replaced it: this
   * window's own run first, else what the store recorded (a load stopped before a
   * restart, or in junction-cli).
   */
  stopped(p: ProviderId): { code: ErrorCode; message: string; resumable: boolean; count: number | null } | null {
    const why = this.lastStop(p);
    // "Needs to be reconnected" is told by the card's status; once connected again it
    // is past (unless it left something to resume).
    const reconnected = this.providers.get(p)?.state === "connected";
    if (why && reconnected && !why.resumable && (why.code === "needs_reconnect" || why.code === "not_connected")) return null;
    return why;
  }

  private lastStop(p: ProviderId): { code: ErrorCode; message: string; resumable: boolean; count: number | null } | null {
    const ls = this.load(p);
    if (ls.phase === "loading" || ls.phase === "done") return null;
    const f = this.providers.get(p)?.load.failed;
    if (ls.phase === "failed" && ls.failure) {
      // How many items it kept is what the store recorded for this same stop (the
      // card is asked for again when a load ends); until then it is unknown.
      const same = f && f.code === ls.failure.code && f.message === ls.failure.message;
      return { ...ls.failure, count: same ? f.count : null };
    }
    return f ? { code: f.code, message: f.message, resumable: f.resumable, count: f.count } : null;
  }
}
