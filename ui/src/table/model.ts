// Pure table logic: storage, sort, filter, search, formatting. No DOM here, so it
// is unit-tested in Node and the view stays a thin renderer.
//
// Design (why it is fast at 100,000 rows):
// - Rows are stored once, in arrival order, in parallel arrays ("columns"). Sort keys
//   and the search string are computed once per row when it arrives.
// - `order` is a Uint32Array of row indices in the current sort order; `view` is the
//   subset of `order` that passes the filters. Sorting and filtering move 4-byte
//   indices, never objects.
// - New batches are sorted on their own and merged into `order` (O(n)), so streaming
//   rows into a sorted table never triggers a full re-sort.
// - Sorting is stable in the UI sense: ties keep the order the rows had before the
//   click, so "sort by Name, then by Type" gives names in order within each type.
import { PROVIDER_IDS, rowKey, type IntegrationItem, type ProviderId } from "../backend/types";

export type ColumnId = "name" | "type" | "provider" | "parent" | "created" | "modified" | "url";
export type SortDir = "asc" | "desc";
export interface SortSpec {
  column: ColumnId;
  dir: SortDir;
}

export interface ColumnDef {
  id: ColumnId;
  label: string;
  kind: "text" | "time";
}

export const COLUMNS: readonly ColumnDef[] = [
  { id: "name", label: "Name", kind: "text" },
  { id: "type", label: "Type", kind: "text" },
  { id: "provider", label: "Provider", kind: "text" },
  { id: "parent", label: "Parent", kind: "text" },
  { id: "created", label: "Created", kind: "time" },
  { id: "modified", label: "Modified", kind: "time" },
  { id: "url", label: "URL", kind: "text" },
];

// Combining diacritical marks left over after NFD decomposition.
const DIACRITICS = /[\u0300-\u036f]/g;
// Only Latin, Greek and Cyrillic letters decompose into base + U+0300–036F marks;
// other strings (ASCII, Arabic, Hebrew, CJK…) skip the costly NFD pass.
const MAY_DECOMPOSE = /[\u00c0-\u04ff\u1e00-\u1fff]/;

/** Lowercase, accent-free form used for search and text sort ("Zoë" → "zoe"). */
export function normalize(s: string): string {
  if (!MAY_DECOMPOSE.test(s)) return s.toLowerCase();
  return s.normalize("NFD").replace(DIACRITICS, "").toLowerCase();
}

/** Parses an RFC 3339 time to epoch ms; NaN stands for "no time". */
export function parseTime(s: string | null): number {
  if (!s) return NaN;
  // Fast path for the exact shape Rust writes ("2024-03-05T14:22:01Z"): plain
  // arithmetic is ~5x cheaper than Date.parse, which matters at 200,000 calls.
  if (s.length === 20 && s.charCodeAt(10) === 84 /* T */ && s.charCodeAt(19) === 90 /* Z */) {
    const d = (i: number) => s.charCodeAt(i) - 48;
    const y = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3);
    const mo = d(5) * 10 + d(6);
    const day = d(8) * 10 + d(9);
    const h = d(11) * 10 + d(12);
    const mi = d(14) * 10 + d(15);
    const sec = d(17) * 10 + d(18);
    if (mo >= 1 && mo <= 12 && day >= 1 && day <= 31 && h < 24 && mi < 60 && sec < 61) {
      return (daysFromCivil(y, mo, day) * 86400 + h * 3600 + mi * 60 + sec) * 1000;
    }
  }
  return Date.parse(s);
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const countFmt = new Intl.NumberFormat("en-US");
export function formatNumber(n: number): string {
  return countFmt.format(n);
}

/** "12,345 of 100,000 items". */
export function formatCount(shown: number, total: number): string {
  return `${countFmt.format(shown)} of ${countFmt.format(total)} ${total === 1 ? "item" : "items"}`;
}

let timeFmt: Intl.DateTimeFormat | null = null;
/** Local, compact date-time for table cells; empty for missing times. */
export function formatTime(ms: number): string {
  if (Number.isNaN(ms)) return "";
  timeFmt ??= new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  return timeFmt.format(ms);
}

/** Splits a query into normalized words; every word must match (AND). */
export function queryTokens(q: string): string[] {
  return normalize(q.trim())
    .split(/\s+/)
    .filter((t) => t.length > 0);
}

type Compare = (a: number, b: number) => number;

