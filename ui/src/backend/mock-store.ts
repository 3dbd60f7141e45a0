// The mock backend's item store: the same semantics as Rust's (src-tauri/core/src/
// store/items), in memory, so the browser tests exercise what the real window sees.
//
// - A load writes into a set of its own. A first load's set is visible as it grows; a
//   reload's is staged: the previous complete set stays visible until the reload
//   completes, then replaces it. A failed or cancelled load keeps its set for Resume
//   (visible only when there is no complete set), and Resume continues it.
// - Queries: providers, types, search words (all must match, case- and
//   accent-insensitive, over name, parent, id and property values), a sort by any
//   column that is stable (ties by key), empty values last in both directions;
//   counts per provider and type among the rows matching the search.
// - Rows are generated (mock-data.ts): a set holds a count and the generator, so a
//   million stored rows cost nothing until a sorted or searched query reads them.
import type {
  Counts,
  IntegrationItem_Serialize as IntegrationItem,
  ItemKey,
  ItemQuery_Serialize as ItemQuery,
  ProviderId,
  QueryResult_Serialize as QueryResult,
  RowView_Serialize as RowView,
  SortColumn,
  StoppedLoad,
  StoredItems,
} from "./bindings";
import { typeOf } from "./mock-data";

/** The account every mock item belongs to (Rust's default account is "" too). */
export const MOCK_ACCOUNT = "";

export interface MockSet {
  readonly id: number;
  readonly provider: ProviderId;
  state: "loading" | "failed" | "complete";
  /** Rows 0..count-1 are make(i), unless re-sent (replaced). */
  count: number;
  readonly make: (index: number) => IntegrationItem;
  readonly replaced: Map<number, IntegrationItem>;
  typeCounts: Map<string, number>;
  loadedAt: string | null;
  stopped: StoppedLoad | null;
}

/** A set's rows, made once a query needs more than a window of them. */
interface Materialized {
  items: IntegrationItem[];
  search: string[];
}

// Combining diacritical marks left over after NFD decomposition.
const DIACRITICS = /[\u0300-\u036f]/g;
const MAY_DECOMPOSE = /[\u00c0-\u04ff\u1e00-\u1fff]/;

/** Lowercase, accent-free: how Rust folds text for search and sort ("Zoë" → "zoe"). */
export function fold(s: string): string {
  if (!MAY_DECOMPOSE.test(s)) return s.toLowerCase();
  return s.normalize("NFD").replace(DIACRITICS, "").toLowerCase();
}

/** The words of a search: folded, split on whitespace; every one must match. */
export function searchWords(q: string): string[] {
  return fold(q).split(/\s+/).filter((w) => w.length > 0);
}

function searchText(it: IntegrationItem): string {
  const parts = [it.name ?? "", it.parent_path_or_name ?? "", it.id ?? "", ...Object.values(it.properties ?? {})];
  return fold(parts.join("\u001f"));
}

export function rowOf(it: IntegrationItem): RowView {
  return {
    key: keyOf(it),
    name: it.name,
    directory: it.directory,
    parent: it.parent_path_or_name,
    created: it.creation_time,
    modified: it.last_modified_time,
    url: it.url,
  };
}

export function keyOf(it: IntegrationItem): ItemKey {
  return { provider: it.provider, account: MOCK_ACCOUNT, type: it.type ?? "", id: it.id ?? "" };
}

function tieKey(it: IntegrationItem): string {
  return `${it.provider}\u0000${MOCK_ACCOUNT}\u0000${it.type ?? ""}\u0000${it.id ?? ""}`;
}

function sortValue(it: IntegrationItem, column: SortColumn): string | number | null {
  const text = (s: string | null) => (s ? fold(s) : null);
  switch (column) {
    case "name":
      return text(it.name);
    case "parent":
      return text(it.parent_path_or_name);
    case "type":
      return text(it.type);
    case "provider":
      return it.provider;
    case "url":
      return it.url || null;
    case "created":
    case "modified": {
      const t = column === "created" ? it.creation_time : it.last_modified_time;
      const ms = t ? Date.parse(t) : NaN;
      return Number.isNaN(ms) ? null : ms;
    }
  }
}

function isPlain(q: ItemQuery): boolean {
  return !q.sort && !q.providers.length && !q.types.length && searchWords(q.search).length === 0;
}

/** A query's ordered rows, as (set, index) pairs. */
interface Positions {
  sets: MockSet[];
  /** set slot * 2^24 + index */
  refs: number[];
  counts: Counts;
}
const SLOT = 2 ** 24;

export class MockStore {
  private sets: MockSet[] = [];
  private nextSet = 1;
  private materialized = new Map<MockSet, Materialized>();
  /** Bumped on every write: cached positions are for one version. */
  private version = 0;
  private cached: { key: string; version: number; positions: Positions } | null = null;

