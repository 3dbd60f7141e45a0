// Provider names, as Rust names them (ProviderView.name from list_providers and
// connection-changed): Rust is the one owner of the fact. Until the first answer
// arrives a provider reads as its id.
import type { ProviderId, ProviderView } from "./backend";

const names = new Map<ProviderId, string>();

/** The name people read ("HubSpot"). */
export function providerName(p: ProviderId): string {
  return names.get(p) ?? p;
}

const listeners = new Set<() => void>();

/**
 * Calls `cb` whenever a name changes (the first answer replaces the ids): whatever
 * was drawn with an id before it arrived (the table's first rows, the chips) is drawn
 * again.
 */
export function onProviderNames(cb: () => void): () => void {
  listeners.add(cb);
  return () => listeners.delete(cb);
}

/** Takes the names from provider views as they arrive. */
export function learnProviderName(view: ProviderView): void {
  if (names.get(view.id) === view.name) return;
  names.set(view.id, view.name);
  listeners.forEach((cb) => cb());
}