export class TableModel {
  // ---- storage: one entry per row, arrival order ------------------------------
  readonly items: IntegrationItem[] = [];
  /** Row key (`provider:type:id`) of each row, and the row of each key. */
  private keys: string[] = [];
  private keyIndex = new Map<string, number>();
  /** normalized "name \n parent \n id" — what the search box matches. */
  private search: string[] = [];
  private nameKey: (string | null)[] = [];
  private parentKey: (string | null)[] = [];
  private created: number[] = [];
  private modified: number[] = [];
  private providerCode: number[] = [];
  private typeCode: number[] = [];
  /** Secondary order for ties (see header comment); unique per row. */
  private tieRank: Uint32Array = new Uint32Array(1024);
  private nextTie = 0;

  /** Interned type names; index = typeCode. */
  readonly typeNames: string[] = [];
  private typeIndex = new Map<string, number>();
  private typeCounts: number[] = [];
  private providerCounts = [0, 0, 0];

  // ---- derived ----------------------------------------------------------------
  private order: Uint32Array = new Uint32Array(0);
  /** Rows appended since `order` was last brought up to date. */
  private pendingFrom = 0;
  /** Rows below `pendingFrom` whose data was replaced in place (re-sent with the same key). */
  private replaced: number[] = [];
  private viewBuf: Uint32Array = new Uint32Array(0);
  private viewLen = 0;

  sort: SortSpec | null = null;
  private query = "";
  private tokens: string[] = [];
  readonly providerFilter = new Set<ProviderId>();
  readonly typeFilter = new Set<string>();
  /** Set when something other than the query changed since the view was built. */
  private viewStale = true;
  private lastQuery = "";

  /**
   * Bumped whenever row indices are renumbered (provider replace, clear) or a row's
   * data is replaced in place (same key re-sent): renderers refill their rows.
   */
  epoch = 0;
  /** Bumped whenever the view changes; renderers compare it to skip work. */
  version = 0;

  get total(): number {
    return this.items.length;
  }

  get viewLength(): number {
    return this.viewLen;
  }

  /** Row index (into `items`) at position `pos` of the current view. */
  rowAt(pos: number): number {
    return this.viewBuf[pos]!;
  }

  itemAt(pos: number): IntegrationItem | undefined {
    return pos >= 0 && pos < this.viewLen ? this.items[this.viewBuf[pos]!] : undefined;
  }

  createdAt(row: number): number {
    return this.created[row]!;
  }

  modifiedAt(row: number): number {
    return this.modified[row]!;
  }

  countLabel(): string {
    return formatCount(this.viewLen, this.items.length);
  }

  countForProvider(p: ProviderId): number {
    return this.providerCounts[PROVIDER_IDS.indexOf(p)]!;
  }

  countForType(t: string): number {
    const i = this.typeIndex.get(t);
    return i === undefined ? 0 : this.typeCounts[i]!;
  }

  get hasFilters(): boolean {
    return this.tokens.length > 0 || this.providerFilter.size > 0 || this.typeFilter.size > 0;
  }

  get queryText(): string {
    return this.query;
  }

  // ---- mutation -----------------------------------------------------------------

  /**
   * Adds a batch. A row whose key is already present replaces that row in place
   * (the contract: a row re-sent with the same key replaces the old one), keeping
   * its position among ties. Cheap: the sort/filter is brought up to date by
   * `refresh()`.
   */
  append(batch: readonly IntegrationItem[]): void {
    const need = this.items.length + batch.length;
    if (this.tieRank.length < need) {
      const next = new Uint32Array(Math.max(need, this.tieRank.length * 2));
      next.set(this.tieRank);
      this.tieRank = next;
    }
    let replacedAny = false;
    for (const it of batch) {
      const key = rowKey(it);
      const existing = this.keyIndex.get(key);
      if (existing !== undefined) {
        this.replaceRow(existing, it);
        replacedAny = true;
        continue;
      }
      const row = this.items.length;
      this.items.push(it);
      this.keys.push(key);
      this.keyIndex.set(key, row);
      const name = it.name == null ? null : normalize(it.name);
      const parent = it.parent_path_or_name == null ? null : normalize(it.parent_path_or_name);
      this.nameKey.push(name);
      this.parentKey.push(parent);
      this.search.push(searchText(name, parent, it.id));
      this.created.push(parseTime(it.creation_time));
      this.modified.push(parseTime(it.last_modified_time));
      const pc = PROVIDER_IDS.indexOf(it.provider);
      this.providerCode.push(pc);
      this.providerCounts[pc]!++;
      const tc = this.typeCodeOf(it.type ?? "");
      this.typeCounts[tc]!++;
      this.typeCode.push(tc);
      this.tieRank[row] = this.nextTie++;
    }
    if (replacedAny) {
      // Values changed under cached ranks and under rendered rows.
      this.rankCache.clear();
      this.epoch++;
      this.viewStale = true;
    }
  }

