import { describe, expect, it } from "vitest";
import { formatAgo, formatBytes, formatCount, formatItems, formatTime } from "../../src/table/format";

describe("formatting", () => {
  const now = Date.parse("2025-06-01T12:00:00Z");
  it("says how long ago a load was", () => {
    expect(formatAgo("2025-06-01T11:59:50Z", now)).toBe("just now");
    expect(formatAgo("2025-06-01T11:55:00Z", now)).toBe("5 min ago");
    expect(formatAgo("2025-06-01T10:00:00Z", now)).toBe("2 h ago");
    expect(formatAgo("2025-05-31T09:00:00Z", now)).toBe("yesterday");
    expect(formatAgo("2025-05-28T12:00:00Z", now)).toBe("4 days ago");
    expect(formatAgo("2025-04-01T12:00:00Z", now)).toMatch(/^on /);
    // A clock a little behind Rust's is still "just now", never "in the future".
    expect(formatAgo("2025-06-01T12:00:20Z", now)).toBe("just now");
    expect(formatAgo("not a time", now)).toBe("");
  });
  it("counts items and bytes", () => {
    expect(formatItems(1)).toBe("1 item");
    expect(formatItems(14000)).toBe("14,000 items");
    expect(formatCount(12345, 100000)).toBe("12,345 of 100,000 items");
    expect(formatBytes(0)).toBe("0 bytes");
    expect(formatBytes(812_000)).toBe("812 KB");
    expect(formatBytes(1_430_000_000)).toBe("1.4 GB");
  });
  it("leaves missing and unreadable times empty", () => {
    expect(formatTime(null)).toBe("");
    expect(formatTime("garbage")).toBe("");
    expect(formatTime("2024-03-05T14:22:01Z")).not.toBe("");
  });
});
