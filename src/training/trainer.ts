import { GyreError } from "../core/errors.js";
import { loadWasmBackend } from "./backend.js";
import { fitNetwork, type Matrix } from "./fit.js";
import { buildNetwork, foldLabelScale, zeroOutOfVocabularyRows } from "./model.js";
import { checkSpec, resolveOptions } from "./options.js";
import { evaluateModel } from "./predict.js";
import { encodeFeatures, encodeLabels, fitPreprocessing, type Preprocessing } from "./preprocessing.js";
import { ProgressBar } from "./progress.js";
import { permutation, seededRandom } from "./random.js";
import { logEpoch, logTrainingOutcome, logTrainingParams } from "./run-logging.js";
import type { ColumnSpec, Row, TrainedModel, TrainOptions } from "./types.js";

/**
 * Trains a tabular model on the TF.js wasm backend. Rows are split (seeded) into training and validation;
 * preprocessing is learned from the training part only; then Adam with early stopping on val_loss.
 * Same rows, spec, options and seed give the same weights. Evaluates on `testData` or the validation
 * split and, with `options.run`, logs params, per-epoch metrics and artifacts (the caller ends the run).
 * Throws TRAINING_SPEC_INVALID / TRAINING_DATA_INVALID before any training starts.
 */
export async function trainTabular(
  data: readonly Row[],
  spec: ColumnSpec,
  options: TrainOptions = {},
): Promise<TrainedModel> {
  checkSpec(spec);
  const resolved = resolveOptions(options);
  const task = spec.task ?? "binary";
  const { train, validation } = splitRows(data, resolved.validationSplit, resolved.seed);
  const preprocessing = fitPreprocessing(train, spec);
  const labels = encodeLabels(train, spec.label, task);
  const scale = task === "regression" ? labelScale(labels) : { mean: 0, std: 1 };
  const trainSet = encodeSet(preprocessing, train, spec, task, scale);
  const validationSet =
    validation.length > 0 ? encodeSet(preprocessing, validation, spec, task, scale) : null;
  const testData = options.testData ?? validation;
  // Bad test rows should fail now, not after the whole training run.
  if (options.testData) encodeSet(preprocessing, options.testData, spec, task, scale);

  await loadWasmBackend();
  const net = buildNetwork(preprocessing.width, resolved.head, task, resolved.seed);
  zeroOutOfVocabularyRows(net.model, preprocessing);
  const fullSpec = { ...spec, task };
  const { run } = options;
  if (run)
    logTrainingParams(run, { spec: fullSpec, options: resolved, preprocessing }, sizes(train, validation));
  const progress = new ProgressBar(options.progress ?? process.stderr.isTTY === true, resolved.epochs);
  const history = await fitNetwork(net, trainSet, validationSet, task, resolved, {
    progress,
    onEpochEnd: (log) => {
      if (run) logEpoch(run, log);
      options.onEpochEnd?.(log);
    },
  });
  if (task === "regression") foldLabelScale(net.model, scale.mean, scale.std);
  const trained: TrainedModel = {
    model: net.model,
    preprocessing,
    spec: fullSpec,
    options: resolved,
    history,
    evaluation: null,
  };
  if (testData.length > 0) trained.evaluation = evaluateModel(trained, testData);
  if (run) await logTrainingOutcome(run, trained, testData, train);
  return trained;
}

function sizes(train: readonly Row[], validation: readonly Row[]) {
  return { train: train.length, validation: validation.length };
}

/** A seeded random split: `round(n · fraction)` validation rows, the rest for training. */
function splitRows(
  data: readonly Row[],
  fraction: number,
  seed: number,
): { train: Row[]; validation: Row[] } {
  const n = data.length;
  const held = Math.round(n * fraction);
  if (n - held < 1 || (fraction > 0 && held < 1)) {
    throw new GyreError(
      "TRAINING_DATA_INVALID",
      `Cannot split ${n} rows with validationSplit ${fraction}: both parts need at least one row`,
      { field: "data" },
    );
  }
  const order = permutation(n, seededRandom(seed));
  const validation: Row[] = [];
  const train: Row[] = [];
  for (let i = 0; i < n; i++) (i < held ? validation : train).push(data[order[i]!]!);
  return { train, validation };
}

function labelScale(labels: Float32Array): { mean: number; std: number } {
  let mean = 0;
  for (const y of labels) mean += y;
  mean /= labels.length;
  let squares = 0;
  for (const y of labels) squares += (y - mean) ** 2;
  const std = Math.sqrt(squares / labels.length);
  return { mean, std: std > 0 ? std : 1 };
}

/** Encodes rows and labels; regression labels are standardised so Adam's step size fits any label unit. */
function encodeSet(
  pre: Preprocessing,
  rows: readonly Row[],
  spec: ColumnSpec,
  task: "binary" | "regression",
  scale: { mean: number; std: number },
): Matrix {
  const y = encodeLabels(rows, spec.label, task);
  if (task === "regression") for (let i = 0; i < y.length; i++) y[i] = (y[i]! - scale.mean) / scale.std;
  return { x: encodeFeatures(pre, rows), y, rows: rows.length, width: pre.width };
}
