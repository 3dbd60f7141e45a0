// Provider names, as Rust names them (ProviderView.name from list_providers and
// connection-changed): Rust is the one owner of the fact. Until the first answer
// arrives a provider reads as its id.
import type { ProviderId, ProviderView } from "./backend";

const names = new Map<ProviderId, string>();

/** The name people read ("HubSpot"). */
export function providerName(p: ProviderId): string {
  return names.get(p) ?? p;
}

/** Takes the names from provider views as they arrive. */
export function learnProviderName(view: ProviderView): void {
  names.set(view.id, view.name);
}
