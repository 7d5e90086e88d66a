/**
 * Drift metrics against scipy: fixture values generated once by test/fixtures/monitoring/generate.py
 * (scipy.stats.ks_2samp, kstwo.sf, wasserstein_distance, chi2_contingency, chisquare,
 * scipy.spatial.distance.jensenshannon; PSI with numpy; performance with scikit-learn) must agree to 1e-6.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  categoricalColumn,
  classificationMetrics,
  computeDrift,
  defaultDriftMethod,
  driftMetricConfig,
  fingerprint,
  kstwoSf,
  numericColumn,
  quantileEdges,
  regressionMetrics,
  sortFloat64,
} from "../src/monitoring/index.js";

interface NumericCase {
  name: string;
  reference: string;
  current: string;
  bins: number;
  ks: { statistic: number; pValue: number };
  wasserstein: number;
  psi: number;
  jensenshannon: number;
  edges: number[];
}
interface CategoricalCase {
  name: string;
  reference: Record<string, number>;
  current: Record<string, number>;
  contingency: { statistic: number; pValue: number; dof: number };
  goodnessOfFit?: { statistic: number; pValue: number };
  psi: number;
  jensenshannon: number;
}
const fixture = JSON.parse(
  readFileSync(new URL("./fixtures/monitoring/drift.json", import.meta.url), "utf8"),
) as {
  samples: Record<string, number[]>;
  numeric: NumericCase[];
  categorical: CategoricalCase[];
  kstwo: { n: number; x: number; sf: number }[];
};

const TOL = 1e-6;
const close = (actual: number | null, expected: number) =>
  expect(Math.abs(actual! - expected)).toBeLessThan(TOL);
const numeric = (name: string) => ({
  kind: "numeric" as const,
  column: numericColumn(fixture.samples[name]!),
});
const expand = (counts: Record<string, number>) =>
  Object.entries(counts).flatMap(([k, n]) => Array(n).fill(k));
const categorical = (counts: Record<string, number>) => ({
  kind: "categorical" as const,
  column: categoricalColumn(expand(counts)),
});

describe("numeric drift metrics match scipy", () => {
  for (const c of fixture.numeric) {
    it(c.name, () => {
      const ref = numeric(c.reference);
      const cur = numeric(c.current);
      const ks = computeDrift(driftMetricConfig("ks"), ref, cur);
      close(ks.statistic, c.ks.statistic);
      close(ks.pValue, c.ks.pValue);
      close(
        computeDrift(driftMetricConfig({ method: "wasserstein", normalize: false }), ref, cur).score,
        c.wasserstein,
      );
      close(computeDrift(driftMetricConfig({ method: "psi", bins: c.bins }), ref, cur).score, c.psi);
      close(
        computeDrift(driftMetricConfig({ method: "jensenshannon", bins: c.bins }), ref, cur).score,
        c.jensenshannon,
      );
      expect(Array.from(quantileEdges(ref.column.sorted, c.bins))).toEqual(c.edges);
    });
  }
});

describe("categorical drift metrics match scipy", () => {
  for (const c of fixture.categorical) {
    it(c.name, () => {
      const ref = categorical(c.reference);
      const cur = categorical(c.current);
      const t = computeDrift(driftMetricConfig("chi2"), ref, cur);
      close(t.statistic, c.contingency.statistic);
      close(t.pValue, c.contingency.pValue);
      close(computeDrift(driftMetricConfig("psi"), ref, cur).score, c.psi);
      close(computeDrift(driftMetricConfig("jensenshannon"), ref, cur).score, c.jensenshannon);
      const gof = computeDrift(driftMetricConfig({ method: "chi2", chi2: "goodness-of-fit" }), ref, cur);
      if (c.goodnessOfFit) {
        close(gof.statistic, c.goodnessOfFit.statistic);
        close(gof.pValue, c.goodnessOfFit.pValue);
      } else {
        expect(gof.status).toBe("not_applicable");
        expect(gof.reason).toMatch(/unseen in the reference/);
      }
    });
  }
});

describe("kstwo survival function matches scipy.stats.kstwo.sf", () => {
  it(`on ${fixture.kstwo.length} (n, x) points across every branch`, () => {
    const bad = fixture.kstwo.filter((p) => !(Math.abs(kstwoSf(p.x, p.n) - p.sf) < TOL));
    expect(bad.map((p) => ({ ...p, got: kstwoSf(p.x, p.n) }))).toEqual([]);
  });
});

describe("metric configs and edge cases", () => {
  it("fingerprints are stable and depend on every setting", () => {
    const a = driftMetricConfig({ method: "psi" });
    expect(fingerprint(a)).toBe(fingerprint(driftMetricConfig({ method: "psi", bins: 10, epsilon: 1e-4 })));
    expect(fingerprint(a)).not.toBe(fingerprint(driftMetricConfig({ method: "psi", bins: 20 })));
    expect(fingerprint({ b: 1, a: [1, { d: 2, c: 3 }] })).toBe(fingerprint({ a: [1, { c: 3, d: 2 }], b: 1 }));
  });

  it("empty or missing-only windows give 'not enough data', never NaN", () => {
    const ref = { kind: "numeric" as const, column: numericColumn([1, 2, 3]) };
    const cur = { kind: "numeric" as const, column: numericColumn([null, Number.NaN, undefined]) };
    for (const method of ["ks", "psi", "wasserstein", "jensenshannon"] as const) {
      const r = computeDrift(driftMetricConfig(method), ref, cur);
      expect(r).toMatchObject({ status: "not_enough_data", score: null, drifted: null, currentCount: 0 });
    }
    expect(computeDrift(driftMetricConfig("chi2"), ref, ref).status).toBe("not_applicable");
  });

  it("the radix sort orders negatives, zeros and large magnitudes like a comparison sort", () => {
    const values = Float64Array.from(
      { length: 5000 },
      (_, i) => Math.sin(i * 12.9898) * 10 ** ((i % 13) - 6),
    );
    values[7] = -0;
    values[8] = 0;
    const expected = Float64Array.from(values).sort();
    sortFloat64(values);
    expect(Array.from(values)).toEqual(Array.from(expected));
  });

  it("the radix sort orders values that differ only in their low 32 bits (short and long runs, ties)", () => {
    const tiny = 2 ** -40;
    const values = Float64Array.from({ length: 4000 }, (_, i) => {
      const k = (i * 7919) % 4000;
      if (k < 1000) return 1 + (k % 700) * tiny; // one long run of equal high words, with ties
      if (k < 2000) return -3 - (k % 5) * tiny; // short negative runs
      return Math.floor(k / 3) + (k % 3) * tiny * 1024;
    });
    const expected = Float64Array.from(values).sort();
    const col = numericColumn(values);
    expect(Array.from(col.sorted)).toEqual(Array.from(expected));
    sortFloat64(values);
    expect(Array.from(values)).toEqual(Array.from(expected));
  });

  it("numeric columns from typed arrays drop non-finite values and sort the rest", () => {
    const raw = Float64Array.from({ length: 3000 }, (_, i) => Math.cos(i * 3.7) * 10 ** ((i % 9) - 4));
    raw[1] = Number.NaN;
    raw[2] = Number.POSITIVE_INFINITY;
    raw[3] = Number.NEGATIVE_INFINITY;
    const col = numericColumn(raw);
    expect(col.missing).toBe(3);
    const expected = Array.from(raw)
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    expect(Array.from(col.sorted)).toEqual(expected);
    expect(Array.from(numericColumn(Array.from(raw)).sorted)).toEqual(expected);
  });

  it("picks tests for small samples and distances for large ones (Evidently's rule)", () => {
    expect(defaultDriftMethod("numeric", 1000, 900)).toBe("ks");
    expect(defaultDriftMethod("numeric", 1001, 900)).toBe("wasserstein");
    expect(defaultDriftMethod("numeric", 5000, 3)).toBe("jensenshannon");
    expect(defaultDriftMethod("categorical", 500, 4)).toBe("chi2");
    expect(defaultDriftMethod("categorical", 5000, 4)).toBe("jensenshannon");
  });
});

describe("performance metrics match scikit-learn", () => {
  const perf = JSON.parse(
    readFileSync(new URL("./fixtures/monitoring/performance.json", import.meta.url), "utf8"),
  ) as {
    binary: { actual: string[]; predicted: string[]; scores: number[] } & Record<string, number>;
    multiclass: { actual: string[]; predicted: string[] } & Record<string, number>;
    regression: { actual: number[]; predicted: number[] } & Record<string, number>;
  };

  it("binary: accuracy, precision, recall, F1 and ROC AUC with tied scores", () => {
    const b = perf.binary;
    const m = classificationMetrics(b.predicted, b.actual, { scores: b.scores });
    for (const k of ["accuracy", "precision", "recall", "f1", "roc_auc"]) close(m[k]!, b[k]!);
  });

  it("multi-class: macro averages", () => {
    const c = perf.multiclass;
    const m = classificationMetrics(c.predicted, c.actual);
    for (const k of ["accuracy", "precision", "recall", "f1"]) close(m[k]!, c[k]!);
  });

  it("regression: RMSE and MAE", () => {
    const r = perf.regression;
    const m = regressionMetrics(r.predicted, r.actual);
    close(m.rmse!, r.rmse!);
    close(m.mae!, r.mae!);
  });
});
