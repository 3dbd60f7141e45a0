import { describe, expect, it } from "vitest";
import { MAX_SCROLL_PX, ScrollMap } from "../../src/table/scroll-map";

describe("ScrollMap", () => {
  it("is the identity while the rows fit under the cap", () => {
    const m = new ScrollMap(10_000, 32, 600);
    expect(m.scaled).toBe(false);
    expect(m.scrollHeight).toBe(320_000);
    expect(m.toVirtual(1234)).toBe(1234);
    expect(m.toReal(1234)).toBe(1234);
    expect(m.range(0)).toEqual({ first: 0, last: 18 }); // 600 / 32 = 18.75 rows
    expect(m.range(m.maxVirtual)).toEqual({ first: 9981, last: 9999 });
  });

  it("scales a million rows into the cap and reaches the very last row", () => {
    const m = new ScrollMap(1_000_000, 32, 600);
    expect(m.scaled).toBe(true);
    expect(m.scrollHeight).toBe(MAX_SCROLL_PX);
    expect(m.toVirtual(m.maxReal)).toBe(m.maxVirtual);
    const end = m.range(m.toVirtual(m.maxReal));
    expect(end.last).toBe(999_999);
    // The last row's bottom is at the viewport's bottom: nothing past it, no blank.
    expect(999_999 * 32 + 32 - m.maxVirtual).toBe(600);
    // Real and virtual offsets round-trip, and are monotonic.
    for (const real of [0, 1, 4_000_000, m.maxReal - 1, m.maxReal]) {
      expect(m.toReal(m.toVirtual(real))).toBeCloseTo(real, 6);
    }
    expect(m.toVirtual(100)).toBeGreaterThan(m.toVirtual(99));
  });

  it("clamps offsets past either end", () => {
    const m = new ScrollMap(1_000_000, 32, 600);
    expect(m.toVirtual(-50)).toBe(0);
    expect(m.toVirtual(m.maxReal + 1e6)).toBe(m.maxVirtual);
    expect(m.clampVirtual(1e12)).toBe(m.maxVirtual);
  });

  it("reveals a row by moving as little as possible", () => {
    const m = new ScrollMap(1000, 32, 320); // 10 rows visible
    expect(m.reveal(0, 5)).toBe(0);
    expect(m.reveal(0, 10)).toBe(32); // just below: scroll by one row
    expect(m.reveal(3200, 50)).toBe(1600); // above: its top at the top
    expect(m.reveal(0, 999)).toBe(m.maxVirtual);
  });

  it("has no rows to show when empty or shorter than the viewport", () => {
    expect(new ScrollMap(0, 32, 600).range(0)).toEqual({ first: 0, last: -1 });
    const few = new ScrollMap(3, 32, 600);
    expect(few.maxVirtual).toBe(0);
    expect(few.range(500)).toEqual({ first: 0, last: 2 });
  });
});
