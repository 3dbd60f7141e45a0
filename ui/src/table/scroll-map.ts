// Where the table is scrolled to, in rows, at any size. Browsers cap an element's
// height (about 33 million px in Chromium and WebKit, less elsewhere), and a million
// rows of 32 px are 32 million: past MAX_SCROLL_PX the scrollbar's range is scaled
// down, and a scroll offset maps to a "virtual" offset in the full height of the rows.
// Below it the mapping is the identity, so nothing moves differently from a plain list.
// Rows have one fixed height, so all of this is arithmetic (no measuring).

/** The tallest the scrolled element gets; well under every engine's cap. */
export const MAX_SCROLL_PX = 8_000_000;

export class ScrollMap {
  constructor(
    /** Rows in the result. */
    readonly rows: number,
    readonly rowHeight: number,
    /** Height of the rows' viewport (the scroll element minus the sticky header). */
    readonly viewport: number,
    readonly maxPx: number = MAX_SCROLL_PX,
  ) {}

  /** The rows' full height. */
  get contentHeight(): number {
    return this.rows * this.rowHeight;
  }

  /** The height to give the scrolled element. */
  get scrollHeight(): number {
    return Math.min(this.contentHeight, this.maxPx);
  }

  get scaled(): boolean {
    return this.contentHeight > this.maxPx;
  }

  /** The largest virtual offset: the last row's bottom at the viewport's bottom. */
  get maxVirtual(): number {
    return Math.max(0, this.contentHeight - this.viewport);
  }

  /** The largest real scroll offset. */
  get maxReal(): number {
    return Math.max(0, this.scrollHeight - this.viewport);
  }

  clampVirtual(v: number): number {
    return Math.min(Math.max(0, v), this.maxVirtual);
  }

  /** The virtual offset of a real scroll offset. */
  toVirtual(real: number): number {
    const r = Math.min(Math.max(0, real), this.maxReal);
    if (!this.scaled || this.maxReal === 0) return this.clampVirtual(r);
    return (r * this.maxVirtual) / this.maxReal;
  }

  /** The real scroll offset of a virtual one. */
  toReal(virtual: number): number {
    const v = this.clampVirtual(virtual);
    if (!this.scaled || this.maxVirtual === 0) return v;
    return (v * this.maxReal) / this.maxVirtual;
  }

  /** The rows (first..last, inclusive) the viewport shows at a virtual offset; last < first when none. */
  range(virtual: number): { first: number; last: number } {
    if (this.rows === 0 || this.viewport <= 0) return { first: 0, last: -1 };
    const v = this.clampVirtual(virtual);
    const first = Math.min(this.rows - 1, Math.floor(v / this.rowHeight));
    const last = Math.min(this.rows - 1, Math.ceil((v + this.viewport) / this.rowHeight) - 1);
    return { first, last: Math.max(first, last) };
  }

  /** The virtual offset that shows row `i` whole, moving as little as possible from `virtual`. */
  reveal(virtual: number, i: number): number {
    const top = i * this.rowHeight;
    const bottom = top + this.rowHeight;
    if (top < virtual) return this.clampVirtual(top);
    if (bottom > virtual + this.viewport) return this.clampVirtual(bottom - this.viewport);
    return this.clampVirtual(virtual);
  }
}
