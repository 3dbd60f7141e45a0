// The items table on screen: a sticky header, a scroll element sized to the result
// (scaled past MAX_SCROLL_PX, see scroll-map.ts), and a sticky layer of pooled row
// elements that shows the rows at the current offset. Only the ~30 visible rows exist
// in the DOM. Rows have a FIXED height (ROW_HEIGHT, mirrored in styles.css), so
// positions are arithmetic and nothing is measured while scrolling.
//
// The layer is redrawn only when every row it must show has arrived: until then the
// rows already drawn stay where they are, so a jump far down never shows a blank table,
// and the next answer (a few ms) draws the new rows.
import { h, icon } from "../dom";
import { sameKey, type ItemKey, type RowView, type Sort, type SortColumn } from "../backend";
import { COLUMNS, formatTime } from "./format";
import { ScrollMap } from "./scroll-map";
import type { RowWindows } from "./windows";
import { providerName } from "../providers";

export const ROW_HEIGHT = 32;
export const HEADER_HEIGHT = 34;

export interface ViewCallbacks {
  onRowClick(pos: number): void;
  onOpenUrl(url: string): void;
  onSort(column: SortColumn): void;
}

interface PooledRow {
  el: HTMLDivElement;
  cells: HTMLElement[];
  nameText: HTMLSpanElement;
  parentText: HTMLSpanElement;
  link: HTMLAnchorElement;
  /** The row object shown (a new answer brings new objects, even for the same item). */
  row: RowView | null;
  top: number;
  /** Result position shown (-1: unused); `stamp` marks rows used by the current draw. */
  pos: number;
  stamp: number;
}

export class TableView {
  readonly el: HTMLElement;
  private scrollEl: HTMLDivElement;
  private sizer: HTMLDivElement;
  private layer: HTMLDivElement;
  private headerCells = new Map<SortColumn, HTMLElement>();
  private emptyEl: HTMLDivElement;
  private pool: PooledRow[] = [];
  private stamp = 0;
  private map = new ScrollMap(0, ROW_HEIGHT, 0);
  /** Where the rows are scrolled to, in the rows' full height (see scroll-map.ts). */
  private virtualTop = 0;
  /** The scrollTop this view set last: scroll events at it are ours, not the user's. */
  private ownScroll: number | null = null;
  private resize: ResizeObserver | null = null;
  /** The selected row's key (highlighted wherever it shows). */
  selectedKey: ItemKey | null = null;

  constructor(
    private windows: RowWindows,
    private cb: ViewCallbacks,
  ) {
    const header = h("div", { class: "thead", attrs: { role: "row" } });
    for (const col of COLUMNS) {
      const cell = h(
        "div",
        {
          class: `th col-${col.id}`,
          testid: `sort-${col.id}`,
          attrs: { role: "columnheader", "aria-sort": "none", tabindex: "-1" },
          on: { click: () => this.cb.onSort(col.id) },
        },
        h("span", { class: "th-label", text: col.label }),
        h("span", { class: "sort-indicator", attrs: { "aria-hidden": "true" } }),
      );
      this.headerCells.set(col.id, cell);
      header.append(cell);
    }
    this.layer = h("div", { class: "rows-layer" });
    this.sizer = h("div", { class: "tbody", attrs: { role: "rowgroup" } }, this.layer);
    this.scrollEl = h("div", { class: "table-scroll", attrs: { tabindex: "0" } }, header, this.sizer);
    this.emptyEl = h("div", { class: "empty-state", testid: "empty-state" });
    this.emptyEl.hidden = true;
    this.el = h(
      "div",
      { class: "table", testid: "items-table", attrs: { role: "grid", "aria-label": "Items", "aria-rowcount": "0" } },
      this.scrollEl,
      this.emptyEl,
    );

    // One delegated listener instead of one per cell.
    this.layer.addEventListener("click", (e) => this.onClick(e));
    // Middle-click would open a new webview window: treat it like a normal link click.
    this.layer.addEventListener("auxclick", (e) => {
      const a = (e.target as Element).closest("a");
      if (a) {
        e.preventDefault();
        this.cb.onOpenUrl(a.href);
      }
    });
    this.scrollEl.addEventListener("scroll", () => this.onScroll(), { passive: true });
    // Scaled, the scrollbar moves several rows' worth per pixel: the wheel and the
    // touchpad scroll the rows by their own distance instead.
    this.scrollEl.addEventListener("wheel", (e) => this.onWheel(e), { passive: false });
    if (typeof ResizeObserver !== "undefined") {
      this.resize = new ResizeObserver(() => this.render());
      this.resize.observe(this.scrollEl);
    }
  }

