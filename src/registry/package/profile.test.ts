import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isGyreError } from "../../core/index.js";
import { computeProfile, OTHER_CATEGORY } from "./profile.js";

interface NumericCase {
  name: string;
  values: (number | null)[];
  bins: number;
  expected: Record<string, unknown>;
}
interface CategoricalCase {
  name: string;
  values: (string | null)[];
  top: number;
  expected: Record<string, unknown>;
}
const fixture = JSON.parse(
  readFileSync(new URL("../../../test/fixtures/package-profile.json", import.meta.url), "utf8"),
) as { numeric: NumericCase[]; categorical: CategoricalCase[] };

function numeric(values: unknown[], bins = 10) {
  const profile = computeProfile({ v: values }, [{ name: "v", type: "numeric" }], { bins });
  const f = profile.features[0]!;
  if (f.type !== "numeric") throw new Error("expected a numeric profile");
  return f;
}

describe("computeProfile, numeric features against numpy", () => {
  for (const c of fixture.numeric) {
    it(c.name, () => {
      const f = numeric(c.values, c.bins);
      const e = c.expected as { count: number; missing: number; mean?: number; std?: number };
      expect(f.count).toBe(e.count);
      expect(f.missing).toBe(e.missing);
      if (e.count === 0) {
        expect(f).toMatchObject({ mean: null, std: null, quantiles: null, histogram: null });
        return;
      }
      // Quantiles, min, max and histograms are computed exactly as numpy does; sums may differ in the last bits.
      expect({ min: f.min, max: f.max, quantiles: f.quantiles, histogram: f.histogram }).toEqual({
        min: c.expected.min,
        max: c.expected.max,
        quantiles: c.expected.quantiles,
        histogram: c.expected.histogram,
      });
      expect(f.mean).toBeCloseTo(e.mean!, 10);
      expect(f.std).toBeCloseTo(e.std!, 10);
    });
  }
});

describe("computeProfile, categorical features", () => {
  for (const c of fixture.categorical) {
    it(c.name, () => {
      const profile = computeProfile({ v: c.values }, [{ name: "v", type: "categorical" }], {
        topCategories: c.top,
      });
      expect(profile.features[0]).toEqual({ name: "v", type: "categorical", ...c.expected });
    });
  }
});

describe("computeProfile, inputs", () => {
  const features = [
    { name: "distance", type: "numeric" as const },
    { name: "origin", type: "categorical" as const },
  ];

  it("gives the same profile for rows and for columns, in feature order", () => {
    const rows = [
      { distance: 300, origin: "ATL" },
      { distance: null, origin: "ORD" },
      { distance: 1200, origin: "ATL", ignored: true },
      { origin: undefined },
    ];
    const columns = { distance: [300, null, 1200, undefined], origin: ["ATL", "ORD", "ATL", undefined] };
    const fromRows = computeProfile(rows, features);
    expect(computeProfile(columns, features)).toEqual(fromRows);
    expect(fromRows.rowCount).toBe(4);
    expect(fromRows.features.map((f) => [f.name, f.count, f.missing])).toEqual([
      ["distance", 2, 2],
      ["origin", 3, 1],
    ]);
  });

  it("counts NaN and infinities as missing and accepts typed arrays", () => {
    const f = numeric([1, Number.NaN, Number.POSITIVE_INFINITY, 3] as unknown[]);
    expect([f.count, f.missing, f.mean]).toEqual([2, 2, 2]);
    const typed = computeProfile({ v: new Float32Array([1, 2, 3]) }, [{ name: "v", type: "numeric" }]);
    expect(typed.features[0]).toMatchObject({ count: 3, min: 1, max: 3 });
  });

  it("sums the categories beyond the top N under __other__", () => {
    const profile = computeProfile(
      { c: ["a", "a", "b", "c", 1, true] },
      [{ name: "c", type: "categorical" }],
      {
        topCategories: 1,
      },
    );
    expect(profile.features[0]).toMatchObject({
      distinct: 5,
      frequencies: [
        { value: "a", count: 2 },
        { value: OTHER_CATEGORY, count: 4 },
      ],
    });
  });

  it("refuses wrong value types, absent columns and ragged columns, naming the feature", () => {
    const cases: [() => unknown, string][] = [
      [() => computeProfile([{ distance: "300" }], features.slice(0, 1)), "features[0].name"],
      [() => computeProfile([{ origin: { code: "ATL" } }], features.slice(1)), "features[0].name"],
      [() => computeProfile({ distance: [1] }, features), "features[1].name"],
      [() => computeProfile({ distance: [1], origin: ["a", "b"] }, features), "features[1].name"],
      [() => computeProfile({ distance: [1] }, features.slice(0, 1), { bins: 0 }), "bins"],
    ];
    for (const [call, field] of cases) {
      try {
        call();
        expect.unreachable();
      } catch (e) {
        expect(isGyreError(e) && [e.code, e.field]).toEqual(["REQUEST_INVALID", field]);
      }
    }
  });
});
