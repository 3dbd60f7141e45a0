// In-memory twin of the Rust backend for browser tests, benchmarks and UI work
// without a Tauri build. It implements the generated contract (Backend, from
// bindings.ts) with the item store's semantics (mock-store.ts): loads write to the
// store and report progress only; the table asks for windows of rows. Configured
// through the page's query string:
//   ?mock=connected   all providers start connected
//   ?stored=N         the store starts with N items (a complete load of each provider,
//                     2 hours ago, split 40/35/25 %); no Load needed to see them
//   ?items=N          a load of all providers writes N generated items (batches ≤ 1,000)
//   ?delay=MS         pause between batches (default 8 ms)
//   ?fail=<provider>  that provider's first load fails half-way (resumable)
//   ?failat=N         …fails after N of its items instead (0: before its first batch)
//   ?failreload=<p>   every load of <p> after a completed one fails (after ?failat
//                     items, default 0: before its first batch), resumable; the
//                     previous complete set stays
//   ?resumedelay=MS   pause between batches of a resumed load (default: ?delay)
//   ?resend=1         Notion re-sends rows of its previous batch with the same key,
//                     now with their parent filled in (as the real Notion loader does)
//   ?edit=1           a provider's second and later loads return edited items
//                     (name + " (edited)"), and its last 10% are gone upstream
//   ?listdelay=MS     how long list_providers takes (default 0): rows may come first
//   ?querydelay=MS    how long query_items takes (default 0); hooks.queryDelays
//                     overrides it call by call (to answer out of order)
//   ?storeproblem=1   the store started empty because items.db was damaged
//   ?config=none      no provider has a client ID (all not configured)
//   ?statusevent=0    save_settings doesn't emit status-changed (older Rust shells)
//   ?exportdelay=MS   how long export_items takes (default 150 ms)
//   ?savecancel=1     the save dialog is cancelled (export_items resolves "cancelled")
//   ?throttle=1       Airtable sends a throttled notice mid-load
//   ?cache=down       the Redis cache starts unreachable (retry fixes it)
//   ?secrets=file     secrets fall back to a file, with a warning
//   ?env=1            some settings are overridden by environment variables
// window.__JUNCTION_MOCK__ exposes what the UI asked for, for assertions.
// Only test builds contain this file (getBackend in index.ts).
import type { Backend, Unlisten } from "./index";
import type {
  AppStatus_Serialize as AppStatus,
  ErrorCode,
  ExportFormat,
  IntegrationItem_Serialize as IntegrationItem,
  IpcError,
  ItemQuery_Deserialize,
  ItemQuery_Serialize as ItemQuery,
  LoadUpdate,
  ProviderId,
  ProviderView_Serialize as ProviderView,
  SettingsInput_Deserialize as SettingsInput,
  SettingsView_Serialize as SettingsView,
} from "./bindings";
import { makeItem, PROVIDER_SHARE, PROVIDER_TYPES } from "./mock-data";
import { MockStore, type MockSet } from "./mock-store";
import { PROVIDER_IDS } from "./types";

export interface MockHooks {
  /**
   * The last export written: its query as Rust received it, how many rows, and the
   * keys ("provider:type:id") of the rows the file holds, in its order.
   */
  lastExport: { path: string; format: ExportFormat; query: ItemQuery | null; count: number; keys: string[] } | null;
  /** Every export_items call's arguments, as the page sent them (no path among them). */
  exportArgs: Record<string, unknown>[];
  /** Every query_items call: the query, offset and limit the table asked for. */
  queries: { query: ItemQuery; offset: number; limit: number }[];
  /** Delays (ms) for the next query_items calls, one each; then ?querydelay. */
  queryDelays: number[];
  /** Every get_item call's key id. */
  itemsFetched: string[];
  openedUrls: string[];
  secretsSet: { provider: ProviderId; length: number }[];
  savedSettings: SettingsInput[];
  calls: string[];
  /** Where the mock's save dialog "chooses" to save, before the format's extension. */
  savePath: string;
  /** The save dialog is cancelled while this is true. */
  cancelSave: boolean;
}

