// Wiring only: builds the window from the modules and connects them to the backend.
import "./styles.css";
import { getBackend, PROVIDER_IDS, toIpcError, type AppStatus, type ItemKey, type ProviderId } from "./backend";
import { button, h, icon } from "./dom";
import { mountCards } from "./cards";
import { DetailsPane } from "./details";
import { ExportDialog } from "./export-dialog";
import { installKeys } from "./keys";
import { Loader } from "./loader";
import { SettingsDialog } from "./settings";
import { AppState } from "./state";
import { StatusBar } from "./statusbar";
import { ItemsPanel } from "./table/items-panel";
import { ROW_HEIGHT } from "./table/view";
import { mountToasts, toast } from "./toast";
import "./perf";
import { onProviderNames, providerName } from "./providers";

const backend = getBackend();
const state = new AppState();
const root = document.getElementById("app")!;

async function openUrl(url: string): Promise<void> {
  try {
    await backend.openUrl(url);
  } catch (e) {
    toast(`Could not open the link: ${toIpcError(e).message}`, "error");
  }
}

const details = new DetailsPane({
  onOpenUrl: openUrl,
  onClose: () => closeDetails(),
});

/** The newest get_item asked: an older answer never replaces a newer one. */
let detailsAsked = 0;
/** Shows the whole item of `key` (from the store) in the details pane. */
async function showDetails(key: ItemKey): Promise<void> {
  const asked = ++detailsAsked;
  try {
    const item = await backend.getItem(key);
    if (asked !== detailsAsked) return;
    if (!item) {
      // No longer stored (a reload dropped it, a disconnect deleted it).
      closeDetails();
      return;
    }
    details.show(item);
    content.classList.add("with-details");
  } catch (e) {
    if (asked === detailsAsked) toast(`Could not read the item: ${toIpcError(e).message}`, "error");
  }
}

const panel = new ItemsPanel({
  backend,
  onOpenUrl: openUrl,
  onSelectionChange(key, open) {
    if (!key) return closeDetails();
    if (open || details.isOpen) void showDetails(key);
  },
  // The store was read again: the item in the details pane may have changed or gone.
  onStoreRead() {
    const key = panel.selectedKey;
    if (details.isOpen && key) void showDetails(key);
  },
  onError: (message) => toast(message, "error"),
  emptyContext: () => {
    const loads = [...state.loads];
    const loading = loads.filter(([, l]) => l.phase === "loading").map(([p]) => providerName(p));
    const failed = PROVIDER_IDS.map((p) => [p, state.stopped(p)] as const).find(([, f]) => f && f.code !== "cancelled");
    const views = [...state.providers.values()];
    return {
      anyConnected: state.connected.length > 0,
      noneConfigured: views.length > 0 && views.every((v) => v.state === "not_configured"),
      loadingFrom: loading,
      lastFailure: failed?.[1] ? { provider: failed[0], message: failed[1].message, resumable: failed[1].resumable } : null,
      emptyDone: loads.filter(([p, l]) => l.phase === "done" && l.count === 0 && state.providers.get(p)?.state === "connected").map(([p]) => p),
    };
  },
  emptyActions: {
    openSettings: () => void settings.open(),
    load: (p) => void loader.load([p]),
    resume: (p) => void loader.resume(p),
  },
  // Row counts change without an app-state change (the store was read): keep Export in sync.
  onCountChange: () => syncHeader(),
});

// The first rows may arrive before the provider names (both are asked at start).
onProviderNames(() => panel.namesChanged());

function closeDetails(): void {
  detailsAsked++;
  details.hide();
  content.classList.remove("with-details");
}

const loader = new Loader(backend, state, {
  storeChanged: (now) => panel.storeChanged(now),
  // Its card's count and "loaded … ago" come from the store: ask for the card again.
  ended: () => void refreshProviders(),
  refreshEmpty: () => panel.refreshEmpty(),
});
const exportDialog = new ExportDialog(backend, panel);

function setStatus(s: AppStatus): void {
  state.status = s;
  statusBar.update(s);
}
const statusBar = new StatusBar(backend, setStatus);

async function refreshProviders(): Promise<void> {
  try {
    for (const v of await backend.listProviders()) state.setProvider(v);
  } catch (e) {
    toast(`Could not list providers: ${toIpcError(e).message}`, "error");
  }
}

