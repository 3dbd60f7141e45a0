// The items panel: toolbar (search, chips, count) + virtual table + empty states.
// It feeds streamed batches into the model and repaints at most once per animation
// frame, so a fast stream of batches never blocks input or scrolling.
import { h, icon, button } from "../dom";
import { perf } from "../perf";
import { PROVIDER_IDS, rowKey, type IntegrationItem, type ProviderId } from "../backend";
import { TableModel, formatNumber, type ColumnId } from "./model";
import { TableView } from "./view";
import { providerName } from "../providers";

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
  onOpenUrl(url: string): void;
  onSelectionChange(item: IntegrationItem | null, open: boolean): void;
  emptyContext(): EmptyContext;
  emptyActions: EmptyActions;
  /** The number of rows (total or in view) changed. */
  onCountChange?(): void;
}

export class ItemsPanel {
  readonly model = new TableModel();
  readonly view: TableView;
  readonly el: HTMLElement;
  readonly search: HTMLInputElement;
  private countEl: HTMLElement;
  private providerChips = new Map<ProviderId, HTMLButtonElement>();
  private typeChipsEl: HTMLElement;
  private typeChips = new Map<string, HTMLButtonElement>();
  private raf = 0;
  /**
   * Providers whose next batch starts a new load (their old rows go first). The
   * flag survives a load that fails or is cancelled before its first batch, so the
   * resumed run still replaces the old rows instead of adding to them.
   */
  private replacePending = new Set<ProviderId>();
  /** Providers with a load or resume running (the idle warm-up waits for them). */
  private loading = new Set<ProviderId>();
  private selectedKey: string | null = null;
  /** The object last handed to onSelectionChange (rows are replaced on reload/re-send). */
  private selectedObj: IntegrationItem | null = null;
  private warmTimer = 0;