  destroy(): void {
    this.resize?.disconnect();
  }

  get scrollElement(): HTMLDivElement {
    return this.scrollEl;
  }

  /** The rows the viewport shows now (inclusive; last < first when none). */
  get visible(): { first: number; last: number } {
    return this.map.range(this.virtualTop);
  }

  /** Rows that fit in the viewport. */
  get pageRows(): number {
    return Math.max(1, Math.floor(this.viewportHeight() / ROW_HEIGHT));
  }

  /** Redraws after the rows, the total or the selection changed. */
  update(): void {
    this.render();
  }

  /** Fills every row shown again (what they show changed, not the rows: provider names). */
  refill(): void {
    for (const p of this.pool) p.row = null;
    this.render();
  }

  setSort(sort: Sort | null): void {
    for (const [id, cell] of this.headerCells) {
      const s = sort?.column === id ? (sort.dir === "asc" ? "ascending" : "descending") : "none";
      if (cell.getAttribute("aria-sort") !== s) cell.setAttribute("aria-sort", s);
    }
  }

  setEmpty(content: Node | null): void {
    this.emptyEl.replaceChildren(...(content ? [content] : []));
    this.emptyEl.hidden = !content;
  }

  /** Scrolls as little as needed to show row `pos` whole. */
  scrollToRow(pos: number): void {
    if (pos < 0) return;
    this.setVirtualTop(this.map.reveal(this.virtualTop, pos));
  }

  scrollToTop(): void {
    this.setVirtualTop(0);
  }

  /** Scrolls so that the last row shows at the bottom. */
  scrollToEnd(): void {
    this.setVirtualTop(this.map.maxVirtual);
  }

  // ---- internals ------------------------------------------------------------------

  private viewportHeight(): number {
    return Math.max(0, this.scrollEl.clientHeight - HEADER_HEIGHT);
  }

  private setVirtualTop(v: number): void {
    this.virtualTop = this.map.clampVirtual(v);
    this.syncScrollTop();
    this.render();
  }

  /** Puts the scrollbar where the virtual offset says (it moves when the total does, scaled). */
  private syncScrollTop(): void {
    const real = this.map.toReal(this.virtualTop);
    if (Math.abs(this.scrollEl.scrollTop - real) > 1) {
      this.scrollEl.scrollTop = real;
      this.ownScroll = this.scrollEl.scrollTop;
    }
  }

  private onScroll(): void {
    const real = this.scrollEl.scrollTop;
    if (this.ownScroll !== null && Math.abs(real - this.ownScroll) <= 1) {
      // Our own scroll: the virtual offset is already exact (scaled, a real pixel is several).
    } else {
      this.ownScroll = null;
      this.virtualTop = this.map.toVirtual(real);
    }
    this.render();
  }

  private onWheel(e: WheelEvent): void {
    if (!this.map.scaled || e.ctrlKey || e.deltaY === 0) return;
    e.preventDefault();
    const unit = e.deltaMode === 1 ? ROW_HEIGHT : e.deltaMode === 2 ? this.viewportHeight() : 1;
    if (e.deltaX) this.scrollEl.scrollLeft += e.deltaX * unit;
    this.setVirtualTop(this.virtualTop + e.deltaY * unit);
  }

  private onClick(e: MouseEvent): void {
    const target = e.target as Element;
    const link = target.closest("a");
    if (link) {
      // Never navigate the app's own webview: links open in the system browser.
      e.preventDefault();
      this.cb.onOpenUrl(link.href);
      return;
    }
    const rowEl = target.closest<HTMLElement>(".tr");
    if (!rowEl) return;
    const pooled = this.pool.find((p) => p.el === rowEl);
    if (pooled && pooled.pos >= 0) this.cb.onRowClick(pooled.pos);
  }

  private render(): void {
    const total = this.windows.shown?.total ?? 0;
    const viewport = this.viewportHeight();
    if (this.map.rows !== total || this.map.viewport !== viewport) {
      this.map = new ScrollMap(total, ROW_HEIGHT, viewport);
      const hpx = `${this.map.scrollHeight}px`;
      if (this.sizer.style.height !== hpx) this.sizer.style.height = hpx;
      const lpx = `${Math.min(viewport, this.map.contentHeight)}px`;
      if (this.layer.style.height !== lpx) this.layer.style.height = lpx;
      this.el.setAttribute("aria-rowcount", String(total));
      this.virtualTop = this.map.clampVirtual(this.virtualTop);
      this.syncScrollTop();
    }
    const { first, last } = this.map.range(this.virtualTop);
    this.windows.setViewport(first, last);
    if (total === 0) return this.hideAll();
    // Not all there yet: what is drawn stays until the answer lands.
    if (!this.windows.has(first, last)) return;
    this.draw(first, last);
  }

