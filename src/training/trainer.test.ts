import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { isGyreError } from "../core/errors.js";
import { syntheticTabular } from "./synthetic.js";
import { trainTabular } from "./trainer.js";
import type { EpochLog, TrainedModel } from "./types.js";

const data = syntheticTabular({ rows: 800, numeric: 3, categorical: 2, levels: 5, seed: 7 });

function weights(trained: TrainedModel): number[][] {
  return trained.model.getWeights().map((w) => Array.from(w.dataSync()));
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
}

describe("trainTabular", () => {
  it("is reproducible: same data, options and seed give bit-identical weights and history", async () => {
    const options = { head: { kind: "mlp" as const, hidden: [8, 4] }, epochs: 3, batchSize: 64, seed: 11 };
    const a = await trainTabular(data.rows, data.spec, options);
    const b = await trainTabular(data.rows, data.spec, options);
    const c = await trainTabular(data.rows, data.spec, { ...options, seed: 12 });
    expect(weights(b)).toEqual(weights(a));
    expect(b.history.epochs.map(({ rowsPerSecond: _, ...rest }) => rest)).toEqual(
      a.history.epochs.map(({ rowsPerSecond: _, ...rest }) => rest),
    );
    expect(weights(c)).not.toEqual(weights(a));
    expect(a.model.layers.map((l) => l.getClassName())).toEqual([
      "InputLayer",
      "Dense",
      "Dense",
      "Dense",
      "Activation",
    ]);
    for (const t of [a, b, c]) t.model.dispose();
  });

  it("learns the synthetic signal and reports loss, val_loss and val_auc per epoch", async () => {
    const logs: EpochLog[] = [];
    const trained = await trainTabular(data.rows, data.spec, {
      epochs: 4,
      batchSize: 32,
      learningRate: 0.05,
      onEpochEnd: (l) => logs.push(l),
    });
    expect(logs.map((l) => l.epoch)).toEqual([1, 2, 3, 4]);
    expect(logs.every((l) => l.loss > 0 && l.valLoss! > 0 && l.valAuc! > 0.5 && l.rowsPerSecond > 0)).toBe(
      true,
    );
    expect(trained.evaluation?.task).toBe("binary");
    expect(trained.evaluation?.rows).toBe(160);
    if (trained.evaluation?.task === "binary")
      expect(trained.evaluation.metrics.rocAuc).toBeGreaterThan(0.75);
    trained.model.dispose();
  });

  it("stops early and restores the best epoch's weights", async () => {
    const trained = await trainTabular(data.rows, data.spec, {
      head: { kind: "mlp", hidden: [32] },
      epochs: 40,
      learningRate: 0.2,
      batchSize: 32,
      patience: 2,
    });
    const { epochs, bestEpoch, stoppedEarly } = trained.history;
    const losses = epochs.map((e) => e.valLoss!);
    expect(stoppedEarly).toBe(true);
    expect(epochs).toHaveLength(bestEpoch + 2);
    expect(Math.min(...losses)).toBe(losses[bestEpoch - 1]);
    // The evaluation runs on the same validation rows, so it sees the restored epoch's loss.
    if (trained.evaluation?.task !== "binary") throw new Error("expected a binary evaluation");
    expect(trained.evaluation.metrics.logLoss).toBeCloseTo(losses[bestEpoch - 1]!, 5);
    trained.model.dispose();
  });

  it("trains a regression in label units", async () => {
    const reg = syntheticTabular({
      rows: 800,
      numeric: 3,
      categorical: 1,
      levels: 4,
      task: "regression",
      seed: 3,
    });
    const trained = await trainTabular(reg.rows, reg.spec, { epochs: 30, learningRate: 0.05 });
    if (trained.evaluation?.task !== "regression") throw new Error("expected a regression evaluation");
    expect(trained.evaluation.metrics.r2).toBeGreaterThan(0.95);
    expect(trained.model.outputs[0]!.shape).toEqual([null, 1]);
    trained.model.dispose();
  });

  it("refuses a bad spec or options before training, naming the field, and stops on a diverging loss", async () => {
    const cases: [Parameters<typeof trainTabular>[1], Parameters<typeof trainTabular>[2], string][] = [
      [{ ...data.spec, features: [] }, {}, "features"],
      [
        { ...data.spec, features: [...data.spec.features, { name: "n0", type: "numeric" }] },
        {},
        "features[5].name",
      ],
      [{ ...data.spec, label: "n1" }, {}, "label"],
      [data.spec, { head: { kind: "mlp", hidden: [] } }, "head.hidden"],
      [data.spec, { epochs: 0 }, "epochs"],
      [data.spec, { validationSplit: 1 }, "validationSplit"],
    ];
    for (const [spec, options, field] of cases) {
      const e = await rejection(trainTabular(data.rows, spec, options));
      expect(isGyreError(e) && [e.code, e.field]).toEqual(["TRAINING_SPEC_INVALID", field]);
    }
    const diverged = await rejection(
      trainTabular(data.rows, data.spec, {
        head: { kind: "mlp", hidden: [4] },
        learningRate: 1e30,
        epochs: 3,
      }),
    );
    expect(isGyreError(diverged) && diverged.code).toBe("TRAINING_DIVERGED");
    const e = await rejection(trainTabular(data.rows.slice(0, 1), data.spec, { validationSplit: 0.5 }));
    expect(isGyreError(e) && e.code).toBe("TRAINING_DATA_INVALID");
    expect(tf.getBackend()).toBe("wasm");
  });
});
