// App state that several modules render from: providers, per-provider load
// progress, app status. A single change signal is enough at this size; renderers
// are cheap and only the cards and status bar listen.
import type { AppStatus, ProviderId, ProviderView } from "./backend";
import { PROVIDER_IDS } from "./backend";
import { learnProviderName } from "./providers";

export interface LoadState {
  phase: "idle" | "loading" | "done" | "failed";
  /** Items loaded so far per object type, from progress events. */
  perType: Map<string, number>;
  throttle: { message: string; until: number } | null;
  failure: { code: string; message: string; resumable: boolean } | null;
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
}