  private hideAll(): void {
    for (const p of this.pool) {
      p.pos = -1;
      p.row = null;
      if (!p.el.hidden) p.el.hidden = true;
    }
  }

  private draw(first: number, last: number): void {
    const stamp = ++this.stamp;
    // Rows keep their element while they stay in range: scrolling by a few rows only
    // re-fills the few elements that wrapped around, so each frame's layout is small.
    const byPos = new Map<number, PooledRow>();
    for (const p of this.pool) if (p.pos >= first && p.pos <= last) byPos.set(p.pos, p);
    for (const p of byPos.values()) p.stamp = stamp;
    const free = this.pool.filter((p) => p.stamp !== stamp);
    for (let pos = first; pos <= last; pos++) {
      const row = this.windows.rowAt(pos)!;
      let p = byPos.get(pos);
      if (!p) {
        p = free.pop() ?? this.makeRow();
        p.stamp = stamp;
        p.pos = pos;
        p.el.setAttribute("aria-rowindex", String(pos + 2));
        p.el.classList.toggle("odd", (pos & 1) === 1);
      }
      if (p.el.hidden) p.el.hidden = false;
      const top = pos * ROW_HEIGHT - this.virtualTop;
      if (p.top !== top) {
        p.el.style.transform = `translateY(${top}px)`;
        p.top = top;
      }
      if (p.row !== row) this.fill(p, row);
      const sel = sameKey(row.key, this.selectedKey);
      if (p.el.classList.contains("selected") !== sel) {
        p.el.classList.toggle("selected", sel);
        p.el.setAttribute("aria-selected", String(sel));
      }
    }
    for (const p of free) {
      p.pos = -1;
      p.row = null;
      if (!p.el.hidden) p.el.hidden = true;
    }
  }

  private makeRow(): PooledRow {
    const nameText = h("span", { class: "cell-text", attrs: { dir: "auto" } });
    const parentText = h("span", { class: "cell-text", attrs: { dir: "auto" } });
    const link = h("a", { class: "url-link", attrs: { rel: "noopener noreferrer", target: "_blank", dir: "ltr" } });
    const cells: HTMLElement[] = [
      h("div", { class: "td col-name", attrs: { role: "gridcell" } }, icon("file", 14), icon("folder", 14), nameText),
      h("div", { class: "td col-type", attrs: { role: "gridcell" } }),
      h("div", { class: "td col-provider", attrs: { role: "gridcell" } }),
      h("div", { class: "td col-parent", attrs: { role: "gridcell" } }, parentText),
      h("div", { class: "td col-created num", attrs: { role: "gridcell" } }),
      h("div", { class: "td col-modified num", attrs: { role: "gridcell" } }),
      h("div", { class: "td col-url", attrs: { role: "gridcell" } }, link),
    ];
    const el = h("div", { class: "tr", testid: "row", attrs: { role: "row", "aria-selected": "false" } }, ...cells);
    el.hidden = true;
    this.layer.append(el);
    const p: PooledRow = { el, cells, nameText, parentText, link, row: null, top: -1, pos: -1, stamp: 0 };
    this.pool.push(p);
    return p;
  }

  private fill(p: PooledRow, row: RowView): void {
    p.row = row;
    const name = row.name ?? "";
    p.nameText.textContent = name || "(untitled)";
    p.cells[0]!.classList.toggle("untitled", !name);
    p.cells[0]!.classList.toggle("is-dir", row.directory);
    p.cells[0]!.title = name;
    p.cells[1]!.textContent = row.key.type;
    const pc = p.cells[2]!;
    pc.textContent = providerName(row.key.provider);
    pc.dataset.provider = row.key.provider;
    p.parentText.textContent = row.parent ?? "";
    p.cells[3]!.title = row.parent ?? "";
    p.cells[4]!.textContent = formatTime(row.created);
    p.cells[5]!.textContent = formatTime(row.modified);
    const url = row.url ?? "";
    if (url) {
      p.link.href = url;
      p.link.textContent = url.replace(/^https?:\/\/(www\.)?/, "");
      p.link.title = url;
      p.link.hidden = false;
    } else {
      p.link.removeAttribute("href");
      p.link.hidden = true;
    }
  }
}