async function refreshStatus(): Promise<void> {
  try {
    setStatus(await backend.appStatus());
  } catch (e) {
    toast(`Could not read the app status: ${toIpcError(e).message}`, "error");
  }
}

const settings = new SettingsDialog(backend, {
  // Saving can change the cache (Redis URL) as well as which providers are
  // configured; Rust also emits status-changed, handled in start().
  onSaved: () => {
    void refreshProviders();
    void refreshStatus();
  },
  onForgotten: () => {
    loader.abandon(PROVIDER_IDS);
    // Rust deleted the store: the table reads it again (empty).
    panel.clearSelection();
    panel.storeChanged(true);
    closeDetails();
    for (const l of state.loads.values()) Object.assign(l, { phase: "idle", failure: null, throttle: null });
    void refreshProviders();
    void refreshStatus();
  },
});

// ---- layout ---------------------------------------------------------------------

const loadAll = button("Load all", () => void loadAllConnected(), { testid: "load-all", variant: "primary" });
loadAll.prepend(icon("load", 15));
const exportBtn = button("Export", () => exportDialog.open(), { testid: "export-button" });
exportBtn.prepend(icon("download", 15));
exportBtn.disabled = true;
const settingsBtn = button("Settings", () => void settings.open(), { testid: "settings-button", variant: "ghost" });
settingsBtn.prepend(icon("settings", 15));

const appbar = h(
  "header",
  { class: "appbar" },
  h("div", { class: "brand" }, h("span", { class: "brand-mark", attrs: { "aria-hidden": "true" } }), h("h1", { text: "Junction" }), h("span", { class: "brand-sub", text: "HubSpot · Airtable · Notion in one table" })),
  h("div", { class: "appbar-actions" }, loadAll, exportBtn, settingsBtn),
);
const cards = h("section", { class: "cards", attrs: { "aria-label": "Providers" } });
const content = h("main", { class: "content" }, panel.el, details.el);
root.append(appbar, cards, content, statusBar.el, exportDialog.el, settings.el);
mountToasts(document.body);
document.documentElement.style.setProperty("--row-h", `${ROW_HEIGHT}px`);

mountCards(cards, {
  backend,
  state,
  loader,
  openSettings: () => void settings.open(),
  onDisconnected: (p: ProviderId) => {
    loader.abandon([p]);
    // Rust deleted its rows from the store: the table reads again.
    panel.storeChanged(true);
  },
});

async function loadAllConnected(): Promise<void> {
  const ps = state.connected;
  if (!ps.length) {
    toast("Connect a provider first.", "info");
    return;
  }
  await loader.load(ps);
}

// Header buttons follow the state: Export needs rows, Load all a connection.
function syncHeader(): void {
  exportBtn.disabled = panel.grandTotal === 0;
  loadAll.disabled = state.connected.length === 0 || state.connected.every((p) => state.load(p).phase === "loading");
  panel.refreshEmpty();
}
state.on(syncHeader);

installKeys({
  move: (d) => panel.moveSelection(d, false),
  page: (d) => panel.moveSelection(d * Math.max(1, panel.view.pageRows - 1), false),
  edge: (toEnd) => panel.selectEdge(toEnd),
  openSelected: () => {
    const key = panel.selectedKey;
    if (key) void showDetails(key);
  },
  escape: () => {
    if (details.isOpen) {
      closeDetails();
      return true;
    }
    return false;
  },
  focusSearch: () => {
    panel.search.focus();
    panel.search.select();
  },
  // With no rows the dialog says "Nothing to export yet" instead of opening.
  startExport: () => exportDialog.open(),
});

// ---- start ----------------------------------------------------------------------

async function start(): Promise<void> {
  await Promise.all([
    backend.onConnectionChanged((v) => state.setProvider(v)),
    backend.onStatusChanged(setStatus),
  ]).catch((e) => toast(toIpcError(e).message, "error"));
  // The table opens with what the store holds: no Load needed.
  panel.start();
  await Promise.all([refreshProviders(), backend.appStatus().then(setStatus, (e) => toast(toIpcError(e).message, "error"))]);
  document.body.dataset.ready = "true";
}
void start();