  /** A complete set of `count` rows, loaded at `loadedAt` (a store opened with data). */
  seed(provider: ProviderId, count: number, make: (i: number) => IntegrationItem, loadedAt: string): MockSet {
    const set = this.newSet(provider, make);
    this.write(set, count);
    set.state = "complete";
    set.loadedAt = loadedAt;
    return set;
  }

  /**
   * The set a load writes into: with `resume`, the provider's stopped set (when one
   * is resumable), else a new one.
   */
  begin(provider: ProviderId, resume: boolean, make: (i: number) => IntegrationItem): MockSet {
    const stopped = this.stoppedSet(provider);
    if (resume && stopped?.stopped?.resumable) {
      stopped.state = "loading";
      stopped.stopped = null;
      this.changed();
      return stopped;
    }
    // A fresh load: earlier stopped sets of this provider are dropped.
    this.sets = this.sets.filter((s) => s.provider !== provider || s.state === "complete");
    return this.newSet(provider, make);
  }

  /** Appends rows count..count+n-1. */
  write(set: MockSet, n: number): void {
    for (let i = set.count; i < set.count + n; i++) {
      const t = typeOf(set.provider, i);
      set.typeCounts.set(t, (set.typeCounts.get(t) ?? 0) + 1);
    }
    set.count += n;
    this.changed();
  }

  /** Writes row `index` again (same key, new values), as a provider re-sending it. */
  replace(set: MockSet, index: number, item: IntegrationItem): void {
    set.replaced.set(index, item);
    const m = this.materialized.get(set);
    if (m && index < m.items.length) {
      m.items[index] = item;
      m.search[index] = searchText(item);
    }
    this.changed();
  }

  item(set: MockSet, index: number): IntegrationItem {
    return set.replaced.get(index) ?? set.make(index);
  }

  /** The load is done: its set replaces the provider's complete set. */
  complete(set: MockSet, loadedAt: string): number {
    this.sets = this.sets.filter((s) => s.provider !== set.provider || s === set);
    for (const s of [...this.materialized.keys()]) if (!this.sets.includes(s)) this.materialized.delete(s);
    set.state = "complete";
    set.loadedAt = loadedAt;
    set.stopped = null;
    this.changed();
    return set.count;
  }

  fail(set: MockSet, stopped: Omit<StoppedLoad, "count">): void {
    set.state = "failed";
    set.stopped = { ...stopped, count: set.count };
    this.changed();
  }

  /** Drops every row of `provider` (Disconnect). */
  forget(provider: ProviderId): void {
    this.sets = this.sets.filter((s) => s.provider !== provider);
    for (const s of [...this.materialized.keys()]) if (s.provider === provider) this.materialized.delete(s);
    this.changed();
  }

  /** Drops everything (Forget everything). */
  clear(): void {
    this.sets = [];
    this.materialized.clear();
    this.changed();
  }

  stored(provider: ProviderId): StoredItems | null {
    const c = this.sets.find((s) => s.provider === provider && s.state === "complete");
    return c ? { count: c.count, loaded_at: c.loadedAt! } : null;
  }

  /** The provider's last stopped load, when newer than its complete one. */
  stopped(provider: ProviderId): StoppedLoad | null {
    return this.stoppedSet(provider)?.stopped ?? null;
  }

  private stoppedSet(provider: ProviderId): MockSet | undefined {
    return this.sets.find((s) => s.provider === provider && s.state === "failed");
  }

  /** Rows in the store for export: the total of `query`, or of everything. */
  count(query: ItemQuery | null): number {
    return query ? this.positions(query).refs.length : this.visible().reduce((n, s) => n + s.count, 0);
  }

  /** The keys ("provider:type:id") of the rows an export of `query` writes, in its order. */
  exportKeys(query: ItemQuery | null): string[] {
    const q = query ?? { providers: [], types: [], search: "", sort: null };
    const rows = this.query(q, 0, this.count(query)).rows;
    return rows.map((r) => `${r.key.provider}:${r.key.type}:${r.key.id}`);
  }

  query(q: ItemQuery, offset: number, limit: number): QueryResult {
    const visible = this.visible();
    if (isPlain(q)) {
      const total = visible.reduce((n, s) => n + s.count, 0);
      const start = Math.min(offset, total);
      const rows: RowView[] = [];
      let base = 0;
      for (const set of visible) {
        for (let i = Math.max(0, start - base); i < set.count && rows.length < limit; i++) rows.push(rowOf(this.item(set, i)));
        base += set.count;
        if (rows.length >= limit) break;
      }
      return { total, offset: start, rows, counts: this.plainCounts(visible) };
    }
    const p = this.positions(q);
    const start = Math.min(offset, p.refs.length);
    const rows = p.refs.slice(start, start + limit).map((ref) => rowOf(this.at(p.sets, ref)));
    return { total: p.refs.length, offset: start, rows, counts: p.counts };
  }

