import { test } from "vitest";
import { TableModel } from "../../src/table/model";
import { makeItem } from "../../src/backend/mock-data";
test("perf", () => {
  const m = new TableModel();
  let t = performance.now();
  const items = [];
  for (let i = 0; i < 40000; i++) items.push(makeItem("hubspot", i));
  for (let i = 0; i < 35000; i++) items.push(makeItem("airtable", i));
  for (let i = 0; i < 25000; i++) items.push(makeItem("notion", i));
  console.log("gen", performance.now() - t);
  t = performance.now();
  for (let i = 0; i < items.length; i += 1000) m.append(items.slice(i, i + 1000));
  console.log("append", performance.now() - t);
  t = performance.now(); m.refresh(); console.log("refresh", performance.now() - t);
  for (const c of ["name", "name", "created", "type", "parent", "url", "provider"] as const) {
    t = performance.now(); m.toggleSort(c); m.refresh(); console.log("sort", c, performance.now() - t);
  }
  for (const q of ["z", "zo", "zoe", "zo", ""]) { t = performance.now(); m.setQuery(q); m.refresh(); console.log("q", q, m.viewLength, performance.now() - t); }
  t = performance.now(); m.removeProvider("airtable"); m.refresh(); console.log("remove", performance.now() - t, m.total);
  t = performance.now(); for (let i = 0; i < 35000; i += 1000) { m.append(items.slice(40000 + i, 41000 + i)); m.refresh(); } console.log("stream sorted", performance.now() - t);
});
