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
  /** keys = row keys of the rows to export, or null for all rows. */
  exportItems(path: string, format: ExportFormat, keys: string[] | null): Promise<ExportResult>;
  /** Opens an http(s) URL in the system browser. */
  openUrl(url: string): Promise<void>;
  /** Native save dialog; null when the user cancelled. */
  pickSavePath(format: ExportFormat, defaultName: string): Promise<string | null>;
  onConnectionChanged(cb: (view: ProviderView) => void): Promise<Unlisten>;
  onStatusChanged(cb: (status: AppStatus) => void): Promise<Unlisten>;
}

declare global {
  interface Window {
    __TAURI_INTERNALS__?: unknown;
  }
}

let instance: Backend | null = null;

/** Tauri when running inside the app's webview, the mock in a plain browser. */
export function getBackend(): Backend {
  if (!instance) {
    instance = window.__TAURI_INTERNALS__ ? createTauriBackend() : createMockBackend(window.location.search);
  }
  return instance;
}
