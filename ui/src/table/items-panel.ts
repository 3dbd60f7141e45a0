// The items panel: toolbar (search, chips, count) + the table + empty states. The
// rows live in Rust's item store; this panel holds the query the user built (search,
// chips, sort) and asks for windows of it (windows.ts), re-reading when the store
// changes (a load's progress, at most 4 times a second, and its end).
import { h, icon, button } from "../dom";
import { perf } from "../perf";
import { PROVIDER_IDS, type Backend, type ItemKey, type ItemQuery, type ProviderId, type Sort, type SortColumn } from "../backend";
import { formatCount, formatNumber } from "./format";
import { TableView } from "./view";
import { RowWindows, type Change } from "./windows";
import { providerName } from "../providers";

/** Searches go out at most this often while typing (the first keystroke at once). */
const SEARCH_GAP_MS = 50;
/** The store is re-read at most this often while a load writes to it. */
const REFRESH_GAP_MS = 250;

/** What the empty state should say when there are no rows to show. */
export interface EmptyContext {
  anyConnected: boolean;
  /** Every provider is known and not configured (no client ID anywhere). */
  noneConfigured: boolean;
  loadingFrom: string[];
  /** The last load that failed (not cancelled), with what can be done about it. */
  lastFailure: { provider: ProviderId; message: string; resumable: boolean } | null;
  /** Providers whose last load finished and returned no items. */
  emptyDone: ProviderId[];
}

/** What the buttons in the empty state do. */
export interface EmptyActions {
  openSettings(): void;
  load(p: ProviderId): void;
  resume(p: ProviderId): void;
}

export interface ItemsPanelOptions {
  backend: Backend;
  onOpenUrl(url: string): void;
  /** The selection changed (null: nothing selected); `open` asks for the details pane. */
  onSelectionChange(key: ItemKey | null, open: boolean): void;
  /** The store was re-read: the selected item may have changed or gone. */
  onStoreRead?(): void;
  onError(message: string): void;
  emptyContext(): EmptyContext;
  emptyActions: EmptyActions;
  /** The number of rows (total or in view) changed. */
  onCountChange?(): void;
}

export class ItemsPanel {
  readonly windows: RowWindows;
  readonly view: TableView;
  readonly el: HTMLElement;
  readonly search: HTMLInputElement;
  private countEl: HTMLElement;
  private providerChips = new Map<ProviderId, HTMLButtonElement>();
  private typeChipsEl: HTMLElement;
  private typeChips = new Map<string, HTMLButtonElement>();
  private providers = new Set<ProviderId>();
  private types = new Set<string>();
  private sort: Sort | null = null;
  private searchText = "";
  private searchTimer = 0;
  private lastSearchAt = -Infinity;
  private refreshTimer = 0;
  private lastRefreshAt = -Infinity;
  /** The user action whose query is on its way (for the perf marks). */
  private action: { kind: "search" | "sort" | "filter"; t0: number } | null = null;
  private selKey: ItemKey | null = null;
  /** The selected row's position in the shown result; -1 when not among the kept rows. */
  private selPos = -1;
  /** A selection by position whose row has not arrived yet. */
  private pendingSelect: { pos: number; open: boolean } | null = null;
  private lastErrorAt = 0;
  private firstShown = false;

