import { setImmediate as yieldToLoop } from "node:timers/promises";
import * as tf from "@tensorflow/tfjs";
import { GyreError } from "../core/errors.js";
import { rocAuc } from "./evaluate.js";
import { type Network, type TrainingGraph, trainingGraph } from "./model.js";
import type { ProgressBar } from "./progress.js";
import { gatherRows, permutation, seededRandom } from "./random.js";
import type { EpochLog, History, ResolvedOptions } from "./types.js";

/** An encoded data set: row-major features (rows × width) and targets (already standardised for regression). */
export interface Matrix {
  x: Float32Array;
  y: Float32Array;
  rows: number;
  width: number;
}

/** How the loop reports: the progress bar, and a hook called after each epoch (run logging, callbacks). */
export interface FitHooks {
  progress: ProgressBar;
  onEpochEnd: (log: EpochLog) => void;
}

const YIELD_EVERY_MS = 50;
const EVAL_CHUNK = 8192;

/**
 * Mini-batch Adam on the pre-activation output, reshuffled every epoch from a PRNG seeded with
 * `options.seed`. With validation data, stops after `patience` epochs without a val_loss improvement and
 * leaves the best epoch's weights in the network. Throws TRAINING_DIVERGED when the loss is not finite.
 */
export async function fitNetwork(
  net: Network,
  train: Matrix,
  validation: Matrix | null,
  task: "binary" | "regression",
  options: ResolvedOptions,
  hooks: FitHooks,
): Promise<History> {
  const optimizer = tf.train.adam(options.learningRate);
  const random = seededRandom(options.seed ^ 0x5eed);
  const graph = trainingGraph(net);
  const epochs: EpochLog[] = [];
  let best: { loss: number; epoch: number; weights: tf.Tensor[] } | null = null;
  try {
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      const started = performance.now();
      const loss = await trainEpoch(graph, train, task, options.batchSize, optimizer, random, (done, total) =>
        hooks.progress.tick(epoch, done, total),
      );
      const seconds = (performance.now() - started) / 1000;
      if (!Number.isFinite(loss)) {
        throw new GyreError(
          "TRAINING_DIVERGED",
          `Training loss became ${loss} in epoch ${epoch}; lower learningRate (now ${options.learningRate})`,
        );
      }
      const log: EpochLog = { epoch, loss, rowsPerSecond: train.rows / seconds };
      if (validation) Object.assign(log, validationMetrics(net, validation, task));
      epochs.push(log);
      hooks.progress.epochEnd(log);
      hooks.onEpochEnd(log);
      if (log.valLoss === undefined) continue;
      if (best === null || log.valLoss < best.loss) {
        if (best) tf.dispose(best.weights);
        best = { loss: log.valLoss, epoch, weights: net.model.getWeights().map((w) => w.clone()) };
      } else if (epoch - best.epoch >= options.patience) {
        hooks.progress.note(`early stop: val_loss best at epoch ${best.epoch}, restoring its weights`);
        break;
      }
    }
    if (best) net.model.setWeights(best.weights);
    const last = epochs.length;
    return { epochs, bestEpoch: best?.epoch ?? last, stoppedEarly: last < options.epochs };
  } finally {
    if (best) tf.dispose(best.weights);
    optimizer.dispose();
  }
}

/** One pass over a fresh permutation of the rows; returns the row-weighted mean training loss. */
async function trainEpoch(
  graph: TrainingGraph,
  data: Matrix,
  task: "binary" | "regression",
  batchSize: number,
  optimizer: tf.Optimizer,
  random: () => number,
  tick: (done: number, total: number) => void,
): Promise<number> {
  const order = permutation(data.rows, random);
  const batches = Math.ceil(data.rows / batchSize);
  let total = tf.scalar(0);
  let lastYield = performance.now();
  for (let b = 0; b < batches; b++) {
    const start = b * batchSize;
    const end = Math.min(start + batchSize, data.rows);
    const xb = tf.tensor2d(gatherRows(data.x, data.width, order, start, end), [end - start, data.width]);
    const yb = tf.tensor2d(gatherRows(data.y, 1, order, start, end), [end - start, 1]);
    const cost = optimizer.minimize(() => batchLoss(graph.forward(xb), yb, task), true, graph.variables);
    const next = tf.tidy(() => total.add(cost!.mul(end - start)) as tf.Scalar);
    tf.dispose([xb, yb, cost!, total]);
    total = next;
    tick(b + 1, batches);
    if (performance.now() - lastYield > YIELD_EVERY_MS) {
      await yieldToLoop();
      lastYield = performance.now();
    }
  }
  const sum = (await total.data())[0]!;
  total.dispose();
  return sum / data.rows;
}

function batchLoss(output: tf.Tensor, labels: tf.Tensor, task: "binary" | "regression"): tf.Scalar {
  return task === "binary"
    ? tf.losses.sigmoidCrossEntropy(labels, output)
    : tf.losses.meanSquaredError(labels, output);
}

/** The pre-activation outputs for all rows, in chunks (float32). */
export function logitsOf(net: Network, data: Matrix): Float32Array {
  const out = new Float32Array(data.rows);
  for (let start = 0; start < data.rows; start += EVAL_CHUNK) {
    const end = Math.min(start + EVAL_CHUNK, data.rows);
    const values = tf.tidy(() => {
      const x = tf.tensor2d(data.x.subarray(start * data.width, end * data.width), [end - start, data.width]);
      return (net.logits.predict(x) as tf.Tensor).dataSync();
    });
    out.set(values, start);
  }
  return out;
}

/** val_loss (binary cross-entropy from logits, or MSE in standardised units) and val_auc for binary tasks. */
function validationMetrics(
  net: Network,
  data: Matrix,
  task: "binary" | "regression",
): Pick<EpochLog, "valLoss" | "valAuc"> {
  const z = logitsOf(net, data);
  let sum = 0;
  for (let i = 0; i < data.rows; i++) {
    const zi = z[i]!;
    const yi = data.y[i]!;
    sum +=
      task === "binary" ? Math.max(zi, 0) - zi * yi + Math.log1p(Math.exp(-Math.abs(zi))) : (zi - yi) ** 2;
  }
  const valLoss = sum / data.rows;
  if (task !== "binary") return { valLoss };
  return { valLoss, valAuc: rocAuc(data.y, z) };
}
