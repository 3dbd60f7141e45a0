// Types of the IPC contract (docs/ipc.md). Kept in one file so a change to the
// contract is a change here and the compiler points at every use.

export type ProviderId = "hubspot" | "airtable" | "notion";
export const PROVIDER_IDS: readonly ProviderId[] = ["hubspot", "airtable", "notion"];

/** Field order = export/CSV column order (mirrors the Rust struct). */
export interface IntegrationItem {
  id: string | null;
  type: string | null;
  directory: boolean;
  parent_path_or_name: string | null;
  parent_id: string | null;
  name: string | null;
  creation_time: string | null;
  last_modified_time: string | null;
  url: string | null;
  children: string[] | null;
  mime_type: string | null;
  delta: string | null;
  drive_id: string | null;
  visibility: boolean | null;
  provider: ProviderId;
  properties: Record<string, string>;
}

export type ConnectionState =
  | "not_configured"
  | "not_connected"
  | "connecting"
  | "connected"
  | "needs_reconnect";

export interface ProviderView {
  id: ProviderId;
  name: string;
  state: ConnectionState;
  hint: string | null;
  account: string | null;
  expires_at: string | null;
  last_error: string | null;
}

export interface AppStatus {
  cache: { kind: "embedded" | "redis"; label: string; ok: boolean; error: string | null; warning: string | null };
  secrets: { backend: "keyring" | "file" | "memory"; warning: string | null };
  version: string;
}

export type SignInMode = "popup" | "browser";

export interface ProviderSettingsView {
  id: ProviderId;
  name: string;
  client_id: string;
  client_secret_set: boolean;
  /** Whether Connect needs a client secret (Airtable's PKCE apps work without one). */
  client_secret_required: boolean;
  env_overrides: string[];
}

export interface SettingsView {
  providers: ProviderSettingsView[];
  sign_in_mode: SignInMode;
  redirect_port: number;
  /** The lowest and highest port the field accepts (Rust's rule). */
  redirect_ports: [number, number];
  redis_url: string | null;
  env_overrides: string[];
}

export interface SettingsInput {
  providers: { id: ProviderId; client_id: string }[];
  sign_in_mode: SignInMode;
  redirect_port: number;
  redis_url: string | null;
}

export type LoadEvent =
  | { event: "batch"; data: { provider: ProviderId; items: IntegrationItem[] } }
  | { event: "progress"; data: { provider: ProviderId; object_type: string; loaded: number } }
  | { event: "throttled"; data: { provider: ProviderId; message: string; wait_ms: number } }
  | { event: "done"; data: { provider: ProviderId; count: number } }
  | {
      event: "failed";
      data: { provider: ProviderId; code: string; message: string; resumable: boolean };
    };

export type ExportFormat = "json" | "ndjson" | "csv";

/** Where the file went is the user's choice in Rust's save dialog, never the page's. */
export type ExportResult =
  | { outcome: "exported"; path: string; count: number }
  | { outcome: "cancelled" };

/** Every failing command rejects with this shape. */
export interface BackendError {
  code: string;
  message: string;
}

/** Row key as defined by the contract: `${provider}:${type}:${id}`. */
export function rowKey(item: IntegrationItem): string {
  return `${item.provider}:${item.type ?? ""}:${item.id ?? ""}`;
}

/**
 * Normalises whatever a rejected promise carried into {code, message}, so UI code
 * can always branch on `code` (Tauri may reject with a bare string on panics or
 * permission errors, and JS errors have no code).
 */
export function toBackendError(e: unknown): BackendError {
  if (e && typeof e === "object" && "code" in e && "message" in e) {
    const o = e as { code: unknown; message: unknown };
    return { code: String(o.code), message: String(o.message) };
  }
  if (e instanceof Error) return { code: "internal", message: e.message };
  if (typeof e === "string") return { code: "internal", message: e };
  return { code: "internal", message: "Something went wrong." };
}
