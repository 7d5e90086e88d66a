import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  brierScore,
  classificationMetrics,
  confusionMatrix,
  logLoss,
  regressionMetrics,
  rocAuc,
  rocCurve,
} from "./evaluate.js";

interface Fixture {
  binary: {
    labels: number[];
    scores: number[];
    rocAuc: number;
    logLoss: number;
    brier: number;
    at: {
      threshold: number;
      accuracy: number;
      precision: number;
      recall: number;
      f1: number;
      confusion: number[][];
    }[];
    roc: { fpr: number[]; tpr: number[]; thresholds: (number | null)[] };
  };
  regression: { labels: number[]; predictions: number[]; rmse: number; mae: number; r2: number };
}

// Computed once by test/fixtures/training-metrics.py with scikit-learn (see "generator" in the file).
const fixture = JSON.parse(
  readFileSync(join(import.meta.dirname, "../../test/fixtures/training-metrics.json"), "utf8"),
) as Fixture;
const TOL = 1e-9;

function expectClose(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  for (const [i, v] of actual.entries()) expect(Math.abs(v - expected[i]!)).toBeLessThanOrEqual(TOL);
}

describe("classifier metrics against scikit-learn", () => {
  const { labels, scores } = fixture.binary;

  it("matches roc_auc_score, log_loss and brier_score_loss", () => {
    expect(rocAuc(labels, scores)).toBeCloseTo(fixture.binary.rocAuc, 9);
    expect(Math.abs(logLoss(labels, scores) - fixture.binary.logLoss)).toBeLessThanOrEqual(TOL);
    expect(Math.abs(brierScore(labels, scores) - fixture.binary.brier)).toBeLessThanOrEqual(TOL);
  });

  it("matches accuracy, precision, recall, F1 and the confusion matrix at two thresholds", () => {
    for (const ref of fixture.binary.at) {
      const m = classificationMetrics(labels, scores, ref.threshold);
      expectClose(
        [m.accuracy, m.precision, m.recall, m.f1],
        [ref.accuracy, ref.precision, ref.recall, ref.f1],
      );
      expect(m.confusion.matrix).toEqual(ref.confusion);
      expect(Math.abs(m.rocAuc - fixture.binary.rocAuc)).toBeLessThanOrEqual(TOL);
    }
  });

  it("matches roc_curve point for point, ties and dropped intermediate points included", () => {
    const curve = rocCurve(labels, scores);
    expectClose(curve.fpr, fixture.binary.roc.fpr);
    expectClose(curve.tpr, fixture.binary.roc.tpr);
    expect(curve.thresholds[0]).toBe(Number.POSITIVE_INFINITY);
    expectClose(curve.thresholds.slice(1), fixture.binary.roc.thresholds.slice(1) as number[]);
  });
});

describe("regressor metrics against scikit-learn", () => {
  it("matches root_mean_squared_error, mean_absolute_error and r2_score", () => {
    const { labels, predictions, rmse, mae, r2 } = fixture.regression;
    const m = regressionMetrics(labels, predictions);
    expectClose([m.rmse, m.mae, m.r2], [rmse, mae, r2]);
  });

  it("scores a constant label as sklearn's force_finite does", () => {
    expect(regressionMetrics([2, 2, 2], [2, 2, 2]).r2).toBe(1);
    expect(regressionMetrics([2, 2, 2], [1, 2, 3]).r2).toBe(0);
  });
});

describe("classifier metric edge cases", () => {
  it("gives 0 for undefined precision/recall/F1 and NaN AUC with one class", () => {
    const m = classificationMetrics([0, 0, 0], [0.1, 0.2, 0.3]);
    expect([m.precision, m.recall, m.f1, m.accuracy]).toEqual([0, 0, 0, 1]);
    expect(m.rocAuc).toBeNaN();
  });

  it("clips probabilities of exactly 0 and 1 in the log loss", () => {
    expect(Number.isFinite(logLoss([1, 0], [0, 1]))).toBe(true);
    expect(logLoss([1, 0], [1, 0])).toBeLessThan(1e-12);
  });

  it("counts a score equal to the threshold as positive", () => {
    expect(confusionMatrix([1, 0], [0.5, 0.5])).toMatchObject({ tp: 1, fp: 1, tn: 0, fn: 0 });
  });
});
