// In-memory twin of the Rust backend for browser tests, benchmarks and UI work
// without a Tauri build. It follows docs/ipc.md: same states, same events, errors as
// {code, message}. Configured through the page's query string:
//   ?mock=connected   all providers start connected
//   ?items=N          a load of all providers streams N generated items (batches ≤ 1,000)
//   ?delay=MS         pause between batches (default 8 ms)
//   ?fail=<provider>  that provider's load fails half-way (resumable)
//   ?failat=N         …fails after N of its items instead (0: before its first batch)
//   ?failreload=<p>   every load of <p> after its first completed one fails before
//                     its first batch (resumable)
//   ?resumedelay=MS   pause between batches of a resumed load (default: ?delay)
//   ?resend=1         Notion re-sends rows of its previous batch with the same key,
//                     now with their parent filled in (as the real Notion loader does)
//   ?edit=1           a provider's second and later loads return edited items
//                     (name + " (edited)"), and its last 10% are gone upstream
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
import { makeItem, PROVIDER_SHARE, PROVIDER_TYPES } from "./mock-data";
import {
  PROVIDER_IDS,
  rowKey,
  type AppStatus,
  type BackendError,
  type ExportFormat,
  type IntegrationItem,
  type LoadEvent,
  type ProviderId,
  type ProviderView,
  type SettingsInput,
  type SettingsView,
} from "./types";

export interface MockHooks {
  lastExport: { path: string; format: ExportFormat; keys: string[] | null; count: number } | null;
  /** Every export_items call's arguments, as the page sent them (no path among them). */
  exportArgs: Record<string, unknown>[];
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

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const err = (code: string, message: string): BackendError => ({ code, message });

export function createMockBackend(search: string): Backend {
  const q = new URLSearchParams(search);
  const allConnected = q.get("mock") === "connected";
  const totalItems = Math.max(0, Number(q.get("items") ?? 1500) || 0);
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
  /** Completed loads per provider (for ?failreload and ?edit). */
  const completedLoads = new Map<ProviderId, number>();
  const throttle = q.get("throttle") === "1";
  const envMode = q.get("env") === "1";

  const hooks: MockHooks = {
    lastExport: null,
    openedUrls: [],
    secretsSet: [],
    savedSettings: [],
    calls: [],
    exportArgs: [],
    savePath: "/home/user/Documents/junction-export",
    cancelSave: q.get("savecancel") === "1",
  };
  window.__JUNCTION_MOCK__ = hooks;

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
    env_overrides: envMode ? ["JUNCTION_NOTION_CLIENT_ID", "JUNCTION_REDIS_URL"] : [],
  };

