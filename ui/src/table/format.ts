// The table's columns and how values read: counts, times, sizes, "2 h ago". No DOM.
import type { JsonValue, SortColumn } from "../backend";

export interface ColumnDef {
  id: SortColumn;
  label: string;
}

/** The table's columns, in order; each sorts (query_items' SortColumn). */
export const COLUMNS: readonly ColumnDef[] = [
  { id: "name", label: "Name" },
  { id: "type", label: "Type" },
  { id: "provider", label: "Provider" },
  { id: "parent", label: "Parent" },
  { id: "created", label: "Created" },
  { id: "modified", label: "Modified" },
  { id: "url", label: "URL" },
];

const countFmt = new Intl.NumberFormat("en-US");
export function formatNumber(n: number): string {
  return countFmt.format(n);
}

/** "12,345 of 100,000 items". */
export function formatCount(shown: number, total: number): string {
  return `${countFmt.format(shown)} of ${countFmt.format(total)} ${total === 1 ? "item" : "items"}`;
}

/** "1 item", "14,000 items". */
export function formatItems(n: number): string {
  return `${countFmt.format(n)} ${n === 1 ? "item" : "items"}`;
}

let timeFmt: Intl.DateTimeFormat | null = null;
/** Local, compact date-time of an RFC 3339 time; empty for a missing or unreadable one. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return "";
  timeFmt ??= new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  return timeFmt.format(ms);
}

/** "just now", "5 min ago", "2 h ago", "3 days ago", then the date. */
export function formatAgo(iso: string, now: number = Date.now()): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return "";
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 45) return "just now";
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min ago`;
  const h = Math.floor(min / 60);
  if (h < 24) return `${h} h ago`;
  const d = Math.floor(h / 24);
  if (d < 7) return d === 1 ? "yesterday" : `${d} days ago`;
  return `on ${new Intl.DateTimeFormat(undefined, { dateStyle: "medium" }).format(ms)}`;
}

/** "0 bytes", "812 KB", "1.4 GB" (decimal units, as file managers show them). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} ${n === 1 ? "byte" : "bytes"}`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n / 1000;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v >= 100 ? Math.round(v) : v.toFixed(1)} ${units[u]}`;
}

/** How a typed property value reads in the details pane: text as it is, numbers and
 *  booleans as written, lists of plain values joined, anything nested as compact JSON.
 *  Empty for null, so the pane shows its "—". */
export function formatJsonValue(v: JsonValue): string {
  if (v === null) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v) && v.every((e) => e === null || typeof e !== "object")) {
    return v.length ? v.map((e) => (e === null ? "null" : String(e))).join(", ") : "none";
  }
  return JSON.stringify(v);
}