  /** Overwrites row `row`'s data with `it` (same key); its place in `order` is fixed in refreshOrder. */
  private replaceRow(row: number, it: IntegrationItem): void {
    this.items[row] = it;
    const name = it.name == null ? null : normalize(it.name);
    const parent = it.parent_path_or_name == null ? null : normalize(it.parent_path_or_name);
    this.nameKey[row] = name;
    this.parentKey[row] = parent;
    this.search[row] = searchText(name, parent, it.id);
    this.created[row] = parseTime(it.creation_time);
    this.modified[row] = parseTime(it.last_modified_time);
    // The key contains provider and type, so both stay the same; recount anyway
    // so counts can never drift from the rows.
    const pc = PROVIDER_IDS.indexOf(it.provider);
    if (pc !== this.providerCode[row]) {
      this.providerCounts[this.providerCode[row]!]!--;
      this.providerCounts[pc]!++;
      this.providerCode[row] = pc;
    }
    const tc = this.typeCodeOf(it.type ?? "");
    if (tc !== this.typeCode[row]) {
      this.typeCounts[this.typeCode[row]!]!--;
      this.typeCounts[tc]!++;
      this.typeCode[row] = tc;
    }
    // Rows not yet merged into `order` are merged with their new values anyway.
    if (row < this.pendingFrom) this.replaced.push(row);
  }

  private typeCodeOf(t: string): number {
    let tc = this.typeIndex.get(t);
    if (tc === undefined) {
      tc = this.typeNames.length;
      this.typeNames.push(t);
      this.typeIndex.set(t, tc);
      this.typeCounts.push(0);
    }
    return tc;
  }

  /** Drops every row of provider `p` (a reload replaces that provider's rows). */
  removeProvider(p: ProviderId): void {
    const code = PROVIDER_IDS.indexOf(p);
    if (this.providerCounts[code] === 0) return;
    this.refreshOrder(); // so `order` covers every row before we remap it
    const n = this.items.length;
    const remap = new Int32Array(n);
    let w = 0;
    for (let r = 0; r < n; r++) {
      if (this.providerCode[r] === code) {
        remap[r] = -1;
        this.typeCounts[this.typeCode[r]!]!--;
        continue;
      }
      remap[r] = w;
      if (w !== r) {
        this.items[w] = this.items[r]!;
        this.keys[w] = this.keys[r]!;
        this.search[w] = this.search[r]!;
        this.nameKey[w] = this.nameKey[r]!;
        this.parentKey[w] = this.parentKey[r]!;
        this.created[w] = this.created[r]!;
        this.modified[w] = this.modified[r]!;
        this.providerCode[w] = this.providerCode[r]!;
        this.typeCode[w] = this.typeCode[r]!;
        this.tieRank[w] = this.tieRank[r]!;
      }
      w++;
    }
    for (const arr of [this.items, this.keys, this.search, this.nameKey, this.parentKey, this.created, this.modified, this.providerCode, this.typeCode]) {
      arr.length = w;
    }
    this.providerCounts[code] = 0;
    this.keyIndex.clear();
    for (let r = 0; r < w; r++) this.keyIndex.set(this.keys[r]!, r);
    // Keep the sorted order: drop the removed rows and renumber the rest.
    const order = new Uint32Array(w);
    let k = 0;
    for (let i = 0; i < this.order.length; i++) {
      const m = remap[this.order[i]!]!;
      if (m >= 0) order[k++] = m;
    }
    this.order = order;
    this.pendingFrom = w;
    this.epoch++;
    this.viewStale = true;
  }

  clear(): void {
    for (const p of PROVIDER_IDS) this.removeProvider(p);
  }