  const views = new Map<ProviderId, ProviderView>(
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
  const refreshConfigured = () => {
    for (const p of settings.providers) {
      const v = views.get(p.id)!;
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
        ? { kind: "redis", label: "Cache: Redis at cache.internal:6379", ok: false, error: "Connection refused (os error 111)", warning: null }
        : q.get("cache") === "cleartext"
          ? {
              kind: "redis",
              label: "Cache: Redis at cache.internal:6379",
              ok: true,
              error: null,
              warning: "Redis at cache.internal:6379 is plain redis://: tokens cross the network in clear. Use rediss://.",
            }
          : { kind: "embedded", label: "Cache: embedded", ok: true, error: null, warning: null },
    secrets:
      q.get("secrets") === "file"
        ? {
            backend: "file",
            warning: "No OS keychain available: secrets are stored in a file readable only by you.",
          }
        : { backend: "keyring", warning: null },
    version: "0.1.0-mock",
  };

  const connListeners = new Set<(v: ProviderView) => void>();
  const statusListeners = new Set<(s: AppStatus) => void>();
  const emitView = (id: ProviderId) => {
    const v = { ...views.get(id)! };
    // Events are async in Tauri too; never call back inside the command.
    queueMicrotask(() => connListeners.forEach((cb) => cb(v)));
  };
  const setView = (id: ProviderId, patch: Partial<ProviderView>) => {
    Object.assign(views.get(id)!, patch);
    emitView(id);
    return { ...views.get(id)! };
  };

  const pendingConnect = new Map<ProviderId, (e: BackendError | null) => void>();
  const cancelled = new Set<ProviderId>();
  /** Where each provider's last load stopped, for resume. */
  const resumeFrom = new Map<ProviderId, number>();
  const loadedKeys = new Map<string, IntegrationItem>();

  function providerCount(p: ProviderId): number {
    // Split N by share; the last provider gets the remainder so the sum is exact.
    const a = Math.floor(totalItems * PROVIDER_SHARE.hubspot);
    const b = Math.floor(totalItems * PROVIDER_SHARE.airtable);
    return p === "hubspot" ? a : p === "airtable" ? b : totalItems - a - b;
  }

  /** Where the ?fail provider's first load stops. */
  const failAt = (total: number) => (failAtParam === null ? Math.ceil(total / 2) : Math.min(total, Math.max(0, Number(failAtParam) || 0)));

  async function runLoad(providers: ProviderId[], onEvent: (e: LoadEvent) => void, resume: boolean) {
    for (const p of providers) {
      const v = views.get(p)!;
      if (v.state !== "connected") throw err("not_connected", `${NAMES[p]} is not connected.`);
    }
    const cursors = providers.map((p) => ({
      p,
      next: resume ? (resumeFrom.get(p) ?? 0) : 0,
      total: editReloads && (completedLoads.get(p) ?? 0) > 0 ? Math.floor(providerCount(p) * 0.9) : providerCount(p),
      perType: new Map<string, number>(),
      finished: false,
      throttled: false,
      /** Items of the previous batch (re-sent with ?resend=1). */
      prev: [] as IntegrationItem[],
      /** ?failreload: this (re)load fails before its first batch. */
      failNow: !resume && p === failReload && (completedLoads.get(p) ?? 0) > 0,
      edited: editReloads && (completedLoads.get(p) ?? 0) > 0,
    }));
    for (const p of providers) cancelled.delete(p);
    if (!resume) {
      for (const p of providers) {
        for (const k of [...loadedKeys.keys()]) if (k.startsWith(p + ":")) loadedKeys.delete(k);
      }
    }
    // Round-robin over providers, as concurrent real loads interleave.
    while (cursors.some((c) => !c.finished)) {
      for (const c of cursors) {
        if (c.finished) continue;
        if (cancelled.has(c.p)) {
          c.finished = true;
          resumeFrom.set(c.p, c.next);
          onEvent({ event: "failed", data: { provider: c.p, code: "cancelled", message: "Load cancelled.", resumable: true } });
          continue;
        }
        if (c.failNow) {
          c.finished = true;
          resumeFrom.set(c.p, 0);
          onEvent({
            event: "failed",
            data: { provider: c.p, code: "upstream_unavailable", message: `${NAMES[c.p]} did not answer (503 Service Unavailable).`, resumable: true },
          });
          continue;
        }
        if (c.p === failProvider && !resume && c.next >= failAt(c.total) && c.total > 0) {
          c.finished = true;
          resumeFrom.set(c.p, c.next);
          setView(c.p, { last_error: "Notion returned 502 Bad Gateway five times in a row." });
          onEvent({
            event: "failed",
            data: {
              provider: c.p,
              code: "upstream_unavailable",
              message: `${NAMES[c.p]} stopped answering after ${c.next.toLocaleString("en-US")} items (502 Bad Gateway). What was loaded is kept.`,
              resumable: true,
            },
          });
          continue;
        }
        if (c.p === "airtable" && throttle && !c.throttled && c.next >= c.total / 3) {
          c.throttled = true;
          onEvent({ event: "throttled", data: { provider: c.p, message: "Airtable asked us to wait 30 s", wait_ms: 3000 } });
          await sleep(3000);
        }
        // A failing provider stops half-way, whatever the batch size.
        const stopAt = c.p === failProvider && !resume ? failAt(c.total) : c.total;
        const end = Math.min(c.next < stopAt ? stopAt : c.total, c.next + 1000);
        const items: IntegrationItem[] = [];
        if (resend && c.p === "notion" && c.prev.length) {
          // Pages whose parent arrived later come again, same key, parent filled in.
          for (const old of c.prev.slice(0, 100)) {
            const it = { ...old, parent_path_or_name: `Resolved parent / ${old.name ?? ""}`.trim() };
            items.push(it);
            loadedKeys.set(rowKey(it), it);
          }
        }
        const fresh: IntegrationItem[] = [];
        for (let i = c.next; i < end; i++) {
          const base = makeItem(c.p, i);
          const it = c.edited ? { ...base, name: `${base.name ?? ""} (edited)` } : base;
          items.push(it);
          fresh.push(it);
          loadedKeys.set(rowKey(it), it);
          c.perType.set(it.type!, (c.perType.get(it.type!) ?? 0) + 1);
        }
        c.next = end;
        c.prev = fresh;
        if (items.length) onEvent({ event: "batch", data: { provider: c.p, items } });
        for (const t of PROVIDER_TYPES[c.p]) {
          const loaded = c.perType.get(t);
          if (loaded) onEvent({ event: "progress", data: { provider: c.p, object_type: t, loaded } });
        }
        if (c.next >= c.total) {
          c.finished = true;
          resumeFrom.delete(c.p);
          completedLoads.set(c.p, (completedLoads.get(c.p) ?? 0) + 1);
          onEvent({ event: "done", data: { provider: c.p, count: c.total } });
        }
        // Yield like IPC does; 0 still lets the UI paint between macrotasks.
        await sleep(resume ? resumeDelay : batchDelay);
      }
    }
  }

  const log = (name: string) => hooks.calls.push(name);

  const backend: Backend = {
    kind: "mock",
    async appStatus() {
      log("app_status");
      return structuredClone(status);
    },
    async retryCache() {
      log("retry_cache");
      await sleep(300);
      status = { ...status, cache: { ...status.cache, ok: true, error: null } };
      const s = structuredClone(status);
      queueMicrotask(() => statusListeners.forEach((cb) => cb(s)));
      return structuredClone(status);
    },
    async listProviders() {
      log("list_providers");
      return PROVIDER_IDS.map((id) => ({ ...views.get(id)! }));
    },
    connect(provider) {
      log(`connect:${provider}`);
      const v = views.get(provider)!;
      if (v.state === "not_configured") return Promise.reject(err("not_configured", v.hint ?? "Not configured."));
      setView(provider, { state: "connecting", last_error: null });
      return new Promise<ProviderView>((resolve, reject) => {
        const timer = setTimeout(() => settle(null), 900);
        const settle = (e: BackendError | null) => {
          clearTimeout(timer);
          pendingConnect.delete(provider);
          if (e) {
            setView(provider, { state: "not_connected", last_error: e.code === "oauth_aborted" ? null : e.message });
            reject(e);
          } else {
            resolve(
              setView(provider, {
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
    },
    async useBrowserInstead(provider) {
      log(`use_browser_instead:${provider}`);
    },
    async disconnect(provider) {
      log(`disconnect:${provider}`);
      return setView(provider, { state: "not_connected", account: null, expires_at: null, last_error: null });
    },
    async getSettings() {
      log("get_settings");
      return structuredClone(settings);
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
              ? { kind: "redis", label: `Cache: Redis at ${host}`, ok: true, error: null, warning: null }
              : { kind: "embedded", label: "Cache: embedded", ok: true, error: null, warning: null },
          };
          if (statusEventOnSave) {
            const s = structuredClone(status);
            setTimeout(() => statusListeners.forEach((cb) => cb(s)), 0);
          }
        }
      }
      const before = PROVIDER_IDS.map((id) => views.get(id)!.state);
      refreshConfigured();
      PROVIDER_IDS.forEach((id, i) => before[i] !== views.get(id)!.state && emitView(id));
      return structuredClone(settings);
    },
    async setClientSecret(provider, secret) {
      log(`set_client_secret:${provider}`);
      // Record only the length: even the mock never keeps a secret around.
      hooks.secretsSet.push({ provider, length: secret.length });
      settings.providers.find((x) => x.id === provider)!.client_secret_set = secret.length > 0;
    },
    async forgetEverything() {
      log("forget_everything");
      for (const p of settings.providers) {
        if (!p.env_overrides.length) p.client_id = "";
        p.client_secret_set = false;
      }
      for (const id of PROVIDER_IDS) {
        Object.assign(views.get(id)!, { state: "not_connected", account: null, expires_at: null, last_error: null });
      }
      refreshConfigured();
      PROVIDER_IDS.forEach(emitView);
      loadedKeys.clear();
    },
    async loadItems(providers, onEvent) {
      log(`load_items:${providers.join(",")}`);
      await runLoad(providers, onEvent, false);
    },
    async resumeLoad(provider, onEvent) {
      log(`resume_load:${provider}`);
      await runLoad([provider], onEvent, true);
    },
    async cancelLoad(provider) {
      log(`cancel_load:${provider}`);
      cancelled.add(provider);
    },
    async exportItems(format, keys) {
      log(`export_items:${format}`);
      hooks.exportArgs.push({ format, keys: keys ? [...keys] : null });
      // As in Rust: the save dialog first, then the write.
      await sleep(exportDelay);
      if (hooks.cancelSave) return { outcome: "cancelled" };
      const path = `${hooks.savePath}.${format}`;
      const count = keys ? keys.filter((k) => loadedKeys.has(k)).length : loadedKeys.size;
      hooks.lastExport = { path, format, keys: keys ? [...keys] : null, count };
      return { outcome: "exported", path, count };
    },
    async openUrl(url) {
      log("open_url");
      if (!/^https?:\/\//i.test(url)) throw err("invalid_url", "Only http and https links can be opened.");
      hooks.openedUrls.push(url);
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