  constructor(private opts: ItemsPanelOptions) {
    this.windows = new RowWindows({
      fetch: (q, offset, limit) => opts.backend.queryItems(q, offset, limit),
      onChange: (change) => this.onRows(change),
      onError: (e) => this.onReadError(e),
    });
    this.view = new TableView(this.windows, {
      onRowClick: (pos) => this.select(pos, true),
      onOpenUrl: (url) => opts.onOpenUrl(url),
      onSort: (col) => this.sortBy(col),
    });

    this.search = h("input", {
      class: "search-input",
      testid: "search-input",
      attrs: {
        type: "search",
        placeholder: "Search name, parent or ID",
        title: "Every word must appear in the name, parent, ID or a property value (case and accents ignored)",
        "aria-label": "Search items",
        spellcheck: "false",
        autocomplete: "off",
      },
    });
    this.search.addEventListener("input", () => this.onSearchInput());
    this.search.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && this.search.value) {
        // First Escape clears the search; the next one closes panes (keys.ts).
        e.stopPropagation();
        this.search.value = "";
        this.onSearchInput();
      }
    });

    const providerGroup = h("div", { class: "chip-group", attrs: { role: "group", "aria-label": "Filter by provider" } });
    for (const p of PROVIDER_IDS) {
      const chip = this.makeChip(providerName(p), `chip-provider-${p}`, () => {
        toggle(this.providers, p);
        this.queryChanged("filter");
      });
      chip.dataset.provider = p;
      this.providerChips.set(p, chip);
      providerGroup.append(chip);
    }
    this.typeChipsEl = h("div", { class: "chip-group", attrs: { role: "group", "aria-label": "Filter by type" } });
    this.countEl = h("div", { class: "item-count", testid: "item-count", attrs: { "aria-live": "polite" } });
    this.countEl.textContent = formatCount(0, 0); // before any onCountChange listener runs

    const toolbar = h(
      "div",
      { class: "toolbar" },
      h("div", { class: "toolbar-row" }, h("label", { class: "search" }, icon("search", 15), this.search), providerGroup, h("span", { class: "spacer" }), this.countEl),
      h("div", { class: "toolbar-row type-row" }, h("span", { class: "chip-caption", text: "Types" }), this.typeChipsEl),
    );
    this.el = h("section", { class: "items-panel", attrs: { "aria-label": "Items" } }, toolbar, this.view.el);
    this.updateToolbar();
  }

  /** Shows what the store holds (the window opens with the stored rows). */
  start(): void {
    this.windows.setQuery(this.query());
  }

  // ---- what the table shows --------------------------------------------------------

  /** Rows in the shown result. */
  get total(): number {
    return this.windows.shown?.total ?? 0;
  }

  /** Every stored row. */
  get grandTotal(): number {
    return this.windows.shown?.grandTotal ?? 0;
  }

  /** The query of the rows on screen (what "export the items in view" exports). */
  get shownQuery(): ItemQuery | null {
    return this.windows.shown?.query ?? null;
  }

  get hasFilters(): boolean {
    const q = this.shownQuery;
    return !!q && (q.search.trim() !== "" || q.providers.length > 0 || q.types.length > 0);
  }

  get sorted(): boolean {
    return !!this.shownQuery?.sort;
  }

  /** The query the user has built (search, chips, sort). */
  private query(): ItemQuery {
    return {
      providers: PROVIDER_IDS.filter((p) => this.providers.has(p)),
      types: [...this.types].sort(),
      search: this.searchText,
      sort: this.sort,
    };
  }

  // ---- the store changed ------------------------------------------------------------

  /**
   * The store changed: re-reads the query around the rows on screen. `now` for a load
   * that ended, a disconnect or a forget; otherwise at most every REFRESH_GAP_MS.
   */
  storeChanged(now = false): void {
    if (now) {
      clearTimeout(this.refreshTimer);
      this.refreshTimer = 0;
      this.refresh();
      return;
    }
    if (this.refreshTimer) return;
    const wait = Math.max(0, this.lastRefreshAt + REFRESH_GAP_MS - performance.now());
    this.refreshTimer = window.setTimeout(() => {
      this.refreshTimer = 0;
      this.refresh();
    }, wait);
  }

  private refresh(): void {
    this.lastRefreshAt = performance.now();
    this.windows.refresh();
  }

  private onRows(change: Change): void {
    if (change === "query") {
      // A new search, chip or sort shows its first rows.
      this.view.scrollToTop();
      const a = this.action;
      this.action = null;
      if (a) {
        perf.measure(a.kind, a.t0);
        perf.afterPaint(a.kind === "search" ? "searchPainted" : a.kind === "sort" ? "sortPainted" : "filterPainted");
      }
    } else if (change === "refresh") {
      perf.mark("flushed");
      perf.afterPaint("flushPainted");
    }
    if (change !== "rows" && this.selKey) this.selPos = this.windows.positionOf(this.selKey);
    if (change === "rows" && this.selKey && this.selPos < 0) this.selPos = this.windows.positionOf(this.selKey);
    this.view.setSort(this.windows.shown?.query.sort ?? null);
    this.view.update();
    if (this.pendingSelect && this.windows.rowAt(this.pendingSelect.pos)) {
      const { pos, open } = this.pendingSelect;
      this.pendingSelect = null;
      this.select(pos, open);
    }
    if (change !== "rows") {
      this.updateToolbar();
      this.updateEmpty();
      if (!this.firstShown && this.total > 0) {
        this.firstShown = true;
        perf.afterPaint("firstRowsPainted");
      }
      this.opts.onStoreRead?.();
    }
  }

  private onReadError(e: unknown): void {
    // A failing store would fail every scroll step: say it once in a while, not each time.
    const now = Date.now();
    if (now - this.lastErrorAt < 5000) return;
    this.lastErrorAt = now;
    const message = e && typeof e === "object" && "message" in e ? String((e as { message: unknown }).message) : String(e);
    this.opts.onError(`Could not read the items: ${message}`);
  }

  // ---- search, chips, sort ------------------------------------------------------------

  private onSearchInput(): void {
    const t0 = performance.now();
    perf.mark("searchInput");
    clearTimeout(this.searchTimer);
    const send = () => {
      this.searchTimer = 0;
      this.lastSearchAt = performance.now();
      this.searchText = this.search.value;
      this.queryChanged("search", t0);
    };
    const wait = this.lastSearchAt + SEARCH_GAP_MS - t0;
    if (wait <= 0) send();
    else this.searchTimer = window.setTimeout(send, wait);
  }

  private queryChanged(kind: "search" | "sort" | "filter", t0 = performance.now()): void {
    this.action = { kind, t0 };
    this.updateChipStates();
    this.windows.setQuery(this.query());
  }

  /** Header click: a new column sorts ascending, the same column flips direction. */
  sortBy(column: SortColumn): void {
    const dir = this.sort?.column === column && this.sort.dir === "asc" ? "desc" : "asc";
    this.sort = { column, dir };
    // The arrow follows the click at once; the rows follow when they arrive.
    this.view.setSort(this.sort);
    this.queryChanged("sort");
  }

  clearFilters(): void {
    clearTimeout(this.searchTimer);
    this.search.value = "";
    this.searchText = "";
    this.providers.clear();
    this.types.clear();
    this.queryChanged("filter");
  }

  // ---- selection -----------------------------------------------------------------------

  get selectedKey(): ItemKey | null {
    return this.selKey;
  }

  select(pos: number, open: boolean): void {
    const row = this.windows.rowAt(pos);
    this.view.scrollToRow(pos);
    if (!row) {
      // Its window is on its way (a page jump): select it when it lands.
      this.pendingSelect = { pos, open };
      return;
    }
    this.pendingSelect = null;
    this.selKey = row.key;
    this.selPos = pos;
    this.view.selectedKey = row.key;
    this.view.update();
    this.opts.onSelectionChange(row.key, open);
  }

  moveSelection(delta: number, open: boolean): void {
    const n = this.total;
    if (!n) return;
    const base = this.pendingSelect?.pos ?? this.selPos;
    const { first, last } = this.view.visible;
    const next = base < 0 ? (delta > 0 ? first : last) : Math.max(0, Math.min(n - 1, base + delta));
    this.select(next, open);
  }

  /** Selects the first or the last row of the result, at any size (its window is fetched). */
  selectEdge(toEnd: boolean): void {
    const n = this.total;
    if (n) this.select(toEnd ? n - 1 : 0, false);
  }

  clearSelection(): void {
    this.selKey = null;
    this.selPos = -1;
    this.pendingSelect = null;
    this.view.selectedKey = null;
    this.view.update();
  }

  // ---- toolbar & empty state -------------------------------------------------------

  private makeChip(label: string, testid: string, onClick: () => void): HTMLButtonElement {
    const chip = h(
      "button",
      { class: "chip", testid, attrs: { type: "button", "aria-pressed": "false" } },
      h("span", { class: "chip-label", text: label }),
      h("span", { class: "chip-count" }),
    );
    chip.addEventListener("click", onClick);
    return chip;
  }

  private updateChipStates(): void {
    for (const [p, chip] of this.providerChips) setPressed(chip, this.providers.has(p));
    for (const [t, chip] of this.typeChips) setPressed(chip, this.types.has(t));
  }

  private updateToolbar(): void {
    const shown = this.windows.shown;
    const label = formatCount(this.total, this.grandTotal);
    if (this.countEl.textContent !== label) {
      this.countEl.textContent = label;
      this.opts.onCountChange?.();
    }
    const counts = shown?.counts ?? { providers: {}, types: {} };
    for (const [p, chip] of this.providerChips) {
      const label = chip.firstElementChild as HTMLElement;
      if (label.textContent !== providerName(p)) label.textContent = providerName(p);
      const n = counts.providers[p] ?? 0;
      setCount(chip, n);
      chip.hidden = n === 0 && !this.providers.has(p);
    }
    // Type chips follow the types present (new types appear while loading).
    for (const t of Object.keys(counts.types).sort()) {
      if (!t || this.typeChips.has(t)) continue;
      const chip = this.makeChip(t, `chip-type-${t}`, () => {
        toggle(this.types, t);
        this.queryChanged("filter");
      });
      this.typeChips.set(t, chip);
      this.typeChipsEl.append(chip);
    }
    for (const [t, chip] of this.typeChips) {
      const n = counts.types[t] ?? 0;
      setCount(chip, n);
      chip.hidden = n === 0 && !this.types.has(t);
    }
    this.updateChipStates();
    this.el.classList.toggle("has-rows", this.grandTotal > 0);
  }

  private updateEmpty(): void {
    const shown = this.windows.shown;
    // Before the store's first answer there is nothing to say yet.
    if (!shown || shown.total > 0) return this.view.setEmpty(null);
    const ctx = this.opts.emptyContext();
    let content: HTMLElement;
    if (shown.grandTotal > 0) {
      const q = shown.query.search.trim();
      const what = q ? `“${q}”` : "these filters";
      content = emptyBox(
        "search",
        `No items match ${what}`,
        "Try a shorter search or fewer filters.",
        button("Clear filters", () => this.clearFilters(), { testid: "clear-filters" }),
      );
    } else if (ctx.loadingFrom.length) {
      content = emptyBox(null, `Loading items from ${listJoin(ctx.loadingFrom)}…`, "Rows appear here as they arrive.");
      content.prepend(h("div", { class: "spinner", attrs: { "aria-hidden": "true" } }));
    } else if (ctx.lastFailure) {
      const f = ctx.lastFailure;
      const name = providerName(f.provider);
      const actions = this.opts.emptyActions;
      const action = f.resumable
        ? button(`Resume ${name}`, () => actions.resume(f.provider), { testid: "empty-resume", variant: "primary" })
        : button(`Load ${name}`, () => actions.load(f.provider), { testid: "empty-load", variant: "primary" });
      content = emptyBox(
        "warning",
        `Loading ${name} failed`,
        `${f.message} ${f.resumable ? "Resume to continue where it stopped." : "Load to try again."}`,
        action,
      );
      content.classList.add("is-error");
    } else if (ctx.noneConfigured) {
      content = emptyBox(
        "inbox",
        "No provider is set up yet",
        "Add a client ID for HubSpot, Airtable or Notion in Settings, then connect it here.",
        button("Open Settings", () => this.opts.emptyActions.openSettings(), { testid: "empty-open-settings", variant: "primary" }),
      );
    } else if (ctx.emptyDone.length) {
      const names = listJoin(ctx.emptyDone.map((p) => providerName(p)));
      content = emptyBox(
        "inbox",
        `${names} returned no items`,
        `${names} returned nothing shared with Junction. Share pages, bases or records with Junction in ${ctx.emptyDone.length > 1 ? "each provider" : names} (or Reconnect and pick them), then Reload.`,
      );
    } else if (!ctx.anyConnected) {
      content = emptyBox("inbox", "No items yet", "Connect a provider above, then Load to see its items here.");
    } else {
      content = emptyBox("load", "No items loaded", "Press Load on a connected provider, or Load all, to see its items here.");
    }
    this.view.setEmpty(content);
  }

  /** Provider names arrived (or changed): the rows and chips drawn with ids read again. */
  namesChanged(): void {
    this.view.refill();
    this.updateToolbar();
    this.updateEmpty();
  }

  /** Re-evaluates the empty state after app state changed (connect, load start…). */
  refreshEmpty(): void {
    this.updateEmpty();
  }
}

function toggle<T>(set: Set<T>, v: T): void {
  if (!set.delete(v)) set.add(v);
}

function setPressed(chip: HTMLButtonElement, on: boolean): void {
  const pressed = String(on);
  if (chip.getAttribute("aria-pressed") !== pressed) chip.setAttribute("aria-pressed", pressed);
}

function setCount(chip: HTMLButtonElement, count: number): void {
  const countEl = chip.lastElementChild as HTMLElement;
  const text = formatNumber(count);
  if (countEl.textContent !== text) countEl.textContent = text;
}

function emptyBox(iconName: "search" | "warning" | "inbox" | "load" | null, title: string, text: string, action?: HTMLElement): HTMLElement {
  return h(
    "div",
    { class: "empty-box" },
    iconName ? h("div", { class: "empty-icon" }, icon(iconName, 28)) : null,
    h("div", { class: "empty-title", text: title }),
    h("div", { class: "empty-text", text }),
    action ?? null,
  );
}

function listJoin(names: string[]): string {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}
