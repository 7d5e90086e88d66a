import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { computeProfile, MANIFEST_FILE, writePackage } from "../registry/index.js";
import type { ActiveRun } from "../sdk/index.js";
import { rocCurve } from "./evaluate.js";
import { exportOnnx } from "./onnx-export.js";
import { predict } from "./predict.js";
import { encodeLabels } from "./preprocessing.js";
import { confusionMatrixSvg, rocCurveSvg } from "./svg.js";
import type { EpochLog, ResolvedOptions, Row, TrainedModel } from "./types.js";

/** Artifact paths the trainer writes into a run (relative to the run's artifact root). */
export const TRAINING_ARTIFACTS = {
  onnx: "model/model.onnx",
  manifest: "model/gyre-model.json",
  tfjsModel: "tfjs/model.json",
  tfjsWeights: "tfjs/weights.bin",
  preprocessing: "preprocessing.json",
  history: "history.json",
  metrics: "evaluation/metrics.json",
  rocCurve: "evaluation/roc_curve.svg",
  confusionMatrix: "evaluation/confusion_matrix.svg",
} as const;

/** Logs the trainer's params: resolved options, the column spec and the data sizes. */
export function logTrainingParams(
  run: ActiveRun,
  trained: Pick<TrainedModel, "spec" | "preprocessing"> & { options: ResolvedOptions },
  sizes: { train: number; validation: number },
): void {
  const { spec, options, preprocessing } = trained;
  run.logParams({
    task: spec.task,
    head: options.head.kind,
    hidden: options.head.kind === "mlp" ? options.head.hidden.join(",") : "",
    optimizer: "adam",
    learning_rate: options.learningRate,
    epochs: options.epochs,
    batch_size: options.batchSize,
    validation_split: options.validationSplit,
    patience: options.patience,
    seed: options.seed,
    label: spec.label,
    numeric_features: preprocessing.numeric.map((s) => s.name).join(","),
    categorical_features: preprocessing.categorical.map((c) => c.name).join(","),
    encoded_width: preprocessing.width,
    train_rows: sizes.train,
    validation_rows: sizes.validation,
  });
}

/** Logs one epoch's metrics at step = epoch (non-finite values are skipped). */
export function logEpoch(run: ActiveRun, log: EpochLog): void {
  const values: Record<string, number | undefined> = {
    loss: log.loss,
    val_loss: log.valLoss,
    val_auc: log.valAuc,
    rows_per_second: log.rowsPerSecond,
  };
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && Number.isFinite(value)) run.logMetric(key, value, log.epoch);
  }
}

/**
 * Logs the outcome: `best_epoch` and `eval_*` metrics, then the model (ONNX + signature, TF.js layers
 * format), preprocessing, history, and for binary tasks the ROC curve and confusion matrix as SVG.
 */
export async function logTrainingOutcome(
  run: ActiveRun,
  trained: TrainedModel,
  evaluationRows: readonly Row[],
  trainingRows: readonly Row[],
): Promise<void> {
  run.logMetric("best_epoch", trained.history.bestEpoch);
  run.setTag("gyre.training.stopped_early", String(trained.history.stoppedEarly));
  const evaluation = trained.evaluation;
  if (evaluation) {
    for (const [key, value] of Object.entries(evaluation.metrics)) {
      if (key === "threshold" || typeof value !== "number" || !Number.isFinite(value)) continue;
      run.logMetric(`eval_${snake(key)}`, value);
    }
  }
  const files: [string, Buffer][] = [
    ...(await modelPackage(trained, trainingRows, run.runId)),
    [TRAINING_ARTIFACTS.preprocessing, json(trained.preprocessing)],
    [TRAINING_ARTIFACTS.history, json(trained.history)],
    ...(await tfjsFiles(trained.model)),
  ];
  if (evaluation) files.push([TRAINING_ARTIFACTS.metrics, json(evaluation)]);
  if (evaluation?.task === "binary") {
    const labels = encodeLabels(evaluationRows, trained.spec.label, "binary");
    const scores = predict(trained, evaluationRows);
    const auc = evaluation.metrics.rocAuc;
    files.push([TRAINING_ARTIFACTS.rocCurve, Buffer.from(rocCurveSvg(rocCurve(labels, scores), auc))]);
    files.push([
      TRAINING_ARTIFACTS.confusionMatrix,
      Buffer.from(confusionMatrixSvg(evaluation.metrics.confusion, evaluation.metrics.threshold)),
    ]);
  }
  for (const [path, body] of files) await run.logArtifact(body, path);
}

/**
 * The ONNX model as a gyre model package (`model/model.onnx` + `model/gyre-model.json`): signature, the
 * training data's reference profile (what monitoring compares live traffic against), evaluation metrics and
 * framework versions. Categories stay open in the signature: the graph maps unseen ones to an "other" bucket.
 */
async function modelPackage(
  trained: TrainedModel,
  trainingRows: readonly Row[],
  runId: string,
): Promise<[string, Buffer][]> {
  const { bytes, signature } = exportOnnx(trained);
  const features = (signature.features ?? []).map((f) => ({ name: f.name, type: f.type }));
  const metrics = Object.fromEntries(
    Object.entries(trained.evaluation?.metrics ?? {}).filter(
      (e): e is [string, number] => e[0] !== "threshold" && typeof e[1] === "number" && Number.isFinite(e[1]),
    ),
  );
  const dir = await mkdtemp(join(tmpdir(), "gyre-package-"));
  try {
    await writePackage(dir, {
      flavor: "onnx",
      files: { "model.onnx": bytes },
      signature: { ...signature, features },
      profile: computeProfile(trainingRows, features),
      metrics,
      frameworks: { "@tensorflow/tfjs": tf.version.tfjs, "onnx-opset": "17" },
      sourceRunId: runId,
    });
    return [
      [TRAINING_ARTIFACTS.onnx, Buffer.from(bytes)],
      [TRAINING_ARTIFACTS.manifest, await readFile(join(dir, MANIFEST_FILE))],
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function json(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
}

function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** The model in TF.js's layers format: `model.json` (topology + manifest) and one weights file. */
async function tfjsFiles(model: tf.LayersModel): Promise<[string, Buffer][]> {
  let files: [string, Buffer][] = [];
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const manifest = {
        modelTopology: artifacts.modelTopology,
        format: "layers-model",
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: null,
        weightsManifest: [{ paths: ["weights.bin"], weights: artifacts.weightSpecs ?? [] }],
      };
      const weights = tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? []);
      files = [
        [TRAINING_ARTIFACTS.tfjsModel, json(manifest)],
        [TRAINING_ARTIFACTS.tfjsWeights, Buffer.from(weights)],
      ];
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
  return files;
}