  setSort(spec: SortSpec | null): void {
    this.refreshOrder();
    const n = this.items.length;
    // Ties keep the order the user was looking at (see header comment).
    for (let i = 0; i < n; i++) this.tieRank[this.order[i]!] = i;
    this.nextTie = n;
    this.sort = spec;
    if (spec) {
      // Counting sort by rank, walking the current order so ties keep it: O(n)
      // once the column's ranks are known (cached, see ranksFor).
      const { rank, max } = this.ranksFor(spec.column);
      this.order = countingSort(this.order, rank, max, spec.dir === "desc");
    } else {
      const order = new Uint32Array(n);
      for (let i = 0; i < n; i++) order[i] = i;
      this.order = order;
      for (let i = 0; i < n; i++) this.tieRank[i] = i;
    }
    this.pendingFrom = n;
    this.viewStale = true;
  }

  /**
   * Computes (and caches) the sort ranks of a column so that a later click on its
   * header is O(n). Called when the app is idle after a load.
   */
  warmSortCache(column: ColumnId): void {
    this.refreshOrder();
    this.ranksFor(column);
  }

  /** Header click: a new column sorts ascending, the same column flips direction. */
  toggleSort(column: ColumnId): void {
    const dir: SortDir = this.sort?.column === column && this.sort.dir === "asc" ? "desc" : "asc";
    this.setSort({ column, dir });
  }

  setQuery(q: string): void {
    this.query = q;
    this.tokens = queryTokens(q);
  }

  toggleProvider(p: ProviderId): void {
    if (!this.providerFilter.delete(p)) this.providerFilter.add(p);
    this.viewStale = true;
  }

  toggleType(t: string): void {
    if (!this.typeFilter.delete(t)) this.typeFilter.add(t);
    this.viewStale = true;
  }

  clearFilters(): void {
    this.setQuery("");
    this.providerFilter.clear();
    this.typeFilter.clear();
    this.viewStale = true;
  }

  /**
   * Brings order and view up to date with appended rows and changed filters.
   * Returns true when the view changed.
   */
  refresh(): boolean {
    const grew = this.pendingFrom < this.items.length;
    const joined = this.tokens.join(" ");
    if (!grew && !this.viewStale && joined === this.lastQuery) return false;
    // Narrowing search (typing more letters) only needs to look at what is shown.
    const narrowing = !grew && !this.viewStale && this.lastQuery !== "" && isNarrowing(this.lastQuery, joined);
    this.refreshOrder();
    this.applyFilter(narrowing);
    this.lastQuery = joined;
    this.viewStale = false;
    this.version++;
    return true;
  }

  /** Row keys of the current view, in view order (what "export the rows in view" sends). */
  keysInView(): string[] {
    const keys = new Array<string>(this.viewLen);
    for (let i = 0; i < this.viewLen; i++) keys[i] = this.keys[this.viewBuf[i]!]!;
    return keys;
  }

  /** Row index (into `items`) of the row with this key, or -1. */
  rowOfKey(key: string): number {
    return this.keyIndex.get(key) ?? -1;
  }

  /** Row key of row `row`. */
  keyAt(row: number): string | undefined {
    return this.keys[row];
  }

  /** Position in the view of the row with this key, or -1. */
  positionOfKey(key: string): number {
    const row = this.keyIndex.get(key);
    if (row === undefined) return -1;
    for (let i = 0; i < this.viewLen; i++) if (this.viewBuf[i] === row) return i;
    return -1;
  }

  // ---- internals ------------------------------------------------------------------

  private rankCache = new Map<ColumnId, { rows: number; epoch: number; rank: Uint32Array; max: number }>();

