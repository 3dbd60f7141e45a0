// The browser tests' store must behave as Rust's does, or they test the wrong thing:
// the same semantics, checked against a plain sort and filter here.
import { describe, expect, it } from "vitest";
import { MockStore, fold } from "../../src/backend/mock-store";
import { makeItem } from "../../src/backend/mock-data";
import { PLAIN_QUERY, type IntegrationItem, type ItemQuery, type ProviderId, type SortColumn } from "../../src/backend";

function item(provider: ProviderId, id: string, name: string | null, extra: Partial<IntegrationItem> = {}): IntegrationItem {
  return {
    id,
    type: "contact",
    directory: false,
    parent_path_or_name: null,
    parent_id: null,
    name,
    creation_time: null,
    last_modified_time: null,
    url: null,
    children: null,
    mime_type: null,
    delta: null,
    drive_id: null,
    visibility: null,
    provider,
    properties: {},
    associations: null,
    ...extra,
  };
}

const fromList = (list: IntegrationItem[]) => (i: number) => list[i]!;
const names = (s: MockStore, q: ItemQuery) => s.query(q, 0, 2000).rows.map((r) => r.name);
const sorted = (column: SortColumn, dir: "asc" | "desc"): ItemQuery => ({ ...PLAIN_QUERY, sort: { column, dir } });
const T = "2025-01-01T00:00:00Z";

describe("MockStore queries", () => {
  const list = [
    item("hubspot", "3", "Zoë"),
    item("hubspot", "1", "zoe"),
    item("hubspot", "2", null),
    item("hubspot", "4", "Ana", { properties: { email: "ana@example.com" } }),
    item("hubspot", "5", "Émile", { parent_path_or_name: "Café Müller" }),
  ];
  const store = new MockStore();
  store.seed("hubspot", list.length, fromList(list), T);

  it("sorts stably with ties broken by key, empty values last both ways", () => {
    // "Zoë" and "zoe" fold alike: the key (id "1" before "3") decides, in both directions.
    expect(names(store, sorted("name", "asc"))).toEqual(["Ana", "Émile", "zoe", "Zoë", null]);
    expect(names(store, sorted("name", "desc"))).toEqual(["zoe", "Zoë", "Émile", "Ana", null]);
  });

  it("searches every word, case- and accent-insensitively, in names, parents, ids and values", () => {
    expect(names(store, { ...PLAIN_QUERY, search: "ZOE" })).toEqual(["Zoë", "zoe"]);
    expect(names(store, { ...PLAIN_QUERY, search: "cafe muller" })).toEqual(["Émile"]);
    expect(names(store, { ...PLAIN_QUERY, search: "example.com" })).toEqual(["Ana"]);
    expect(names(store, { ...PLAIN_QUERY, search: "zoe ana" })).toEqual([]);
    expect(fold("ÉVÉNEMENTS Zoë")).toBe("evenements zoe");
  });

  it("agrees with a plain sort and filter over generated rows", () => {
    const s = new MockStore();
    s.seed("notion", 800, (i) => makeItem("notion", i), T);
    s.seed("airtable", 700, (i) => makeItem("airtable", i), T);
    const all = [...Array.from({ length: 800 }, (_, i) => makeItem("notion", i)), ...Array.from({ length: 700 }, (_, i) => makeItem("airtable", i))];
    const q: ItemQuery = { providers: ["notion"], types: [], search: "me", sort: { column: "modified", dir: "desc" } };
    const matches = all.filter((it) => fold([it.name, it.parent_path_or_name, it.id, ...Object.values(it.properties)].join("\u001f")).includes("me"));
    const want = matches
      .filter((it) => it.provider === "notion")
      .sort((a, b) => {
        const x = a.last_modified_time ? Date.parse(a.last_modified_time) : null;
        const y = b.last_modified_time ? Date.parse(b.last_modified_time) : null;
        if (x === null || y === null) return x === y ? (a.id! < b.id! ? -1 : 1) : x === null ? 1 : -1;
        return x !== y ? y - x : a.type! + a.id! < b.type! + b.id! ? -1 : 1;
      })
      .map((it) => it.id);
    const got = s.query(q, 0, 2000);
    expect(got.rows.map((r) => r.key.id)).toEqual(want);
    expect(got.total).toBe(want.length);
    // Chip counts are among the rows matching the search, whatever the chips.
    expect(got.counts.providers.airtable).toBe(matches.filter((it) => it.provider === "airtable").length);
    expect(s.query(q, 10, 5).rows.map((r) => r.key.id)).toEqual(want.slice(10, 15));
  });

  it("windows the plain table across sets in arrival order", () => {
    const s = new MockStore();
    s.seed("hubspot", 1000, (i) => makeItem("hubspot", i), T);
    s.seed("notion", 1_000_000, (i) => makeItem("notion", i), T);
    const end = s.query(PLAIN_QUERY, 1_000_990, 100);
    expect(end.total).toBe(1_001_000);
    expect(end.rows.length).toBe(10);
    expect(end.rows.at(-1)!.key.id).toBe(makeItem("notion", 999_999).id);
    expect(end.counts.providers).toEqual({ hubspot: 1000, notion: 1_000_000 });
  });
});

