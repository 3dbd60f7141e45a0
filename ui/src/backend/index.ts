// The only door between the UI and the host. Everything else in src/ talks to a
// `Backend`; which one (Tauri or the in-memory mock) is decided once, here.
import type {
  AppStatus,
  ExportFormat,
  ExportResult,
  LoadEvent,
  ProviderId,
  ProviderView,
  SettingsInput,
  SettingsView,
} from "./types";
import { createTauriBackend } from "./tauri";
import { createMockBackend } from "./mock";

export * from "./types";

export type Unlisten = () => void;

export interface Backend {
  readonly kind: "tauri" | "mock";
  appStatus(): Promise<AppStatus>;
  retryCache(): Promise<AppStatus>;
  listProviders(): Promise<ProviderView[]>;
  /** Resolves with the connected view; rejects with oauth_denied, oauth_aborted, … */
  connect(provider: ProviderId): Promise<ProviderView>;
  cancelConnect(provider: ProviderId): Promise<void>;
  useBrowserInstead(provider: ProviderId): Promise<void>;
  disconnect(provider: ProviderId): Promise<ProviderView>;
  getSettings(): Promise<SettingsView>;
  saveSettings(settings: SettingsInput): Promise<SettingsView>;
  /** Write-only: the secret never comes back. */
  setClientSecret(provider: ProviderId, secret: string): Promise<void>;
  forgetEverything(): Promise<void>;
  /** Streams LoadEvents to `onEvent`; resolves when every provider has finished. */
  loadItems(providers: ProviderId[], onEvent: (e: LoadEvent) => void): Promise<void>;
  resumeLoad(provider: ProviderId, onEvent: (e: LoadEvent) => void): Promise<void>;
  cancelLoad(provider: ProviderId): Promise<void>;
  /**
   * Rust asks where to save in the native dialog, then writes; keys = row keys of the
   * rows to export, or null for all rows. A closed dialog resolves as "cancelled".
   */
  exportItems(format: ExportFormat, keys: string[] | null): Promise<ExportResult>;
  /** Opens an http(s) URL in the system browser. */
  openUrl(url: string): Promise<void>;
  onConnectionChanged(cb: (view: ProviderView) => void): Promise<Unlisten>;
  onStatusChanged(cb: (status: AppStatus) => void): Promise<Unlisten>;
}

declare global {
  interface Window {
    __TAURI_INTERNALS__?: unknown;
  }
}

let instance: Backend | null = null;

/**
 * Tauri when running inside the app's webview; in a plain browser the mock, which
 * only test builds (`npm run build:test`) contain.
 */
export function getBackend(): Backend {
  if (!instance) {
    if (window.__TAURI_INTERNALS__) instance = createTauriBackend();
    else if (__JUNCTION_TEST_BUILD__) instance = createMockBackend(window.location.search);
    else throw new Error("Junction's window runs inside the Junction app; this build has no mock backend (npm run build:test).");
  }
  return instance;
}
