import { describe, expect, it } from "vitest";
import { isGyreError } from "../core/errors.js";
import {
  categoryKey,
  encodedColumnNames,
  encodeFeatures,
  encodeLabels,
  fitPreprocessing,
} from "./preprocessing.js";
import type { ColumnSpec } from "./types.js";

const spec: ColumnSpec = {
  features: [
    { name: "x", type: "numeric" },
    { name: "city", type: "categorical", maxCategories: 2 },
    { name: "flat", type: "numeric" },
  ],
  label: "y",
};
const rows = [
  { x: 1, city: "b", flat: 7, y: 1 },
  { x: 2, city: "a", flat: 7, y: 0 },
  { x: 3, city: "c", flat: 7, y: true },
  { x: 6, city: "a", flat: 7, y: false },
  { x: 8, city: "b", flat: 7, y: 0 },
];

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected a throw");
}

describe("fitPreprocessing", () => {
  const pre = fitPreprocessing(rows, spec);

  it("learns the population mean/std, with std 1 for a constant column", () => {
    expect(pre.numeric[0]).toEqual({ name: "x", mean: 4, std: Math.sqrt(34 / 5) });
    expect(pre.numeric[1]).toEqual({ name: "flat", mean: 7, std: 1 });
  });

  it("keeps the top-K categories by frequency, ties in code-point order", () => {
    expect(pre.categorical).toEqual([{ name: "city", categories: ["a", "b"] }]);
    expect(pre.width).toBe(2 + 3);
    expect(encodedColumnNames(pre)).toEqual(["x", "flat", "city=a", "city=b", "city=<other>"]);
  });

  it("encodes numerics first, then one-hot blocks, with unseen and rare values in the last column", () => {
    const x = encodeFeatures(pre, [
      { x: 4, city: "b", flat: 7 },
      { x: 4, city: "c", flat: 7 },
      { x: 4, city: "never seen", flat: 9 },
    ]);
    expect(Array.from(x)).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 1]);
  });

  it("standardises in float32 with one rounding per step, as the ONNX Sub and Div do", () => {
    const [stats] = pre.numeric;
    const [x] = encodeFeatures(pre, [{ x: 0.1, city: "a", flat: 7 }]);
    const m = Math.fround(stats!.mean);
    const s = Math.fround(stats!.std);
    expect(x).toBe(Math.fround(Math.fround(Math.fround(0.1) - m) / s));
  });

  it("matches null and undefined categories as the empty string", () => {
    expect([categoryKey(null), categoryKey(undefined), categoryKey(3)]).toEqual(["", "", "3"]);
  });
});

describe("bad data", () => {
  it("refuses a missing numeric value, naming the row and the feature", () => {
    const e = thrown(() => fitPreprocessing([...rows, { x: null, city: "a", flat: 7, y: 0 }], spec));
    expect(isGyreError(e) && e.code).toBe("TRAINING_DATA_INVALID");
    expect((e as Error).message).toContain("Row 5: feature 'x'");
  });

  it("refuses a binary label that is not 0/1/boolean, and a non-numeric regression label", () => {
    expect(Array.from(encodeLabels(rows, "y", "binary"))).toEqual([1, 0, 1, 0, 0]);
    const e = thrown(() => encodeLabels([{ y: 2 }], "y", "binary"));
    expect(isGyreError(e) && e.code).toBe("TRAINING_DATA_INVALID");
    expect(() => encodeLabels([{ y: "7" }], "y", "regression")).toThrow(/finite number/);
  });
});