  /**
   * rank[row] = position of the row's value among the column's distinct values
   * (ascending), NO_RANK for null. Built with the engine's native sort of the
   * distinct values, which is several times faster than sorting 100,000 indices
   * with a JS comparator.
   */
  private ranksFor(column: ColumnId): { rank: Uint32Array; max: number } {
    const n = this.items.length;
    const hit = this.rankCache.get(column);
    if (hit && hit.rows === n && hit.epoch === this.epoch) return hit;
    const rank = new Uint32Array(n);
    let max = 0;
    if (column === "created" || column === "modified") {
      const v = column === "created" ? this.created : this.modified;
      const sorted = new Float64Array(n);
      let m = 0;
      for (let i = 0; i < n; i++) if (v[i] === v[i]) sorted[m++] = v[i]!;
      const vals = sorted.subarray(0, m).sort();
      for (let i = 0; i < n; i++) {
        const x = v[i]!;
        if (x !== x) {
          rank[i] = NO_RANK;
          continue;
        }
        // Binary search: first index with vals[idx] >= x (equal values share a rank).
        let lo = 0;
        let hi = m - 1;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (vals[mid]! < x) lo = mid + 1;
          else hi = mid;
        }
        rank[i] = lo;
      }
      max = Math.max(0, m - 1);
    } else {
      const keys = this.textKeys(column);
      const distinct = new Map<string, number>();
      for (let i = 0; i < n; i++) {
        const k = keys[i];
        if (k != null) distinct.set(k, 0);
      }
      const vals = [...distinct.keys()].sort(); // code-unit order, same as the comparator
      for (let i = 0; i < vals.length; i++) distinct.set(vals[i]!, i);
      for (let i = 0; i < n; i++) {
        const k = keys[i];
        rank[i] = k == null ? NO_RANK : distinct.get(k)!;
      }
      max = Math.max(0, vals.length - 1);
    }
    const entry = { rows: n, epoch: this.epoch, rank, max };
    this.rankCache.set(column, entry);
    return entry;
  }

  private comparator(spec: SortSpec): Compare {
    const s = spec.dir === "asc" ? 1 : -1;
    const tie = this.tieRank;
    switch (spec.column) {
      case "created":
      case "modified": {
        const v = spec.column === "created" ? this.created : this.modified;
        return (a, b) => {
          const x = v[a]!;
          const y = v[b]!;
          // Missing times go last in both directions: they carry no information.
          if (x !== x) return y !== y ? tie[a]! - tie[b]! : 1;
          if (y !== y) return -1;
          return x < y ? -s : x > y ? s : tie[a]! - tie[b]!;
        };
      }
      default: {
        const v = this.textKeys(spec.column);
        return (a, b) => {
          const x = v[a]!;
          const y = v[b]!;
          if (x === null) return y === null ? tie[a]! - tie[b]! : 1;
          if (y === null) return -1;
          return x < y ? -s : x > y ? s : tie[a]! - tie[b]!;
        };
      }
    }
  }

  private textKeys(column: ColumnId): readonly (string | null)[] {
    switch (column) {
      case "name":
        return this.nameKey;
      case "parent":
        return this.parentKey;
      case "type":
        return this.typeCode.map((c) => this.typeNames[c] || null);
      case "provider":
        return this.providerCode.map((c) => PROVIDER_IDS[c]!);
      case "url":
        return this.items.map((it) => it.url);
      default:
        throw new Error(`not a text column: ${column}`);
    }
  }

  /**
   * Merges rows appended since the last call into `order`, keeping it sorted.
   * Rows replaced in place are taken out and merged again with their new values.
   */
  private refreshOrder(): void {
    const n = this.items.length;
    const from = this.pendingFrom;
    const replaced = this.replaced;
    this.replaced = [];
    // Unsorted order is arrival order: a replaced row simply keeps its place.
    const moved = this.sort ? replaced.length : 0;
    if (from >= n && !moved) return;
    let fresh = new Uint32Array(n - from + moved);
    for (let i = 0; i < n - from; i++) fresh[i] = from + i;
    const merged = new Uint32Array(n);
    if (!this.sort) {
      merged.set(this.order.subarray(0, from));
      merged.set(fresh, from);
    } else {
      let old = this.order;
      if (moved) {
        // Take the replaced rows out of `order` and merge them like new ones.
        const mark = new Uint8Array(from);
        let k = n - from;
        for (const r of replaced) {
          if (mark[r]) continue; // replaced twice before a refresh
          mark[r] = 1;
          fresh[k++] = r;
        }
        fresh = fresh.subarray(0, k);
        const kept = new Uint32Array(old.length - (k - (n - from)));
        let w = 0;
        for (let i = 0; i < old.length; i++) if (!mark[old[i]!]) kept[w++] = old[i]!;
        old = kept;
      }
      const cmp = this.comparator(this.sort);
      fresh.sort(cmp);
      let i = 0;
      let j = 0;
      let k = 0;
      while (i < old.length && j < fresh.length) merged[k++] = cmp(old[i]!, fresh[j]!) <= 0 ? old[i++]! : fresh[j++]!;
      while (i < old.length) merged[k++] = old[i++]!;
      while (j < fresh.length) merged[k++] = fresh[j++]!;
    }
    this.order = merged;
    this.pendingFrom = n;
    // The view is derived from `order`: whoever merged the new rows in (a refresh, or
    // the idle warm-up while no frame is painted), the next refresh must re-filter.
    this.viewStale = true;
  }

  private applyFilter(narrowing: boolean): void {
    const src = narrowing ? this.viewBuf : this.order;
    const srcLen = narrowing ? this.viewLen : this.order.length;
    if (!narrowing && this.viewBuf.length < this.order.length) {
      this.viewBuf = new Uint32Array(Math.max(this.order.length, this.viewBuf.length * 2, 1024));
    }
    if (!this.hasFilters) {
      this.viewBuf.set(this.order);
      this.viewLen = this.order.length;
      return;
    }
    this.viewLen = this.filterInto(src, srcLen, this.viewBuf, this.tokens);
  }

  /**
   * Runs the search loop once over every row while the app is idle, so the engine
   * has optimised it before the user's first keystroke (a cold first run over
   * 100,000 rows cost ~25 ms more than a warm one).
   */
  warmSearch(): void {
    this.refreshOrder();
    const scratch = new Uint32Array(this.order.length);
    this.filterInto(this.order, this.order.length, scratch, ["\u0001"]);
  }

  /** Writes the rows of src[0..srcLen) that pass the filters to `out`; returns how many. */
  private filterInto(src: Uint32Array, srcLen: number, out: Uint32Array, tokens: readonly string[]): number {
    let pmask = 0;
    for (const p of this.providerFilter) pmask |= 1 << PROVIDER_IDS.indexOf(p);
    if (pmask === 0) pmask = 0b111;
    const typeOk = new Uint8Array(this.typeNames.length).fill(this.typeFilter.size ? 0 : 1);
    for (const t of this.typeFilter) {
      const c = this.typeIndex.get(t);
      if (c !== undefined) typeOk[c] = 1;
    }
    const search = this.search;
    const pc = this.providerCode;
    const tc = this.typeCode;
    const nt = tokens.length;
    let w = 0;
    // Reading src[i] before writing out[w] (w ≤ i) makes in-place narrowing safe.
    for (let i = 0; i < srcLen; i++) {
      const r = src[i]!;
      if (!((pmask >> pc[r]!) & 1) || !typeOk[tc[r]!]) continue;
      if (nt) {
        const s = search[r]!;
        let ok = true;
        for (let t = 0; t < nt; t++) {
          if (!s.includes(tokens[t]!)) {
            ok = false;
            break;
          }
        }
        if (!ok) continue;
      }
      out[w++] = r;
    }
    return w;
  }
}

