// Real backend: Tauri commands, a Channel per load, app-wide events.
// Argument names are camelCase here; Tauri maps them to Rust's snake_case.
import { Channel, invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type { Backend } from "./index";
import {
  toBackendError,
  type AppStatus,
  type ExportFormat,
  type ExportResult,
  type LoadEvent,
  type ProviderId,
  type ProviderView,
  type SettingsInput,
  type SettingsView,
} from "./types";

/** invoke() whose rejection is always a BackendError. */
async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toBackendError(e);
  }
}

function channelFor(onEvent: (e: LoadEvent) => void): Channel<LoadEvent> {
  const ch = new Channel<LoadEvent>();
  ch.onmessage = onEvent;
  return ch;
}

export function createTauriBackend(): Backend {
  return {
    kind: "tauri",
    appStatus: () => call<AppStatus>("app_status"),
    retryCache: () => call<AppStatus>("retry_cache"),
    listProviders: () => call<ProviderView[]>("list_providers"),
    connect: (provider: ProviderId) => call<ProviderView>("connect", { provider }),
    cancelConnect: (provider: ProviderId) => call<void>("cancel_connect", { provider }),
    useBrowserInstead: (provider: ProviderId) => call<void>("use_browser_instead", { provider }),
    disconnect: (provider: ProviderId) => call<ProviderView>("disconnect", { provider }),
    getSettings: () => call<SettingsView>("get_settings"),
    saveSettings: (settings: SettingsInput) => call<SettingsView>("save_settings", { settings }),
    setClientSecret: (provider: ProviderId, secret: string) =>
      call<void>("set_client_secret", { provider, secret }),
    forgetEverything: () => call<void>("forget_everything"),
    loadItems: (providers: ProviderId[], onEvent) =>
      call<void>("load_items", { providers, onEvent: channelFor(onEvent) }),
    resumeLoad: (provider: ProviderId, onEvent) =>
      call<void>("resume_load", { provider, onEvent: channelFor(onEvent) }),
    cancelLoad: (provider: ProviderId) => call<void>("cancel_load", { provider }),
    // No path: Rust opens the save dialog itself and writes where the user chose.
    exportItems: (format: ExportFormat, keys: string[] | null) =>
      call<ExportResult>("export_items", { format, keys }),
    openUrl: (url: string) => call<void>("open_url", { url }),
    onConnectionChanged: (cb) => listen<ProviderView>("connection-changed", (e) => cb(e.payload)),
    onStatusChanged: (cb) => listen<AppStatus>("status-changed", (e) => cb(e.payload)),
  };
}
