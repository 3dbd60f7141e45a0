// RowWindows: the table's windows of a query. A fake query_items answers when the
// test says, so the order of answers is the test's to choose.
import { describe, expect, it } from "vitest";
import { RowWindows, MOST_ROWS, type Change } from "../../src/table/windows";
import { PLAIN_QUERY, type ItemQuery, type QueryResult, type RowView } from "../../src/backend";

interface Call {
  query: ItemQuery;
  offset: number;
  limit: number;
  answer(total: number, label?: string): void;
  fail(): void;
}

const row = (i: number, label: string): RowView => ({
  key: { provider: "hubspot", account: "", type: "contact", id: String(i) },
  name: `${label} ${i}`,
  directory: false,
  parent: null,
  created: null,
  modified: null,
  url: null,
});

function setup(opts: { pageSize?: number; keepPages?: number } = {}) {
  const calls: Call[] = [];
  const changes: Change[] = [];
  const errors: unknown[] = [];
  const w = new RowWindows({
    fetch: (query, offset, limit) =>
      new Promise<QueryResult>((resolve, reject) => {
        calls.push({
          query,
          offset,
          limit,
          answer(total, label = query.search || "row") {
            const start = Math.min(offset, total);
            const rows = Array.from({ length: Math.max(0, Math.min(limit, total - start)) }, (_, k) => row(start + k, label));
            resolve({ total, offset: start, rows, counts: { providers: { hubspot: total }, types: { contact: total } } });
          },
          fail: () => reject({ code: "store_failed", message: "disk gone" }),
        });
      }),
    onChange: (c) => changes.push(c),
    onError: (e) => errors.push(e),
    ...opts,
  });
  return { w, calls, changes, errors };
}

const settle = () => new Promise((r) => setTimeout(r, 0));
const q = (search: string): ItemQuery => ({ ...PLAIN_QUERY, search });

describe("RowWindows", () => {
  it("shows a query's first window all at once: rows, total and counts", async () => {
    const { w, calls, changes } = setup();
    w.setViewport(0, 20);
    w.setQuery(PLAIN_QUERY);
    expect(w.shown).toBeNull();
    expect(w.pending).toBe(true);
    expect(calls[0]).toMatchObject({ offset: 0 });
    calls[0]!.answer(5000);
    await settle();
    expect(w.shown).toMatchObject({ total: 5000, grandTotal: 5000 });
    expect(w.rowAt(0)?.name).toBe("row 0");
    expect(w.has(0, 20)).toBe(true);
    expect(changes[0]).toBe("query");
  });

  it("never lets a slow, older answer overwrite a newer one", async () => {
    const { w, calls } = setup();
    w.setViewport(0, 20);
    w.setQuery(q("a"));
    w.setQuery(q("ab"));
    // Each query with a search also reads the plain total.
    const [a, aAll, ab, abAll] = calls;
    ab!.answer(10);
    abAll!.answer(5000);
    await settle();
    expect(w.shown?.query.search).toBe("ab");
    a!.answer(400);
    aAll!.answer(5000);
    await settle();
    expect(w.shown?.query.search).toBe("ab");
    expect(w.shown?.total).toBe(10);
    expect(w.rowAt(0)?.name).toBe("ab 0");
  });

  it("keeps the previous rows on screen until the new answer lands", async () => {
    const { w, calls } = setup();
    w.setViewport(0, 20);
    w.setQuery(PLAIN_QUERY);
    calls[0]!.answer(3000);
    await settle();
    w.setQuery(q("zoe"));
    expect(w.pending).toBe(true);
    expect(w.rowAt(5)?.name).toBe("row 5");
    expect(w.shown?.total).toBe(3000);
  });

  it("a refresh reads around the viewport and keeps its place", async () => {
    const { w, calls, changes } = setup({ pageSize: 100 });
    w.setViewport(0, 20);
    w.setQuery(PLAIN_QUERY);
    calls[0]!.answer(100_000);
    await settle();
    w.setViewport(50_010, 50_030);
    calls.at(-1)!.answer(100_000);
    await settle();
    const before = calls.length;
    w.refresh();
    const r = calls[before]!;
    expect(r.offset).toBeLessThanOrEqual(50_010);
    expect(r.offset + r.limit).toBeGreaterThan(50_030);
    r.answer(100_500);
    await settle();
    expect(changes.at(-1)).toBe("refresh");
    expect(w.shown?.total).toBe(100_500);
    expect(w.has(50_010, 50_030)).toBe(true);
  });

  it("while a read is on its way, more refreshes make one more read, not one each", async () => {
    const { w, calls } = setup();
    w.setViewport(0, 20);
    w.setQuery(PLAIN_QUERY);
    calls[0]!.answer(100);
    await settle();
    w.refresh();
    w.refresh();
    w.refresh();
    expect(calls.length).toBe(2);
    calls[1]!.answer(200);
    await settle();
    expect(calls.length).toBe(3);
    calls[2]!.answer(300);
    await settle();
    expect(calls.length).toBe(3);
    expect(w.shown?.total).toBe(300);
  });

  it("scrolling far keeps only a few hundred rows, in windows of at most 2,000", async () => {
    const { w, calls } = setup({ pageSize: 100, keepPages: 6 });
    w.setViewport(0, 25);
    w.setQuery(PLAIN_QUERY);
    calls[0]!.answer(1_000_000);
    await settle();
    for (const top of [1000, 200_000, 999_975, 500_000, 30]) {
      w.setViewport(top, top + 25);
      for (const c of calls) if (c.limit > 0) c.answer(1_000_000);
      await settle();
      expect(w.has(top, top + 25)).toBe(true);
      expect(w.cachedRows).toBeLessThanOrEqual(600);
    }
    expect(calls.every((c) => c.limit <= MOST_ROWS)).toBe(true);
    // The end: the last row is there, and nothing past it is asked for.
    w.setViewport(999_975, 999_999);
    for (const c of calls) c.answer(1_000_000);
    await settle();
    expect(w.rowAt(999_999)?.name).toBe("row 999999");
    expect(calls.every((c) => c.offset < 1_000_000)).toBe(true);
  });

  it("with a search, 'of N items' comes from a read of the whole table", async () => {
    const { w, calls } = setup();
    w.setViewport(0, 20);
    w.setQuery(q("zoe"));
    expect(calls[1]).toMatchObject({ query: PLAIN_QUERY, limit: 0 });
    calls[0]!.answer(42);
    calls[1]!.answer(5000);
    await settle();
    expect(w.shown).toMatchObject({ total: 42, grandTotal: 5000 });
  });

  it("a failed read keeps what is shown and says so", async () => {
    const { w, calls, errors } = setup();
    w.setViewport(0, 20);
    w.setQuery(PLAIN_QUERY);
    calls[0]!.answer(50);
    await settle();
    w.refresh();
    calls[1]!.fail();
    await settle();
    expect(errors.length).toBe(1);
    expect(w.pending).toBe(false);
    expect(w.shown?.total).toBe(50);
    // And the next refresh reads again.
    w.refresh();
    expect(calls.length).toBe(3);
  });

  it("finds a key among the kept rows", async () => {
    const { w, calls } = setup();
    w.setViewport(0, 20);
    w.setQuery(PLAIN_QUERY);
    calls[0]!.answer(500);
    await settle();
    expect(w.positionOf({ provider: "hubspot", account: "", type: "contact", id: "17" })).toBe(17);
    expect(w.positionOf({ provider: "notion", account: "", type: "contact", id: "17" })).toBe(-1);
  });
});
