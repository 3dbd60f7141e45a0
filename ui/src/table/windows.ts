// The table's rows as windows of a query: only the pages around the viewport are kept
// (a few hundred rows), fetched from query_items as the user scrolls. No DOM here, so
// it is unit-tested in Node.
//
// Every query or refresh starts a new generation. A generation is shown only once its
// first window has arrived, all at once (rows, total, chip counts), so the table never
// mixes rows of two queries and never goes blank while it waits: until then the
// previous generation stays on screen. Answers of an older generation are dropped, so
// a slow answer can never overwrite a newer one.
import { PLAIN_QUERY, sameKey, type Counts, type ItemKey, type ItemQuery, type QueryResult, type RowView } from "../backend";

export type Fetch = (query: ItemQuery, offset: number, limit: number) => Promise<QueryResult>;

/** Why the rows changed: a new query was shown, the same query re-read, or more rows arrived. */
export type Change = "query" | "refresh" | "rows";

/** What is on screen: the query, how many rows it has, and the chips' counts. */
export interface Shown {
  query: ItemQuery;
  total: number;
  counts: Counts;
  /** Every stored row (the "of N items"). */
  grandTotal: number;
  gen: number;
}

export interface WindowsOptions {
  fetch: Fetch;
  onChange(change: Change): void;
  onError(e: unknown): void;
  /** Rows per page (one request fetches one or more whole pages). */
  pageSize?: number;
  /** Pages kept; the farthest from the viewport go first. */
  keepPages?: number;
  /** Pages fetched beyond the viewport on each side. */
  aheadPages?: number;
}

/** Rust answers at most this many rows per window. */
export const MOST_ROWS = 2000;

export class RowWindows {
  readonly pageSize: number;
  private readonly keepPages: number;
  private readonly ahead: number;
  /** The newest generation asked for, and the newest that landed (shown, or failed). */
  private gen = 0;
  private settled = 0;
  shown: Shown | null = null;
  /** The query the newest generation asks (shown or not yet). */
  query: ItemQuery = PLAIN_QUERY;
  private pages = new Map<number, RowView[]>();
  private inflight = new Set<number>();
  private view = { first: 0, last: 0 };
  /** A refresh asked while a generation was on its way: run it when that one lands. */
  private refreshAgain = false;

  constructor(private opts: WindowsOptions) {
    this.pageSize = opts.pageSize ?? 100;
    this.keepPages = opts.keepPages ?? 8;
    this.ahead = opts.aheadPages ?? 1;
  }

  /** A generation newer than the one shown is on its way. */
  get pending(): boolean {
    return this.gen !== this.settled;
  }

  /** Rows kept right now (a few hundred at most). */
  get cachedRows(): number {
    let n = 0;
    for (const p of this.pages.values()) n += p.length;
    return n;
  }

  /** Shows `query` from its first row. */
  setQuery(query: ItemQuery): void {
    this.query = query;
    this.refreshAgain = false;
    this.start("query", 0, Math.max(0, this.view.last - this.view.first));
  }

  /**
   * The store changed (a load wrote, a reload swapped, a disconnect deleted): reads
   * the same query again around the same rows. While a read is on its way, one more
   * follows when it lands (never more than one at a time).
   */
  refresh(): void {
    if (this.pending) {
      this.refreshAgain = true;
      return;
    }
    this.start("refresh", this.view.first, this.view.last);
  }

  /** The rows the viewport shows (inclusive); fetches what is missing around them. */
  setViewport(first: number, last: number): void {
    this.view = { first, last };
    this.fill();
  }

  /** Row `i` of the shown generation, if kept. */
  rowAt(i: number): RowView | undefined {
    if (!this.shown || i < 0 || i >= this.shown.total) return undefined;
    return this.pages.get(Math.floor(i / this.pageSize))?.[i % this.pageSize];
  }

  /** Whether every row first..last (inclusive, within the total) is kept. */
  has(first: number, last: number): boolean {
    if (!this.shown) return false;
    const end = Math.min(last, this.shown.total - 1);
    for (let i = Math.max(0, first); i <= end; i++) if (!this.rowAt(i)) return false;
    return true;
  }