  constructor(private opts: ItemsPanelOptions) {
    this.view = new TableView(this.model, {
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
        "aria-label": "Search items",
        spellcheck: "false",
        autocomplete: "off",
      },
    });
    // Filtering 100,000 rows takes a few ms, so it runs on every keystroke:
    // no debounce delay for the user to feel.
    this.search.addEventListener("input", () => {
      const t0 = performance.now();
      this.model.setQuery(this.search.value);
      this.applyNow();
      perf.measure("search", t0);
      perf.mark("searchApplied");
      perf.afterPaint("searchPainted");
    });
    this.search.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && this.search.value) {
        // First Escape clears the search; the next one closes panes (keys.ts).
        e.stopPropagation();
        this.search.value = "";
        this.model.setQuery("");
        this.applyNow();
      }
    });

    const providerGroup = h("div", { class: "chip-group", attrs: { role: "group", "aria-label": "Filter by provider" } });
    for (const p of PROVIDER_IDS) {
      const chip = this.makeChip(providerName(p), `chip-provider-${p}`, () => {
        this.model.toggleProvider(p);
        this.applyNow();
      });
      chip.dataset.provider = p;
      this.providerChips.set(p, chip);
      providerGroup.append(chip);
    }
    this.typeChipsEl = h("div", { class: "chip-group", attrs: { role: "group", "aria-label": "Filter by type" } });
    this.countEl = h("div", { class: "item-count", testid: "item-count", attrs: { "aria-live": "polite" } });
    this.countEl.textContent = this.model.countLabel(); // before any onCountChange listener runs

    const toolbar = h(
      "div",
      { class: "toolbar" },
      h("div", { class: "toolbar-row" }, h("label", { class: "search" }, icon("search", 15), this.search), providerGroup, h("span", { class: "spacer" }), this.countEl),
      h("div", { class: "toolbar-row type-row" }, h("span", { class: "chip-caption", text: "Types" }), this.typeChipsEl),
    );
    this.el = h("section", { class: "items-panel", attrs: { "aria-label": "Items" } }, toolbar, this.view.el);
    this.updateToolbar();
    this.updateEmpty();
  }

  // ---- loading --------------------------------------------------------------------

  /** A new load of `p` starts: its old rows are replaced when the first batch lands. */
  beginLoad(p: ProviderId): void {
    this.replacePending.add(p);
    this.loading.add(p);
  }

  /**
   * A failed load of `p` is resumed. If that load never got to its first batch,
   * the replace is still pending and the resumed run's first batch does it.
   */
  beginResume(p: ProviderId): void {
    this.loading.add(p);
  }

  /**
   * The load of `p` ended. Completed without any batch: its old rows go now.
   * Failed or cancelled: a pending replace stays pending for the resume.
   */
  endLoad(p: ProviderId, completed: boolean): void {
    this.loading.delete(p);
    if (completed && this.replacePending.delete(p)) {
      this.model.removeProvider(p);
      this.scheduleFlush();
    }
    this.scheduleWarmup();
  }

  /** Drops `p`'s rows and any pending load bookkeeping (disconnect). */
  dropProvider(p: ProviderId): void {
    this.replacePending.delete(p);
    this.loading.delete(p);
    this.model.removeProvider(p);
    this.applyNow();
  }

  appendBatch(p: ProviderId, items: IntegrationItem[]): void {
    if (this.replacePending.delete(p)) this.model.removeProvider(p);
    this.model.append(items);
    perf.mark("lastBatch");
    this.scheduleFlush();
  }

  clear(): void {
    this.replacePending.clear();
    this.loading.clear();
    this.model.clear();
    this.applyNow();
  }

  /** Repaints on the next animation frame; many batches per frame cost one repaint. */
  scheduleFlush(): void {
    if (!this.raf) this.raf = requestAnimationFrame(() => this.flush());
  }

  private flush(): void {
    this.raf = 0;
    const t0 = performance.now();
    if (this.model.refresh()) {
      this.view.update();
      this.restoreSelection();
    }
    this.updateToolbar();
    this.updateEmpty();
    perf.measure("flush", t0);
    perf.mark("flushed");
    perf.afterPaint("flushPainted");
  }

  /** Re-derives the view right away (user actions: sort, search, chips). */
  applyNow(): void {
    if (this.raf) {
      cancelAnimationFrame(this.raf);
      this.raf = 0;
    }
    this.model.refresh();
    this.view.update();
    this.restoreSelection();
    this.updateToolbar();
    this.updateEmpty();
  }

  /**
   * After a load, while idle: warms the search loop and computes sort ranks, one
   * step per timer tick, so the first keystroke and header click are fast.
   */
  private scheduleWarmup(): void {
    clearTimeout(this.warmTimer);
    const columns: ColumnId[] = ["name", "modified", "created", "type", "provider", "parent"];
    let searchWarmed = false;
    const step = () => {
      if (this.loading.size) return; // another load started: warm up after it
      if (!searchWarmed) {
        searchWarmed = true;
        this.model.warmSearch();
      } else {
        const col = columns.shift();
        if (!col) return;
        this.model.warmSortCache(col);
      }
      this.warmTimer = window.setTimeout(step, 50);
    };
    this.warmTimer = window.setTimeout(step, 400);
  }

  // ---- sort & selection -----------------------------------------------------------

  sortBy(col: ColumnId): void {
    const t0 = performance.now();
    this.model.toggleSort(col);
    this.applyNow();
    perf.measure("sort", t0);
    perf.mark("sorted");
    perf.afterPaint("sortPainted");
  }

  get selectedPos(): number {
    if (this.view.selectedRow < 0) return -1;
    // The selected row's position moves with sort/filter; a linear scan of a
    // Uint32Array is well under a millisecond at 100,000 rows.
    for (let i = 0; i < this.model.viewLength; i++) if (this.model.rowAt(i) === this.view.selectedRow) return i;
    return -1;
  }

  select(pos: number, open: boolean): void {
    const item = this.model.itemAt(pos);
    if (!item) return;
    this.view.selectedRow = this.model.rowAt(pos);
    this.selectedKey = rowKey(item);
    this.selectedObj = item;
    this.view.refreshRows();
    this.view.scrollToPos(pos);
    this.opts.onSelectionChange(item, open);
  }

  moveSelection(delta: number, open: boolean): void {
    const n = this.model.viewLength;
    if (!n) return;
    const cur = this.selectedPos;
    const next = cur < 0 ? (delta > 0 ? 0 : n - 1) : Math.max(0, Math.min(n - 1, cur + delta));
    this.select(next, open);
  }

  selectedItem(): IntegrationItem | null {
    return this.view.selectedRow >= 0 ? (this.model.items[this.view.selectedRow] ?? null) : null;
  }

  clearSelection(): void {
    this.view.selectedRow = -1;
    this.selectedKey = null;
    this.selectedObj = null;
    this.view.refreshRows();
  }

  /**
   * After rows were renumbered (provider replaced) or replaced in place (same key
   * re-sent), find the selected row again by key; when it is now a different
   * object, the details pane is refreshed with it.
   */
  private restoreSelection(): void {
    if (!this.selectedKey) return;
    const m = this.model;
    let row = this.view.selectedRow;
    if (m.keyAt(row) !== this.selectedKey) {
      row = m.rowOfKey(this.selectedKey);
      this.view.selectedRow = row;
      this.view.refreshRows();
    }
    if (row < 0) {
      this.selectedKey = null;
      this.selectedObj = null;
      this.opts.onSelectionChange(null, false);
      return;
    }
    const item = m.items[row]!;
    if (item !== this.selectedObj) {
      this.selectedObj = item;
      this.opts.onSelectionChange(item, false);
    }
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

  private updateToolbar(): void {
    const m = this.model;
    const label = m.countLabel();
    if (this.countEl.textContent !== label) {
      this.countEl.textContent = label;
      this.opts.onCountChange?.();
    }
    for (const [p, chip] of this.providerChips) {
      const label = chip.firstElementChild as HTMLElement;
      if (label.textContent !== providerName(p)) label.textContent = providerName(p);
      const n = m.countForProvider(p);
      setChip(chip, m.providerFilter.has(p), n);
      chip.hidden = n === 0 && !m.providerFilter.has(p);
    }
    // Type chips follow the types present (new types appear while loading).
    for (const t of m.typeNames) {
      if (!t || this.typeChips.has(t)) continue;
      const chip = this.makeChip(t, `chip-type-${t}`, () => {
        m.toggleType(t);
        this.applyNow();
      });
      this.typeChips.set(t, chip);
      this.typeChipsEl.append(chip);
    }
    for (const [t, chip] of this.typeChips) {
      const n = m.countForType(t);
      setChip(chip, m.typeFilter.has(t), n);
      chip.hidden = n === 0 && !m.typeFilter.has(t);
    }
    this.el.classList.toggle("has-rows", m.total > 0);
  }

  private updateEmpty(): void {
    const m = this.model;
    if (m.viewLength > 0) return this.view.setEmpty(null);
    const ctx = this.opts.emptyContext();
    let content: HTMLElement;
    if (m.total > 0) {
      const what = m.queryText.trim() ? `“${m.queryText.trim()}”` : "these filters";
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

  /** Re-evaluates the empty state after app state changed (connect, load start…). */
  refreshEmpty(): void {
    this.updateEmpty();
  }

  clearFilters(): void {
    this.search.value = "";
    this.model.clearFilters();
    this.applyNow();
  }
}

function setChip(chip: HTMLButtonElement, on: boolean, count: number): void {
  const pressed = String(on);
  if (chip.getAttribute("aria-pressed") !== pressed) chip.setAttribute("aria-pressed", pressed);
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
