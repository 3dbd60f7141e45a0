// What the UI adds to the generated contract (bindings.ts): the provider order, key
// comparison and error normalisation. The contract's own types come from bindings.ts
// only (re-exported by index.ts).
import type { ErrorCode, IpcError, ItemKey, ItemQuery_Serialize, ProviderId } from "./bindings";

/** The cards' and chips' order (as Rust lists them). */
export const PROVIDER_IDS: readonly ProviderId[] = ["hubspot", "airtable", "notion"];

/** The whole table: no filter, no search, arrival order. */
export const PLAIN_QUERY: ItemQuery_Serialize = { providers: [], types: [], search: "", sort: null };

/** Whether two keys name the same item (provider + account + type + id). */
export function sameKey(a: ItemKey | null | undefined, b: ItemKey | null | undefined): boolean {
  return !!a && !!b && a.id === b.id && a.type === b.type && a.provider === b.provider && a.account === b.account;
}

const CODES: ReadonlySet<string> = new Set<ErrorCode>([
  "config_invalid", "cache_unavailable", "secrets_unavailable", "not_configured", "not_connected",
  "needs_reconnect", "oauth_denied", "oauth_state_invalid", "oauth_aborted", "oauth_token_failed",
  "port_in_use", "provider_http", "provider_response", "rate_limited", "network", "cancelled", "io",
  "store_failed", "interrupted", "invalid_input", "internal",
]);

/**
 * Normalises whatever a rejected call carried into an IpcError, so UI code can always
 * branch on `code` (Tauri rejects with a bare string on panics or permission errors,
 * and JS errors have no code).
 */
export function toIpcError(e: unknown): IpcError {
  if (e && typeof e === "object" && "code" in e && "message" in e) {
    const o = e as { code: unknown; message: unknown };
    const code = String(o.code);
    return { code: CODES.has(code) ? (code as ErrorCode) : "internal", message: String(o.message) };
  }
  if (e instanceof Error) return { code: "internal", message: e.message };
  if (typeof e === "string") return { code: "internal", message: e };
  return { code: "internal", message: "Something went wrong." };
}
