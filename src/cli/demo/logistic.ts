import type { Encoded } from "./flights.js";

/** Classification metrics on a held-out set; `auc` is the ROC AUC (rank statistic, ties averaged). */
export interface Evaluation {
  accuracy: number;
  auc: number;
  logLoss: number;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

function dot(w: Float64Array, x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i]! * x[i]!;
  return s;
}

/**
 * Logistic regression by mini-batch gradient descent — the demo's stand-in for a training script
 * (the reference TF.js trainer is a later issue). Deterministic: rows are visited in a fixed order.
 * Calls `onEpoch(epoch, meanLoss)` after each pass.
 */
export function trainLogistic(
  data: Encoded,
  options: { lr: number; l2: number; epochs: number; batch: number },
  onEpoch: (epoch: number, loss: number) => void,
): Float64Array {
  const width = data.x[0]!.length;
  const w = new Float64Array(width);
  const grad = new Float64Array(width);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    let loss = 0;
    for (let start = 0; start < data.x.length; start += options.batch) {
      grad.fill(0);
      const end = Math.min(start + options.batch, data.x.length);
      for (let r = start; r < end; r++) {
        const x = data.x[r]!;
        const p = sigmoid(dot(w, x));
        const y = data.y[r]!;
        loss -= y * Math.log(p + 1e-12) + (1 - y) * Math.log(1 - p + 1e-12);
        for (let i = 0; i < width; i++) grad[i]! += (p - y) * x[i]!;
      }
      const n = end - start;
      for (let i = 0; i < width; i++) w[i]! -= options.lr * (grad[i]! / n + options.l2 * w[i]!);
    }
    onEpoch(epoch, loss / data.x.length);
  }
  return w;
}

/** Accuracy at 0.5, ROC AUC and mean log loss of weights `w` on `data`. */
export function evaluate(w: Float64Array, data: Encoded): Evaluation {
  const scores = data.x.map((x) => sigmoid(dot(w, x)));
  let correct = 0;
  let logLoss = 0;
  scores.forEach((p, i) => {
    const y = data.y[i]!;
    if ((p >= 0.5 ? 1 : 0) === y) correct++;
    logLoss -= y * Math.log(p + 1e-12) + (1 - y) * Math.log(1 - p + 1e-12);
  });
  return { accuracy: correct / scores.length, auc: rocAuc(scores, data.y), logLoss: logLoss / scores.length };
}

function rocAuc(scores: number[], y: Uint8Array): number {
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0]);
  let rankSum = 0;
  let positives = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (y[order[k]![1]] === 1) {
        rankSum += rank;
        positives++;
      }
    }
    i = j + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
