// The only door between the UI and the host. Everything else in src/ talks to a
// `Backend`; which one (Tauri or the in-memory mock) is decided once, here.
//
// The contract is generated from Rust (bindings.ts, `make bindings`): `Backend` is
// derived from its `commands`, so a command added, removed or changed in Rust fails
// the TypeScript build of both implementations (tauri.ts and mock.ts) until they follow.
import type { Channel } from "@tauri-apps/api/core";
import type * as B from "./bindings";
import { createTauriBackend } from "./tauri";
import { createMockBackend } from "./mock";

// What Rust sends (its `_Serialize` shapes: every field present) under the plain names.
export type AppStatus = B.AppStatus_Serialize;
export type ProviderView = B.ProviderView_Serialize;
export type SettingsView = B.SettingsView_Serialize;
export type IntegrationItem = B.IntegrationItem_Serialize;
export type QueryResult = B.QueryResult_Serialize;
export type RowView = B.RowView_Serialize;
export type LoadStatus = B.LoadStatus_Serialize;
export type StoreStatus = B.StoreStatus_Serialize;
// What the UI sends, written in full (assignable to Rust's `_Deserialize` shapes).
export type ItemQuery = B.ItemQuery_Serialize;
export type SettingsInput = B.SettingsInput_Serialize;
export type {
  ConnectionState,
  Counts,
  ErrorCode,
  ExportFormat,
  ExportOutcome,
  IpcError,
  JsonValue,
  ItemKey,
  LoadUpdate,
  ProviderId,
  SignInMode,
  Sort,
  SortColumn,
  SortDir,
  StoppedLoad,
  StoredItems,
} from "./bindings";
export * from "./types";

export type Unlisten = () => void;

type Commands = typeof B.commands;
/** A command's answer: tauri-specta's `{status: "ok", data}`, unwrapped. */
type Answer<F> = F extends (...args: never[]) => Promise<infer R> ? (R extends { status: "ok"; data: infer T } ? T : never) : never;
/** A command's arguments, with each `Channel<T>` taken as a plain callback. */
type Args<A extends readonly unknown[]> = { [K in keyof A]: A[K] extends Channel<infer T> ? (update: T) => void : A[K] };

/**
 * Every command of the contract, camelCase as bindings.ts names them. Each resolves
 * with its answer or rejects with an IpcError ({code, message}), so callers keep
 * plain try/catch.
 */
export type BackendCommands = { [K in keyof Commands]: (...args: Args<Parameters<Commands[K]>>) => Promise<Answer<Commands[K]>> };

export interface Backend extends BackendCommands {
  readonly kind: "tauri" | "mock";
  /** `connection-changed`: a card changed (connected, disconnected, a load ended). */
  onConnectionChanged(cb: (view: ProviderView) => void): Promise<Unlisten>;
  /** `status-changed`: the status bar's facts changed. */
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