describe("MockStore loads", () => {
  const gen = (p: ProviderId, suffix = "") => (i: number) => ({ ...makeItem(p, i), name: `${p} ${i}${suffix}` });

  it("shows a first load as it grows; stages a reload until it completes", () => {
    const s = new MockStore();
    const first = s.begin("hubspot", false, gen("hubspot"));
    s.write(first, 10);
    expect(s.query(PLAIN_QUERY, 0, 100).total).toBe(10);
    expect(s.stored("hubspot")).toBeNull();
    s.complete(first, T);
    expect(s.stored("hubspot")).toEqual({ count: 10, loaded_at: T });

    const reload = s.begin("hubspot", false, gen("hubspot", " v2"));
    s.write(reload, 4);
    expect(names(s, PLAIN_QUERY)[0]).toBe("hubspot 0");
    expect(s.query(PLAIN_QUERY, 0, 100).total).toBe(10);
    s.complete(reload, "2025-02-01T00:00:00Z");
    expect(names(s, PLAIN_QUERY)).toEqual(["hubspot 0 v2", "hubspot 1 v2", "hubspot 2 v2", "hubspot 3 v2"]);
  });

  it("a failed reload keeps the previous set; Resume continues it without duplicates", () => {
    const s = new MockStore();
    s.seed("notion", 6, gen("notion"), T);
    const reload = s.begin("notion", false, gen("notion", " new"));
    s.write(reload, 2);
    s.fail(reload, { code: "network", message: "gone", resumable: true });
    expect(s.stopped("notion")).toEqual({ code: "network", message: "gone", resumable: true, count: 2 });
    expect(names(s, PLAIN_QUERY)).toHaveLength(6);
    expect(s.count(null)).toBe(6);
    const resumed = s.begin("notion", true, gen("notion", " other"));
    expect(resumed).toBe(reload);
    s.write(resumed, 3);
    s.complete(resumed, T);
    expect(names(s, PLAIN_QUERY)).toEqual(["notion 0 new", "notion 1 new", "notion 2 new", "notion 3 new", "notion 4 new"]);
    expect(s.stopped("notion")).toBeNull();
  });

  it("a first load that fails stays on screen; forget and clear drop rows", () => {
    const s = new MockStore();
    const first = s.begin("airtable", false, gen("airtable"));
    s.write(first, 3);
    s.fail(first, { code: "cancelled", message: "stopped", resumable: true });
    expect(s.query(PLAIN_QUERY, 0, 10).total).toBe(3);
    s.seed("hubspot", 2, gen("hubspot"), T);
    s.forget("airtable");
    expect(s.query(PLAIN_QUERY, 0, 10).total).toBe(2);
    s.clear();
    expect(s.query(PLAIN_QUERY, 0, 10).total).toBe(0);
  });

  it("a re-sent row replaces the old one by key and shows its new values", () => {
    const s = new MockStore();
    const set = s.begin("notion", false, gen("notion"));
    s.write(set, 5);
    s.replace(set, 2, { ...s.item(set, 2), parent_path_or_name: "Resolved" });
    expect(s.query(PLAIN_QUERY, 0, 10).total).toBe(5);
    expect(s.query({ ...PLAIN_QUERY, search: "resolved" }, 0, 10).rows.map((r) => r.name)).toEqual(["notion 2"]);
    const key = s.query(PLAIN_QUERY, 2, 1).rows[0]!.key;
    expect(s.getItem(key)?.parent_path_or_name).toBe("Resolved");
  });
});
