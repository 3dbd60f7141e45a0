import { describe, expect, it } from "vitest";
import { stoppedText } from "../../src/cards";

describe("a card's stopped load", () => {
  const stop = (code: string, message: string, count: number | null, resumable = true) => ({ code, message, count, resumable });

  it("says whether a first load or a reload failed, and what Resume keeps", () => {
    expect(stoppedText(stop("provider_http", "HubSpot answered 502.", 300), true)).toBe(
      "Reload failed: HubSpot answered 502. · 300 items so far, kept for Resume",
    );
    expect(stoppedText(stop("network", "no route to host", 1), false)).toBe("Load failed: no route to host · 1 item so far, kept for Resume");
  });

  it("leaves out what it does not know or cannot resume", () => {
    expect(stoppedText(stop("network", "gone", null), false)).toBe("Load failed: gone");
    expect(stoppedText(stop("network", "gone", 0), false)).toBe("Load failed: gone");
    expect(stoppedText(stop("store_failed", "disk full", 50, false), true)).toBe("Reload failed: disk full");
  });

  it("lets a cancel or an interrupted load speak for itself", () => {
    expect(stoppedText(stop("cancelled", "Notion load cancelled", 2000), false)).toBe("Notion load cancelled · 2,000 items so far, kept for Resume");
    expect(stoppedText(stop("interrupted", "the load was interrupted (Junction closed while loading)", 10, false), true)).toBe(
      "The load was interrupted (Junction closed while loading)",
    );
  });
});