const NO_RANK = 0xffffffff;

/** normalized "name \n parent \n id": what the search box matches. */
function searchText(name: string | null, parent: string | null, id: string | null): string {
  const search = `${name ?? ""}\n${parent ?? ""}\n${id == null ? "" : normalize(id)}`;
  // Concatenation makes a rope ("cons string"); the engine flattens it on the
  // first search, which made the first keystroke after a load ~60 ms slower.
  // Searching it once here flattens it while the batch is processed instead.
  search.indexOf("\u0000");
  return search;
}

/**
 * Stable counting sort of `order` by rank (descending reverses ranks, not ties);
 * null ranks go last in both directions.
 */
function countingSort(order: Uint32Array, rank: Uint32Array, max: number, desc: boolean): Uint32Array {
  const nullBucket = max + 1;
  const starts = new Uint32Array(max + 3);
  const bucket = (r: number) => {
    const k = rank[r]!;
    return k === NO_RANK ? nullBucket : desc ? max - k : k;
  };
  for (let i = 0; i < order.length; i++) starts[bucket(order[i]!) + 1]!++;
  for (let b = 1; b < starts.length; b++) starts[b]! += starts[b - 1]!;
  const out = new Uint32Array(order.length);
  for (let i = 0; i < order.length; i++) {
    const r = order[i]!;
    out[starts[bucket(r)]!++] = r;
  }
  return out;
}

/** True when every row matching `next` also matches `prev` (so we can filter the view). */
function isNarrowing(prev: string, next: string): boolean {
  const p = prev.split(" ");
  const n = next.split(" ");
  // Each old token must be contained in the new token at the same position.
  if (n.length < p.length) return false;
  return p.every((t, i) => n[i]!.includes(t));
}
