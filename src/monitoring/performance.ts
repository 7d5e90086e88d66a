/**
 * Model performance from (prediction, label) pairs: accuracy, precision, recall, F1 and ROC AUC for
 * classification (as scikit-learn: binary for two classes with a positive label, macro averages otherwise;
 * AUC by the rank statistic with ties averaged), RMSE and MAE for regression.
 */

/** Metric name → value; a metric that cannot be computed is absent rather than NaN. */
export type PerformanceMetrics = Record<string, number>;

/** Classification metrics. `scores` (probability of `positive`) enables ROC AUC for binary problems. */
export function classificationMetrics(
  predicted: readonly string[],
  actual: readonly string[],
  options: { positive?: string; scores?: readonly (number | null)[] } = {},
): PerformanceMetrics {
  const n = predicted.length;
  if (n === 0) return {};
  let correct = 0;
  for (let i = 0; i < n; i++) if (predicted[i] === actual[i]) correct++;
  const out: PerformanceMetrics = { accuracy: correct / n };
  const classes = [...new Set([...actual, ...predicted])].sort();
  const positive = options.positive ?? (classes.length === 2 ? pickPositive(classes) : undefined);
  if (positive !== undefined && classes.length <= 2) {
    Object.assign(out, prf(predicted, actual, positive));
    if (options.scores) {
      const auc = rocAuc(
        options.scores,
        actual.map((a) => a === positive),
      );
      if (auc !== null) out.roc_auc = auc;
    }
    return out;
  }
  const per = classes.map((c) => prf(predicted, actual, c));
  out.precision = per.reduce((s, m) => s + m.precision, 0) / per.length;
  out.recall = per.reduce((s, m) => s + m.recall, 0) / per.length;
  out.f1 = per.reduce((s, m) => s + m.f1, 0) / per.length;
  return out;
}

function pickPositive(classes: string[]): string {
  for (const p of ["1", "true", "yes", "positive"]) if (classes.includes(p)) return p;
  return classes[1]!;
}

/** Precision, recall, F1 of one class (0 when undefined, as scikit-learn's zero_division default warns). */
function prf(predicted: readonly string[], actual: readonly string[], positive: string) {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < predicted.length; i++) {
    const p = predicted[i] === positive;
    const a = actual[i] === positive;
    if (p && a) tp++;
    else if (p) fp++;
    else if (a) fn++;
  }
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

/** Area under the ROC curve by the Mann–Whitney statistic (ties get average ranks); null with one class. */
export function rocAuc(scores: readonly (number | null)[], positive: readonly boolean[]): number | null {
  const pairs: [number, boolean][] = [];
  scores.forEach((s, i) => {
    if (s !== null && Number.isFinite(s)) pairs.push([s, positive[i]!]);
  });
  pairs.sort((a, b) => a[0] - b[0]);
  const nPos = pairs.filter((p) => p[1]).length;
  const nNeg = pairs.length - nPos;
  if (nPos === 0 || nNeg === 0) return null;
  let rankSum = 0;
  for (let i = 0; i < pairs.length; ) {
    let j = i;
    while (j < pairs.length && pairs[j]![0] === pairs[i]![0]) j++;
    const avgRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (pairs[k]![1]) rankSum += avgRank;
    i = j;
  }
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** RMSE and MAE of numeric predictions. */
export function regressionMetrics(
  predicted: readonly number[],
  actual: readonly number[],
): PerformanceMetrics {
  const n = predicted.length;
  if (n === 0) return {};
  let se = 0;
  let ae = 0;
  for (let i = 0; i < n; i++) {
    const d = predicted[i]! - actual[i]!;
    se += d * d;
    ae += Math.abs(d);
  }
  return { rmse: Math.sqrt(se / n), mae: ae / n };
}
