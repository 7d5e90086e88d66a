import * as tf from "@tensorflow/tfjs";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFlights } from "../src/cli/demo/flights.js";
import { openTracking, type TrackingClient } from "../src/metadata/index.js";
import { connect, type Gyre } from "../src/sdk/index.js";
import {
  exportOnnx,
  predict,
  type Row,
  TRAINING_ARTIFACTS,
  type TrainedModel,
  trainTabular,
} from "../src/training/index.js";
import { download, feeds, spec, toRow } from "./harness/flights.js";
import { freshStoreUri, tempDir } from "./harness/stores.js";

describe("reference trainer on real flights data, logged through the SDK", () => {
  let gyre: Gyre;
  let reader: TrackingClient;
  let runId: string;
  let trained: TrainedModel;
  let train: Row[];
  let scoring: Row[];

  beforeAll(async () => {
    const { flights } = await loadFlights();
    train = flights.slice(0, 4000).map(toRow);
    scoring = flights.slice(15_000, 16_000).map(toRow);
    const store = await freshStoreUri("sqlite");
    const artifacts = `file://${tempDir("gyre-training-art-")}`;
    gyre = await connect({ store, artifacts });
    reader = await openTracking({ store, artifacts });
    const run = await gyre.startRun({ experiment: "flights-training", git: false, exitHooks: false });
    runId = run.runId;
    trained = await trainTabular(train, spec, {
      head: { kind: "mlp", hidden: [32, 16] },
      epochs: 3,
      learningRate: 0.01,
      seed: 7,
      run,
      progress: false,
    });
    await run.end();
  });
  afterAll(async () => {
    trained?.model.dispose();
    await gyre?.close();
    await reader?.close();
  });

  it("logs the params and a loss, val_loss and val_auc point per epoch", async () => {
    const run = await reader.getRun(runId);
    expect(run.info.status).toBe("FINISHED");
    const params = Object.fromEntries(run.data.params.map((p) => [p.key, p.value]));
    expect(params).toMatchObject({
      task: "binary",
      head: "mlp",
      hidden: "32,16",
      optimizer: "adam",
      epochs: "3",
      seed: "7",
      label: "delayed",
      numeric_features: "distance,hour",
      categorical_features: "origin,destination",
      train_rows: "3200",
      validation_rows: "800",
    });
    for (const key of ["loss", "val_loss", "val_auc"]) {
      const history = await reader.getMetricHistory(runId, key);
      expect(history.items.map((m) => m.step)).toEqual([1, 2, 3]);
    }
    const losses = (await reader.getMetricHistory(runId, "val_loss")).items.map((m) => m.value);
    expect(losses).toEqual(trained.history.epochs.map((e) => e.valLoss));
    const metrics = Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value]));
    expect(metrics.eval_roc_auc).toBeGreaterThan(0.6);
    expect(metrics.best_epoch).toBe(trained.history.bestEpoch);
    for (const key of [
      "eval_accuracy",
      "eval_precision",
      "eval_recall",
      "eval_f1",
      "eval_log_loss",
      "eval_brier",
    ])
      expect(metrics[key]).toBeTypeOf("number");
  });

  it("stores the model, preprocessing and evaluation plots as artifacts", async () => {
    const paths = (await reader.artifactRecords(runId)).map((r) => r.path).sort();
    expect(paths).toEqual(Object.values(TRAINING_ARTIFACTS).sort());
    const roc = (await download(reader, runId, TRAINING_ARTIFACTS.rocCurve)).toString();
    expect(roc).toMatch(/^<svg [^>]*>[\s\S]*<polyline [\s\S]*<\/svg>$/);
    const confusion = (await download(reader, runId, TRAINING_ARTIFACTS.confusionMatrix)).toString();
    expect(confusion).toContain("Confusion matrix");
    const preprocessing = JSON.parse(
      (await download(reader, runId, TRAINING_ARTIFACTS.preprocessing)).toString(),
    );
    expect(preprocessing).toEqual(trained.preprocessing);
  });

  it("serves the logged ONNX model with TF.js's predictions within 1e-5, unseen airports included", async () => {
    const seenOrigins = new Set(train.map((r) => r.origin));
    expect(scoring.filter((r) => !seenOrigins.has(r.origin)).length).toBeGreaterThan(0);
    const bytes = await download(reader, runId, TRAINING_ARTIFACTS.onnx);
    const manifest = JSON.parse((await download(reader, runId, TRAINING_ARTIFACTS.manifest)).toString());
    const signature = manifest.signature;
    const exported = exportOnnx(trained).signature;
    expect(signature.inputs).toEqual(exported.inputs);
    expect(signature.outputs).toEqual(exported.outputs);
    expect(manifest).toMatchObject({ flavor: "onnx", model: "model.onnx", sourceRunId: runId });
    expect(manifest.profile.features.map((f: { name: string }) => f.name)).toEqual(
      exported.features.map((f) => f.name),
    );
    const session = await ort.InferenceSession.create(bytes);
    const out = (await session.run(feeds(signature, scoring))).probability!.data as Float32Array;
    const expected = predict(trained, scoring);
    let max = 0;
    for (let i = 0; i < scoring.length; i++) max = Math.max(max, Math.abs(out[i]! - expected[i]!));
    expect(max).toBeLessThanOrEqual(1e-5);
    await session.release();
  });

  it("stores a TF.js layers model that loads back with the same weights", async () => {
    const manifest = JSON.parse((await download(reader, runId, TRAINING_ARTIFACTS.tfjsModel)).toString());
    const weights = await download(reader, runId, TRAINING_ARTIFACTS.tfjsWeights);
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: manifest.modelTopology,
        weightSpecs: manifest.weightsManifest[0].weights,
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      }),
    );
    const original = trained.model.getWeights().map((w) => Array.from(w.dataSync()));
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(original);
    model.dispose();
  });
});