  /** The position of `key` among the kept rows, or -1. */
  positionOf(key: ItemKey): number {
    for (const [page, rows] of this.pages) {
      const i = rows.findIndex((r) => sameKey(r.key, key));
      if (i >= 0) return page * this.pageSize + i;
    }
    return -1;
  }

  // ---- internals ------------------------------------------------------------------

  private pageSpan(first: number, last: number): [number, number] {
    const p0 = Math.max(0, Math.floor(first / this.pageSize) - this.ahead);
    let p1 = Math.floor(Math.max(first, last) / this.pageSize) + this.ahead;
    const most = Math.floor(MOST_ROWS / this.pageSize);
    if (p1 - p0 + 1 > most) p1 = p0 + most - 1;
    return [p0, p1];
  }

  private start(change: Change, first: number, last: number): void {
    const gen = ++this.gen;
    this.inflight.clear();
    const query = this.query;
    const [p0, p1] = this.pageSpan(first, last);
    const main = this.opts.fetch(query, p0 * this.pageSize, (p1 - p0 + 1) * this.pageSize);
    // "of N items" counts every stored row: with a search, that is another (cheap) read.
    const plain = query.search.trim() ? this.opts.fetch(PLAIN_QUERY, 0, 0) : null;
    Promise.all([main, plain]).then(
      ([r, all]) => {
        if (gen !== this.gen) return; // a newer generation was asked for
        this.settled = gen;
        this.pages.clear();
        this.store(p0, r);
        const grandTotal = all ? all.total : sum(r.counts.providers);
        this.shown = { query, total: r.total, counts: r.counts, grandTotal, gen };
        this.opts.onChange(change);
        this.landed();
        this.fill();
      },
      (e) => {
        if (gen !== this.gen) return;
        // Nothing new to show: the previous generation stays on screen.
        this.settled = gen;
        this.opts.onError(e);
        this.landed();
      },
    );
  }

  private landed(): void {
    if (this.refreshAgain) {
      this.refreshAgain = false;
      this.start("refresh", this.view.first, this.view.last);
    }
  }

  /** Fetches the missing pages around the viewport (for the shown generation only). */
  private fill(): void {
    const shown = this.shown;
    if (!shown || this.pending || shown.total === 0) return;
    const [p0, p1Wanted] = this.pageSpan(this.view.first, this.view.last);
    const lastPage = Math.floor((shown.total - 1) / this.pageSize);
    const p1 = Math.min(p1Wanted, lastPage);
    let runStart = -1;
    const flush = (end: number) => {
      if (runStart < 0) return;
      this.request(shown.gen, runStart, end);
      runStart = -1;
    };
    for (let p = p0; p <= p1; p++) {
      const missing = !this.pages.has(p) && !this.inflight.has(p);
      if (missing && runStart < 0) runStart = p;
      if (!missing) flush(p - 1);
    }
    flush(p1);
  }

  private request(gen: number, p0: number, p1: number): void {
    for (let p = p0; p <= p1; p++) this.inflight.add(p);
    this.opts.fetch(this.shown!.query, p0 * this.pageSize, (p1 - p0 + 1) * this.pageSize).then(
      (r) => {
        if (this.shown?.gen !== gen) return; // another generation is shown now
        for (let p = p0; p <= p1; p++) this.inflight.delete(p);
        this.store(p0, r);
        this.opts.onChange("rows");
      },
      (e) => {
        if (this.shown?.gen !== gen) return;
        for (let p = p0; p <= p1; p++) this.inflight.delete(p);
        this.opts.onError(e);
      },
    );
  }

  /** Keeps an answer's rows by page; drops the pages farthest from the viewport. */
  private store(p0: number, r: QueryResult): void {
    for (let k = 0; k * this.pageSize < r.rows.length; k++) {
      this.pages.set(p0 + k, r.rows.slice(k * this.pageSize, (k + 1) * this.pageSize));
    }
    if (this.pages.size <= this.keepPages) return;
    const center = Math.floor((this.view.first + this.view.last) / 2 / this.pageSize);
    const byDistance = [...this.pages.keys()].sort((a, b) => Math.abs(b - center) - Math.abs(a - center));
    for (const p of byDistance.slice(0, this.pages.size - this.keepPages)) this.pages.delete(p);
  }
}

function sum(counts: Partial<Record<string, number>>): number {
  let n = 0;
  for (const v of Object.values(counts)) n += v ?? 0;
  return n;
}
