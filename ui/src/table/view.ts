// Virtual rendering of the items table with @tanstack/virtual-core.
// Only the ~30 visible rows (+ overscan) exist in the DOM. Rows have a FIXED height
// (ROW_HEIGHT, mirrored in styles.css), so positions are arithmetic and nothing is
// measured while scrolling. Row elements are pooled and only re-filled when the
// row they show changes, so a scroll frame is mostly transform updates.
import {
  Virtualizer,
  elementScroll,
  observeElementOffset,
  observeElementRect,
} from "@tanstack/virtual-core";
import { h, icon } from "../dom";
import { COLUMNS, formatTime, type ColumnId, type TableModel } from "./model";
import { providerName } from "../providers";

export const ROW_HEIGHT = 32;
export const HEADER_HEIGHT = 34;

export interface ViewCallbacks {
  onRowClick(pos: number): void;
  onOpenUrl(url: string): void;
  onSort(column: ColumnId): void;
}

interface PooledRow {
  el: HTMLDivElement;
  cells: HTMLElement[];
  nameText: HTMLSpanElement;
  parentText: HTMLSpanElement;
  link: HTMLAnchorElement;
  /** Storage row shown, and the model epoch it was filled in (rows renumber on replace). */
  row: number;
  epoch: number;
  top: number;
  /** View position shown (-1: unused); `stamp` marks rows used by the current render. */
  pos: number;
  stamp: number;
}

export class TableView {
  readonly el: HTMLElement;
  private scrollEl: HTMLDivElement;
  private sizer: HTMLDivElement;
  private headerCells = new Map<ColumnId, HTMLElement>();
  private emptyEl: HTMLDivElement;
  private pool: PooledRow[] = [];
  private stamp = 0;
  private virtualizer: Virtualizer<HTMLDivElement, HTMLDivElement>;
  private cleanup: () => void;
  /** Storage index of the selected row, -1 for none. */
  selectedRow = -1;

  constructor(
    private model: TableModel,
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
    this.sizer = h("div", { class: "tbody", attrs: { role: "rowgroup" } });
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
    this.sizer.addEventListener("click", (e) => this.onClick(e));
    // Middle-click would open a new webview window: treat it like a normal link click.
    this.sizer.addEventListener("auxclick", (e) => {
      const a = (e.target as Element).closest("a");
      if (a) {
        e.preventDefault();
        this.cb.onOpenUrl(a.href);
      }
    });

    this.virtualizer = new Virtualizer<HTMLDivElement, HTMLDivElement>({
      count: 0,
      getScrollElement: () => this.scrollEl,
      estimateSize: () => ROW_HEIGHT,
      // The sticky header sits inside the scroll element above the rows.
      scrollMargin: HEADER_HEIGHT,
      scrollPaddingStart: HEADER_HEIGHT,
      overscan: 8,
      observeElementRect,
      observeElementOffset,
      scrollToFn: elementScroll,
      onChange: () => this.renderRows(),
    });
    this.cleanup = this.virtualizer._didMount();
    this.virtualizer._willUpdate();
  }

  destroy(): void {
    this.cleanup();
  }

  get scrollElement(): HTMLDivElement {
    return this.scrollEl;
  }

  /** Call after the model's view changed (rows, sort or filters). */
  update(): void {
    const count = this.model.viewLength;
    if (this.virtualizer.options.count !== count) {
      this.virtualizer.setOptions({ ...this.virtualizer.options, count });
      this.virtualizer._willUpdate();
    }
    this.el.setAttribute("aria-rowcount", String(count));
    const sort = this.model.sort;
    for (const [id, cell] of this.headerCells) {
      const s = sort?.column === id ? (sort.dir === "asc" ? "ascending" : "descending") : "none";
      if (cell.getAttribute("aria-sort") !== s) cell.setAttribute("aria-sort", s);
    }
    this.renderRows();
  }

  setEmpty(content: Node | null): void {
    this.emptyEl.replaceChildren(...(content ? [content] : []));
    this.emptyEl.hidden = !content;
  }

  scrollToPos(pos: number): void {
    if (pos >= 0) this.virtualizer.scrollToIndex(pos, { align: "auto" });
  }

  scrollToTop(): void {
    this.scrollEl.scrollTop = 0;
  }

  /** Re-renders the visible rows (e.g. after the selection changed). */
  refreshRows(): void {
    this.renderRows();
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
    if (pooled) this.cb.onRowClick(pooled.pos);
  }

  private renderRows(): void {
    const items = this.virtualizer.getVirtualItems();
    const model = this.model;
    const n = model.viewLength;
    const total = this.virtualizer.getTotalSize() - HEADER_HEIGHT;
    const hpx = `${Math.max(0, total)}px`;
    if (this.sizer.style.height !== hpx) this.sizer.style.height = hpx;
    const stamp = ++this.stamp;
    // Rows keep their element while they stay in range: scrolling by a few rows only
    // re-fills the few elements that wrapped around, so each frame's layout is small.
    const byPos = new Map<number, PooledRow>();
    for (const p of this.pool) if (p.pos >= 0 && p.pos < n) byPos.set(p.pos, p);
    const wanted = items.filter((vi) => vi.index < n);
    for (const vi of wanted) {
      const p = byPos.get(vi.index);
      if (p) p.stamp = stamp;
    }
    const free = this.pool.filter((p) => p.stamp !== stamp);
    for (const vi of wanted) {
      let p = byPos.get(vi.index);
      if (!p || p.stamp !== stamp) {
        p = free.pop() ?? this.makeRow();
        p.stamp = stamp;
        p.pos = vi.index;
        p.el.setAttribute("aria-rowindex", String(vi.index + 2));
        p.el.classList.toggle("odd", (vi.index & 1) === 1);
      }
      const row = model.rowAt(vi.index);
      if (p.el.hidden) p.el.hidden = false;
      const top = vi.start - HEADER_HEIGHT;
      if (p.top !== top) {
        p.el.style.transform = `translateY(${top}px)`;
        p.top = top;
      }
      if (p.row !== row || p.epoch !== model.epoch) this.fill(p, row);
      const sel = row === this.selectedRow;
      if (p.el.classList.contains("selected") !== sel) {
        p.el.classList.toggle("selected", sel);
        p.el.setAttribute("aria-selected", String(sel));
      }
    }
    for (const p of free) {
      p.pos = -1;
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
    this.sizer.append(el);
    const p: PooledRow = { el, cells, nameText, parentText, link, row: -1, epoch: -1, top: -1, pos: -1, stamp: 0 };
    this.pool.push(p);
    return p;
  }

  private fill(p: PooledRow, row: number): void {
    const it = this.model.items[row]!;
    p.row = row;
    p.epoch = this.model.epoch;
    const name = it.name ?? "";
    p.nameText.textContent = name || "(untitled)";
    p.cells[0]!.classList.toggle("untitled", !name);
    p.cells[0]!.classList.toggle("is-dir", it.directory);
    p.cells[0]!.title = name;
    p.cells[1]!.textContent = it.type ?? "";
    const pc = p.cells[2]!;
    pc.textContent = providerName(it.provider);
    pc.dataset.provider = it.provider;
    p.parentText.textContent = it.parent_path_or_name ?? "";
    p.cells[3]!.title = it.parent_path_or_name ?? "";
    p.cells[4]!.textContent = formatTime(this.model.createdAt(row));
    p.cells[5]!.textContent = formatTime(this.model.modifiedAt(row));
    const url = it.url ?? "";
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
