import * as tf from "@tensorflow/tfjs";
import { classificationMetrics, regressionMetrics } from "./evaluate.js";
import { encodeFeatures, encodeLabels } from "./preprocessing.js";
import type { Evaluation, Row, TrainedModel } from "./types.js";

const CHUNK = 8192;

/**
 * TF.js predictions for raw rows, in row order: P(label = 1) for binary tasks, the label estimate for
 * regression. Unseen categories go to the out-of-vocabulary column; throws TRAINING_DATA_INVALID when a
 * numeric feature is not a finite number.
 */
export function predict(trained: TrainedModel, rows: readonly Row[]): Float32Array {
  const { width } = trained.preprocessing;
  const x = encodeFeatures(trained.preprocessing, rows);
  const out = new Float32Array(rows.length);
  for (let start = 0; start < rows.length; start += CHUNK) {
    const end = Math.min(start + CHUNK, rows.length);
    const values = tf.tidy(() => {
      const batch = tf.tensor2d(x.subarray(start * width, end * width), [end - start, width]);
      return (trained.model.predict(batch) as tf.Tensor).dataSync();
    });
    out.set(values, start);
  }
  return out;
}

/** Predicts `rows` and scores them against their labels with the task's metrics. */
export function evaluateModel(trained: TrainedModel, rows: readonly Row[]): Evaluation {
  const { label, task } = trained.spec;
  const labels = encodeLabels(rows, label, task);
  const predictions = predict(trained, rows);
  return task === "binary"
    ? { task, rows: rows.length, metrics: classificationMetrics(labels, predictions) }
    : { task, rows: rows.length, metrics: regressionMetrics(labels, predictions) };
}
