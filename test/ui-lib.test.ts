/** Pure helpers of the web UI (run in Node; the browser tests cover the rest). */
import { describe, expect, it } from "vitest";
import { formatDuration, formatNumber } from "../ui/src/lib/format.js";
import { smooth } from "../ui/src/lib/smoothing.js";

describe("chart smoothing", () => {
  it("is the identity at weight 0 and TensorBoard's debiased EMA otherwise", () => {
    expect(smooth([1, 2, 3], 0)).toEqual([1, 2, 3]);
    // Debiasing makes the first point its own value, then (0.5·1·0.5 + 0.5·3) / (1 − 0.25) = 2.333…
    const out = smooth([1, 3], 0.5);
    expect(out[0]).toBeCloseTo(1, 12);
    expect(out[1]).toBeCloseTo((0.5 * 0.5 * 1 + 0.5 * 3) / 0.75, 12);
  });

  it("passes non-finite points through without letting them into the average", () => {
    const out = smooth([1, Number.NaN, 1], 0.9);
    expect(Number.isNaN(out[1])).toBe(true);
    expect(out[2]).toBeCloseTo(1, 12);
  });
});

describe("formatting", () => {
  it("formats numbers to 4 significant digits and durations in readable units", () => {
    expect(formatNumber(0.123456)).toBe("0.1235");
    expect(formatNumber(12)).toBe("12");
    expect(formatNumber(1.5e-5)).toBe("1.500e-5");
    expect(formatNumber("NaN")).toBe("NaN");
    expect(formatDuration(1500)).toBe("1.5 s");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
    expect(formatDuration(null)).toBe("—");
  });
});