  getItem(key: ItemKey): IntegrationItem | null {
    for (const set of this.visible()) {
      if (set.provider !== key.provider || key.account !== MOCK_ACCOUNT) continue;
      // HubSpot's generated ids are 1000 + index: no scan needed.
      if (set.provider === "hubspot") {
        const i = Number(key.id) - 1000;
        if (Number.isInteger(i) && i >= 0 && i < set.count) {
          const it = this.item(set, i);
          if (it.id === key.id && (it.type ?? "") === key.type) return it;
        }
        continue;
      }
      const m = this.materialize(set);
      const i = m.items.findIndex((it) => it.id === key.id && (it.type ?? "") === key.type);
      if (i >= 0) return m.items[i]!;
    }
    return null;
  }

  // ---- internals ------------------------------------------------------------------

  private newSet(provider: ProviderId, make: (i: number) => IntegrationItem): MockSet {
    const set: MockSet = {
      id: this.nextSet++,
      provider,
      state: "loading",
      count: 0,
      make,
      replaced: new Map(),
      typeCounts: new Map(),
      loadedAt: null,
      stopped: null,
    };
    this.sets.push(set);
    this.changed();
    return set;
  }

  private changed(): void {
    this.version++;
  }

  /** Each provider's visible set (the complete one, else its newest partial one), in arrival order. */
  private visible(): MockSet[] {
    const out: MockSet[] = [];
    for (const s of this.sets) {
      const complete = this.sets.find((c) => c.provider === s.provider && c.state === "complete");
      if (complete) {
        if (s === complete) out.push(s);
      } else {
        const newest = this.sets.filter((c) => c.provider === s.provider).at(-1);
        if (s === newest) out.push(s);
      }
    }
    return out.sort((a, b) => a.id - b.id);
  }

  private plainCounts(visible: MockSet[]): Counts {
    const counts: Counts = { providers: {}, types: {} };
    for (const s of visible) {
      counts.providers[s.provider] = (counts.providers[s.provider] ?? 0) + s.count;
      for (const [t, n] of s.typeCounts) counts.types[t] = (counts.types[t] ?? 0) + n;
    }
    return counts;
  }

  private at(sets: MockSet[], ref: number): IntegrationItem {
    const set = sets[Math.floor(ref / SLOT)]!;
    return this.materialize(set).items[ref % SLOT]!;
  }

  private materialize(set: MockSet): Materialized {
    let m = this.materialized.get(set);
    if (!m) {
      m = { items: [], search: [] };
      this.materialized.set(set, m);
    }
    for (let i = m.items.length; i < set.count; i++) {
      const it = this.item(set, i);
      m.items.push(it);
      m.search.push(searchText(it));
    }
    return m;
  }

  private positions(q: ItemQuery): Positions {
    const key = JSON.stringify([q.providers, q.types, searchWords(q.search), q.sort]);
    if (this.cached && this.cached.key === key && this.cached.version === this.version) return this.cached.positions;
    const sets = this.visible();
    const words = searchWords(q.search);
    const counts: Counts = { providers: {}, types: {} };
    const refs: number[] = [];
    const providers = new Set(q.providers);
    const types = new Set(q.types);
    sets.forEach((set, slot) => {
      const m = this.materialize(set);
      for (let i = 0; i < set.count; i++) {
        const s = m.search[i]!;
        if (!words.every((w) => s.includes(w))) continue;
        const it = m.items[i]!;
        const t = it.type ?? "";
        counts.providers[it.provider] = (counts.providers[it.provider] ?? 0) + 1;
        counts.types[t] = (counts.types[t] ?? 0) + 1;
        if (providers.size && !providers.has(it.provider)) continue;
        if (types.size && !types.has(t)) continue;
        refs.push(slot * SLOT + i);
      }
    });
    if (q.sort) {
      const { column, dir } = q.sort;
      const sign = dir === "asc" ? 1 : -1;
      const keyed = refs.map((ref) => {
        const it = this.at(sets, ref);
        return { ref, v: sortValue(it, column), tie: tieKey(it) };
      });
      keyed.sort((a, b) => {
        // Empty values last in both directions; ties by key, ascending.
        if (a.v === null || b.v === null) {
          if (a.v !== b.v) return a.v === null ? 1 : -1;
        } else if (a.v !== b.v) {
          return (a.v < b.v ? -1 : 1) * sign;
        }
        return a.tie < b.tie ? -1 : a.tie > b.tie ? 1 : 0;
      });
      for (let i = 0; i < keyed.length; i++) refs[i] = keyed[i]!.ref;
    }
    const positions = { sets, refs, counts };
    this.cached = { key, version: this.version, positions };
    return positions;
  }
}
