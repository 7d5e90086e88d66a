/**
 * Evaluation metrics with scikit-learn's definitions (checked against it in evaluate.test.ts):
 * labels are 0/1, scores are P(label = 1), and a score ≥ `threshold` predicts the positive class.
 */

/** Counts of a binary confusion matrix; `matrix` is sklearn's layout [[tn, fp], [fn, tp]]. */
export interface ConfusionMatrix {
  tn: number;
  fp: number;
  fn: number;
  tp: number;
  matrix: [[number, number], [number, number]];
}

/** Classifier metrics. Precision/recall/F1 are 0 when undefined; `rocAuc` is NaN when only one class occurs. */
export interface ClassificationMetrics {
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  rocAuc: number;
  logLoss: number;
  brier: number;
  threshold: number;
  confusion: ConfusionMatrix;
}

/** Regressor metrics in the label's units (R² is unitless; 1 for a perfect fit of a constant label). */
export interface RegressionMetrics {
  rmse: number;
  mae: number;
  r2: number;
}

/** ROC curve points as sklearn's `roc_curve(drop_intermediate=True)`: `thresholds[0]` is +Infinity. */
export interface RocCurve {
  fpr: number[];
  tpr: number[];
  thresholds: number[];
}

/** The confusion matrix of `scores ≥ threshold` against 0/1 labels. */
export function confusionMatrix(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  threshold = 0.5,
): ConfusionMatrix {
  let tn = 0;
  let fp = 0;
  let fn = 0;
  let tp = 0;
  for (let i = 0; i < labels.length; i++) {
    const positive = scores[i]! >= threshold;
    if (labels[i] === 1) positive ? tp++ : fn++;
    else positive ? fp++ : tn++;
  }
  return {
    tn,
    fp,
    fn,
    tp,
    matrix: [
      [tn, fp],
      [fn, tp],
    ],
  };
}

/** ROC curve over distinct score values, collinear points dropped (as sklearn does by default). */
export function rocCurve(labels: ArrayLike<number>, scores: ArrayLike<number>): RocCurve {
  const n = labels.length;
  // Descending by score; ties keep the later index first, as sklearn's reversed stable argsort does.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || b - a);
  const tps: number[] = [];
  const fps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  for (let i = 0; i < n; i++) {
    tp += labels[order[i]!]!;
    const score = scores[order[i]!]!;
    if (i === n - 1 || scores[order[i + 1]!]! !== score) {
      tps.push(tp);
      fps.push(i + 1 - tp);
      thresholds.push(score);
    }
  }
  const keep = tps.map(
    (_, i) =>
      i === 0 ||
      i === tps.length - 1 ||
      tps.length <= 2 ||
      fps[i + 1]! - 2 * fps[i]! + fps[i - 1]! !== 0 ||
      tps[i + 1]! - 2 * tps[i]! + tps[i - 1]! !== 0,
  );
  const kept = (xs: number[]) => xs.filter((_, i) => keep[i]);
  const [t, f, th] = [
    [0, ...kept(tps)],
    [0, ...kept(fps)],
    [Number.POSITIVE_INFINITY, ...kept(thresholds)],
  ];
  const totalP = t[t.length - 1]!;
  const totalN = f[f.length - 1]!;
  return { fpr: f.map((v) => v / totalN), tpr: t.map((v) => v / totalP), thresholds: th };
}

/** Area under the ROC curve (trapezoid rule over `rocCurve`); NaN when only one class occurs. */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const { fpr, tpr } = rocCurve(labels, scores);
  let area = 0;
  for (let i = 1; i < fpr.length; i++) area += ((fpr[i]! - fpr[i - 1]!) * (tpr[i]! + tpr[i - 1]!)) / 2;
  return area;
}

/** Mean negative log-likelihood, natural log; probabilities clipped to [ε, 1 − ε] (float64 ε) like sklearn. */
export function logLoss(labels: ArrayLike<number>, probabilities: ArrayLike<number>): number {
  const eps = Number.EPSILON;
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(Math.max(probabilities[i]!, eps), 1 - eps);
    sum -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / labels.length;
}

/** Brier score: mean squared difference between probability and 0/1 outcome (lower is better calibrated). */
export function brierScore(labels: ArrayLike<number>, probabilities: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < labels.length; i++) sum += (probabilities[i]! - labels[i]!) ** 2;
  return sum / labels.length;
}

/** All classifier metrics at once for 0/1 labels and P(label = 1) scores. */
export function classificationMetrics(
  labels: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  threshold = 0.5,
): ClassificationMetrics {
  const confusion = confusionMatrix(labels, probabilities, threshold);
  const { tp, fp, fn, tn } = confusion;
  const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
  return {
    accuracy: (tp + tn) / labels.length,
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, tp + fn),
    f1: ratio(2 * tp, 2 * tp + fp + fn),
    rocAuc: tp + fn === 0 || tn + fp === 0 ? Number.NaN : rocAuc(labels, probabilities),
    logLoss: logLoss(labels, probabilities),
    brier: brierScore(labels, probabilities),
    threshold,
    confusion,
  };
}

/** RMSE, MAE and R² of predictions against numeric labels (sklearn's `force_finite` R²). */
export function regressionMetrics(
  labels: ArrayLike<number>,
  predictions: ArrayLike<number>,
): RegressionMetrics {
  const n = labels.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += labels[i]!;
  mean /= n;
  let squared = 0;
  let absolute = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const err = labels[i]! - predictions[i]!;
    squared += err * err;
    absolute += Math.abs(err);
    total += (labels[i]! - mean) ** 2;
  }
  const r2 = total === 0 ? (squared === 0 ? 1 : 0) : 1 - squared / total;
  return { rmse: Math.sqrt(squared / n), mae: absolute / n, r2 };
}