declare global {
  interface Window {
    __JUNCTION_MOCK__?: MockHooks;
  }
}

const NAMES: Record<ProviderId, string> = { hubspot: "HubSpot", airtable: "Airtable", notion: "Notion" };
const ACCOUNTS: Record<ProviderId, string> = {
  hubspot: "Acme Sales (portal 4242)",
  airtable: "Acme Ops workspace",
  notion: "Acme Wiki",
};
/** Rust's cap on one window of rows. */
const MOST_ROWS = 2000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const err = (code: ErrorCode, message: string): IpcError => ({ code, message });
const nowIso = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");

/** Rust fills what the page may leave out of a query. */
function fullQuery(q: ItemQuery_Deserialize): ItemQuery {
  return { providers: q.providers ?? [], types: q.types ?? [], search: q.search ?? "", sort: q.sort ?? null };
}

export function createMockBackend(search: string): Backend {
  const q = new URLSearchParams(search);
  const allConnected = q.get("mock") === "connected";
  const totalItems = Math.max(0, Number(q.get("items") ?? 1500) || 0);
  const storedItems = Math.max(0, Number(q.get("stored") ?? 0) || 0);
  const batchDelay = Math.max(0, Number(q.get("delay") ?? 8));
  const failProvider = q.get("fail") as ProviderId | null;
  const failAtParam = q.get("failat");
  const failReload = q.get("failreload") as ProviderId | null;
  const resumeDelay = Math.max(0, Number(q.get("resumedelay") ?? batchDelay));
  const resend = q.get("resend") === "1";
  const editReloads = q.get("edit") === "1";
  const noneConfigured = q.get("config") === "none";
  const statusEventOnSave = q.get("statusevent") !== "0";
  const exportDelay = Math.max(0, Number(q.get("exportdelay") ?? 150));
  const queryDelay = Math.max(0, Number(q.get("querydelay") ?? 0));
  const listDelay = Math.max(0, Number(q.get("listdelay") ?? 0));
  const throttle = q.get("throttle") === "1";
  const envMode = q.get("env") === "1";

  const hooks: MockHooks = {
    lastExport: null,
    openedUrls: [],
    secretsSet: [],
    savedSettings: [],
    calls: [],
    exportArgs: [],
    queries: [],
    queryDelays: [],
    itemsFetched: [],
    savePath: "/home/user/Documents/junction-export",
    cancelSave: q.get("savecancel") === "1",
  };
  window.__JUNCTION_MOCK__ = hooks;

  const store = new MockStore();
  /** Completed loads per provider (for ?failreload and ?edit). */
  const completedLoads = new Map<ProviderId, number>();

  /** Split N by share; the last provider gets the remainder so the sum is exact. */
  function share(n: number, p: ProviderId): number {
    const a = Math.floor(n * PROVIDER_SHARE.hubspot);
    const b = Math.floor(n * PROVIDER_SHARE.airtable);
    return p === "hubspot" ? a : p === "airtable" ? b : n - a - b;
  }
  /** The generator of a provider's items; edited ones after its first completed load. */
  const maker = (p: ProviderId, edited: boolean) =>
    edited
      ? (i: number): IntegrationItem => {
          const base = makeItem(p, i);
          return { ...base, name: `${base.name ?? ""} (edited)` };
        }
      : (i: number) => makeItem(p, i);

  if (storedItems > 0) {
    const loadedAt = new Date(Date.now() - 2 * 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    for (const p of PROVIDER_IDS) {
      const n = share(storedItems, p);
      if (!n) continue;
      store.seed(p, n, maker(p, false), loadedAt);
      completedLoads.set(p, 1);
    }
  }

  const dataDir = "/home/user/.local/share/app.junction.desktop";
  const storeStatus = () => ({
    path: `${dataDir}/items.db`,
    // Roughly what SQLite takes per item (row, key index, search text).
    size_bytes: 32_768 + store.count(null) * 610,
    problem:
      q.get("storeproblem") === "1"
        ? `The item store was damaged and started empty; the old file is ${dataDir}/items.db.corrupt-20250601T101500Z (file is not a database)`
        : null,
  });

  const settings: SettingsView = {
    providers: PROVIDER_IDS.map((id) => ({
      id,
      name: NAMES[id],
      client_id: noneConfigured || (id === "airtable" && !allConnected) ? "" : `${id}-client-id-1234`,
      client_secret_set: id === "hubspot",
      client_secret_required: id !== "airtable",
      env_overrides: envMode && id === "notion" ? ["JUNCTION_NOTION_CLIENT_ID"] : [],
    })),
    sign_in_mode: "popup",
    redirect_port: 17893,
    redirect_ports: [1, 65535],
    redis_url: envMode ? "redis://:***@cache.internal:6379" : null,
    hubspot_archived: false,
    env_overrides: envMode ? ["JUNCTION_NOTION_CLIENT_ID", "JUNCTION_REDIS_URL"] : [],
    store: storeStatus(),
  };

  type Connection = Omit<ProviderView, "stored" | "load">;
  const connections = new Map<ProviderId, Connection>(
    PROVIDER_IDS.map((id) => [
      id,
      {
        id,
        name: NAMES[id],
        state: allConnected && !noneConfigured ? "connected" : "not_connected",
        hint: null,
        account: allConnected && !noneConfigured ? ACCOUNTS[id] : null,
        expires_at: allConnected && !noneConfigured ? new Date(Date.now() + 3600_000).toISOString() : null,
        last_error: null,
      },
    ]),
  );
  /** Providers with a load running. */
  const running = new Set<ProviderId>();
  /** The card as Rust builds it: the connection plus what the store holds. */
  const viewOf = (id: ProviderId): ProviderView => ({
    ...connections.get(id)!,
    stored: store.stored(id),
    load: { running: running.has(id), failed: store.stopped(id) },
  });
  const refreshConfigured = () => {
    for (const p of settings.providers) {
      const v = connections.get(p.id)!;
      if (!p.client_id && v.state !== "connected") {
        v.state = "not_configured";
        v.hint = `Set the ${NAMES[p.id]} client ID in Settings`;
      } else if (v.state === "not_configured") {
        v.state = "not_connected";
        v.hint = null;
      }
    }
  };
  refreshConfigured();

  let status: AppStatus = {
    cache:
      q.get("cache") === "down"
        ? { kind: "redis", label: "Cache: Redis at cache.internal:6379", ok: false, error: "Connection refused (os error 111)" }
        : { kind: "embedded", label: "Cache: embedded", ok: true, error: null },
    secrets:
      q.get("secrets") === "file"
        ? {
            backend: "file",
            warning: "No OS keychain available: secrets are stored in a file readable only by you.",
          }
        : { backend: "keyring", warning: null },
    store: storeStatus(),
    version: "0.1.0-mock",
  };
  const currentStatus = (): AppStatus => ({ ...structuredClone(status), store: storeStatus() });

  const connListeners = new Set<(v: ProviderView) => void>();
  const statusListeners = new Set<(s: AppStatus) => void>();
  const emitView = (id: ProviderId) => {
    const v = viewOf(id);
    // Events are async in Tauri too; never call back inside the command.
    queueMicrotask(() => connListeners.forEach((cb) => cb(v)));
  };
  const setConnection = (id: ProviderId, patch: Partial<Connection>) => {
    Object.assign(connections.get(id)!, patch);
    emitView(id);
    return viewOf(id);
  };

  const pendingConnect = new Map<ProviderId, (e: IpcError | null) => void>();
  const cancelled = new Set<ProviderId>();

  /** Where the ?fail provider's first load stops. */
  const failAt = (total: number, fallback: number) =>
    failAtParam === null ? fallback : Math.min(total, Math.max(0, Number(failAtParam) || 0));

  async function runLoad(providers: ProviderId[], onEvent: (e: LoadUpdate) => void, resume: boolean) {
    for (const p of providers) {
      if (connections.get(p)!.state !== "connected") throw err("not_connected", `${NAMES[p]} is not connected.`);
    }
    const cursors = providers.map((p) => {
      const reload = (completedLoads.get(p) ?? 0) > 0;
      const edited = editReloads && reload;
      const set: MockSet = store.begin(p, resume, maker(p, edited));
      const total = edited ? Math.floor(share(totalItems, p) * 0.9) : share(totalItems, p);
      // Where this run stops with a failure (resumable), if it does.
      let stopAt: number | null = null;
      if (!resume && p === failReload && reload) stopAt = failAt(total, 0);
      else if (!resume && p === failProvider && !reload) stopAt = failAt(total, Math.ceil(total / 2));
      return { p, set, total, stopAt, reload, finished: false, throttled: false, prevStart: -1, prevEnd: -1 };
    });
    for (const p of providers) {
      cancelled.delete(p);
      running.add(p);
    }
    const stop = (c: (typeof cursors)[number], code: ErrorCode, message: string) => {
      c.finished = true;
      running.delete(c.p);
      store.fail(c.set, { code, message, resumable: true });
      onEvent({ event: "failed", data: { provider: c.p, code, message, resumable: true } });
    };
    // Round-robin over providers, as concurrent real loads interleave.
    while (cursors.some((c) => !c.finished)) {
      for (const c of cursors) {
        if (c.finished) continue;
        const next = c.set.count;
        if (cancelled.has(c.p)) {
          stop(c, "cancelled", `${NAMES[c.p]} load cancelled`);
          continue;
        }
        if (c.stopAt !== null && next >= c.stopAt && c.total > 0) {
          if (c.p === failProvider) setConnection(c.p, { last_error: `${NAMES[c.p]} returned 502 Bad Gateway five times in a row.` });
          // ?failreload: the provider is down; ?fail: it breaks off during the load.
          const down = c.p === failReload && c.reload && next === 0;
          stop(
            c,
            "provider_http",
            down
              ? `${NAMES[c.p]} did not answer (503 Service Unavailable).`
              : `${NAMES[c.p]} stopped answering after ${next.toLocaleString("en-US")} items (502 Bad Gateway).`,
          );
          continue;
        }
        if (c.p === "airtable" && throttle && !c.throttled && next >= c.total / 3) {
          c.throttled = true;
          onEvent({ event: "throttled", data: { provider: c.p, message: "Airtable asked us to wait 30 s", wait_ms: 3000 } });
          await sleep(3000);
        }
        const limit = c.stopAt !== null && next < c.stopAt ? c.stopAt : c.total;
        const end = Math.min(limit, next + 1000);
        if (resend && c.p === "notion" && c.prevEnd > c.prevStart) {
          // Pages whose parent arrived later come again, same key, parent filled in.
          for (let i = c.prevStart; i < Math.min(c.prevEnd, c.prevStart + 100); i++) {
            const old = store.item(c.set, i);
            store.replace(c.set, i, { ...old, parent_path_or_name: `Resolved parent / ${old.name ?? ""}`.trim() });
          }
        }
        if (end > next) store.write(c.set, end - next);
        c.prevStart = next;
        c.prevEnd = end;
        for (const t of PROVIDER_TYPES[c.p]) {
          const loaded = c.set.typeCounts.get(t);
          if (loaded) onEvent({ event: "progress", data: { provider: c.p, object_type: t, loaded } });
        }
        if (c.set.count >= c.total) {
          c.finished = true;
          running.delete(c.p);
          const count = store.complete(c.set, nowIso());
          completedLoads.set(c.p, (completedLoads.get(c.p) ?? 0) + 1);
          onEvent({ event: "done", data: { provider: c.p, count } });
        }
        // Yield like IPC does; 0 still lets the UI paint between macrotasks.
        await sleep(resume ? resumeDelay : batchDelay);
      }
    }
    // As Rust: the cards of the loaded providers are sent again when the command ends.
    providers.forEach(emitView);
  }

  const log = (name: string) => hooks.calls.push(name);

  const backend: Backend = {
    kind: "mock",
    async appStatus() {
      log("app_status");
      return currentStatus();
    },
    async retryCache() {
      log("retry_cache");
      await sleep(300);
      status = { ...status, cache: { ...status.cache, ok: true, error: null } };
      const s = currentStatus();
      queueMicrotask(() => statusListeners.forEach((cb) => cb(s)));
      return currentStatus();
    },
    async listProviders() {
      log("list_providers");
      if (listDelay) await sleep(listDelay);
      return PROVIDER_IDS.map(viewOf);
    },
    connect(provider) {
      log(`connect:${provider}`);
      const v = connections.get(provider)!;
      if (v.state === "not_configured") return Promise.reject(err("not_configured", v.hint ?? "Not configured."));
      setConnection(provider, { state: "connecting", last_error: null });
      return new Promise<ProviderView>((resolve, reject) => {
        const timer = setTimeout(() => settle(null), 900);
        const settle = (e: IpcError | null) => {
          clearTimeout(timer);
          pendingConnect.delete(provider);
          if (e) {
            setConnection(provider, { state: "not_connected", last_error: e.code === "oauth_aborted" ? null : e.message });
            reject(e);
          } else {
            resolve(
              setConnection(provider, {
                state: "connected",
                account: ACCOUNTS[provider],
                expires_at: new Date(Date.now() + 3600_000).toISOString(),
              }),
            );
          }
        };
        pendingConnect.set(provider, settle);
      });
    },
    async cancelConnect(provider) {
      log(`cancel_connect:${provider}`);
      pendingConnect.get(provider)?.(err("oauth_aborted", "Sign-in was cancelled."));
      return null;
    },
    async useBrowserInstead(provider) {
      log(`use_browser_instead:${provider}`);
      return null;
    },
    async disconnect(provider) {
      log(`disconnect:${provider}`);
      // As Rust: the load stops first, then the provider's rows leave the store.
      cancelled.add(provider);
      store.forget(provider);
      completedLoads.delete(provider);
      return setConnection(provider, { state: "not_connected", account: null, expires_at: null, last_error: null });
    },
    async getSettings() {
      log("get_settings");
      return { ...structuredClone(settings), store: storeStatus() };
    },
    async saveSettings(input) {
      log("save_settings");
      hooks.savedSettings.push(structuredClone(input));
      const [low, high] = settings.redirect_ports;
      if (!Number.isInteger(input.redirect_port) || input.redirect_port < low || input.redirect_port > high) {
        throw err("config_invalid", `redirect_port: \`${input.redirect_port}\` is not a port; use ${low}–${high}`);
      }
      for (const p of input.providers) {
        const s = settings.providers.find((x) => x.id === p.id)!;
        if (!s.env_overrides.length) s.client_id = p.client_id.trim();
      }
      settings.sign_in_mode = input.sign_in_mode;
      settings.redirect_port = input.redirect_port;
      if (input.hubspot_archived !== null && input.hubspot_archived !== undefined) settings.hubspot_archived = input.hubspot_archived;
      if (!settings.env_overrides.includes("JUNCTION_REDIS_URL")) {
        const before = settings.redis_url;
        settings.redis_url = input.redis_url || null;
        if (settings.redis_url !== before) {
          // The cache follows the URL, as in Rust: Redis when set, embedded otherwise.
          let host = "";
          try {
            host = settings.redis_url ? new URL(settings.redis_url).host : "";
          } catch {
            host = settings.redis_url ?? "";
          }
          status = {
            ...status,
            cache: settings.redis_url
              ? { kind: "redis", label: `Cache: Redis at ${host}`, ok: true, error: null }
              : { kind: "embedded", label: "Cache: embedded", ok: true, error: null },
          };
          if (statusEventOnSave) {
            const s = currentStatus();
            setTimeout(() => statusListeners.forEach((cb) => cb(s)), 0);
          }
        }
      }
      const before = PROVIDER_IDS.map((id) => connections.get(id)!.state);
      refreshConfigured();
      PROVIDER_IDS.forEach((id, i) => before[i] !== connections.get(id)!.state && emitView(id));
      return { ...structuredClone(settings), store: storeStatus() };
    },
    async setClientSecret(provider, secret) {
      log(`set_client_secret:${provider}`);
      // Record only the length: even the mock never keeps a secret around.
      hooks.secretsSet.push({ provider, length: secret.length });
      settings.providers.find((x) => x.id === provider)!.client_secret_set = secret.length > 0;
      return null;
    },
    async forgetEverything() {
      log("forget_everything");
      PROVIDER_IDS.forEach((p) => cancelled.add(p));
      for (const p of settings.providers) {
        if (!p.env_overrides.length) p.client_id = "";
        p.client_secret_set = false;
      }
      for (const id of PROVIDER_IDS) {
        Object.assign(connections.get(id)!, { state: "not_connected", account: null, expires_at: null, last_error: null });
      }
      store.clear();
      completedLoads.clear();
      refreshConfigured();
      PROVIDER_IDS.forEach(emitView);
      return null;
    },
    async loadItems(providers, onEvent) {
      log(`load_items:${providers.join(",")}`);
      await runLoad(providers, onEvent, false);
      return null;
    },
    async resumeLoad(provider, onEvent) {
      log(`resume_load:${provider}`);
      await runLoad([provider], onEvent, true);
      return null;
    },
    async cancelLoad(provider) {
      log(`cancel_load:${provider}`);
      cancelled.add(provider);
      return null;
    },
    async queryItems(query, offset, limit) {
      const full = fullQuery(query);
      hooks.queries.push({ query: structuredClone(full), offset, limit });
      if (!Number.isInteger(offset) || !Number.isInteger(limit) || offset < 0 || limit < 0) {
        throw err("invalid_input", `offset ${offset} / limit ${limit} are not counts`);
      }
      const delay = hooks.queryDelays.length ? hooks.queryDelays.shift()! : queryDelay;
      // The answer is taken now (the store as it is when asked), delivered after the delay.
      const answer = store.query(full, offset, Math.min(limit, MOST_ROWS));
      if (delay) await sleep(delay);
      return answer;
    },
    async getItem(key) {
      hooks.itemsFetched.push(key.id);
      return store.getItem(key);
    },
    async exportItems(format, query) {
      log(`export_items:${format}`);
      hooks.exportArgs.push({ format, query: query ? structuredClone(query) : null });
      // As in Rust: the save dialog first, then the write.
      await sleep(exportDelay);
      if (hooks.cancelSave) return { outcome: "cancelled" };
      const path = `${hooks.savePath}.${format}`;
      const full = query ? fullQuery(query) : null;
      // What the file holds: the query's rows streamed from the store, in its order.
      const keys = store.exportKeys(full);
      const count = keys.length;
      hooks.lastExport = { path, format, query: full, count, keys };
      return { outcome: "exported", path, count };
    },
    async openUrl(url) {
      log("open_url");
      if (!/^https?:\/\//i.test(url)) throw err("invalid_input", "Only http and https links can be opened.");
      hooks.openedUrls.push(url);
      return null;
    },
    async onConnectionChanged(cb): Promise<Unlisten> {
      connListeners.add(cb);
      return () => connListeners.delete(cb);
    },
    async onStatusChanged(cb): Promise<Unlisten> {
      statusListeners.add(cb);
      return () => statusListeners.delete(cb);
    },
  };
  return backend;
}
