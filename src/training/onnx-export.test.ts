import onnxProto from "onnx-proto";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportOnnx, type OnnxSignature } from "./onnx-export.js";
import { predict } from "./predict.js";
import { syntheticTabular } from "./synthetic.js";
import { trainTabular } from "./trainer.js";
import type { ColumnSpec, Row, TrainedModel } from "./types.js";

const trainedModels: TrainedModel[] = [];
afterAll(() => {
  for (const t of trainedModels) t.model.dispose();
});

/** One ORT feed per signature input: float32 [N,1] or string [N,1]. */
function feeds(signature: OnnxSignature, rows: readonly Row[]): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {};
  for (const input of signature.inputs) {
    out[input.name] =
      input.dtype === "float32"
        ? new ort.Tensor(
            "float32",
            Float32Array.from(rows, (r) => r[input.name] as number),
            [rows.length, 1],
          )
        : new ort.Tensor(
            "string",
            rows.map((r) => String(r[input.name])),
            [rows.length, 1],
          );
  }
  return out;
}

/** Largest |ONNX − TF.js| over the rows; relative to max(1, |TF.js|) when `relative`. */
async function maxDifference(trained: TrainedModel, rows: readonly Row[], relative = false): Promise<number> {
  const { bytes, signature } = exportOnnx(trained);
  const session = await ort.InferenceSession.create(bytes);
  const result = await session.run(feeds(signature, rows));
  const onnxOut = result[signature.outputs[0]!.name]!;
  expect(onnxOut.dims).toEqual([rows.length, 1]);
  const tfOut = predict(trained, rows);
  let max = 0;
  for (let i = 0; i < rows.length; i++) {
    const scale = relative ? Math.max(1, Math.abs(tfOut[i]!)) : 1;
    max = Math.max(max, Math.abs((onnxOut.data as Float32Array)[i]! - tfOut[i]!) / scale);
  }
  await session.release();
  return max;
}

async function train(
  spec: ColumnSpec,
  rows: Row[],
  head: TrainedModel["options"]["head"],
): Promise<TrainedModel> {
  const trained = await trainTabular(rows, spec, { head, epochs: 3, batchSize: 64, learningRate: 0.05 });
  trainedModels.push(trained);
  return trained;
}

const data = syntheticTabular({ rows: 1500, numeric: 3, categorical: 2, levels: 12, seed: 5 });
// Levels c10 and c11 are kept out of training, so they are unseen at inference.
const seen = data.rows.filter((r) => !["c10", "c11"].includes(r.k0 as string));
const spec: ColumnSpec = {
  ...data.spec,
  features: data.spec.features.map((f) => (f.name === "k1" ? { ...f, maxCategories: 6 } : f)),
};

describe("exportOnnx", () => {
  let mlp: TrainedModel;
  beforeAll(async () => {
    mlp = await train(spec, seen, { kind: "mlp", hidden: [16, 8] });
  });

  it("takes raw values, one input per feature, and returns `probability` [N,1]", () => {
    const { bytes, signature } = exportOnnx(mlp);
    expect(signature.inputs).toEqual([
      { name: "n0", dtype: "float32", shape: [-1, 1] },
      { name: "n1", dtype: "float32", shape: [-1, 1] },
      { name: "n2", dtype: "float32", shape: [-1, 1] },
      { name: "k0", dtype: "string", shape: [-1, 1] },
      { name: "k1", dtype: "string", shape: [-1, 1] },
    ]);
    expect(signature.outputs).toEqual([{ name: "probability", dtype: "float32", shape: [-1, 1] }]);
    expect(signature.features[3]).toEqual({ name: "k0", type: "categorical", categories: expect.any(Array) });
    expect(signature.features[3]!.categories).toHaveLength(10);
    expect(signature.features[4]!.categories).toHaveLength(6);

    const model = onnxProto.onnx.ModelProto.decode(bytes);
    expect(model.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([
      ["", 17],
      ["ai.onnx.ml", 3],
    ]);
    const ops = new Set(model.graph!.node!.map((n) => n.opType ?? ""));
    expect([...ops].sort()).toEqual(
      [
        "Add",
        "Concat",
        "Div",
        "LabelEncoder",
        "MatMul",
        "OneHot",
        "Relu",
        "Reshape",
        "Sigmoid",
        "Sub",
      ].sort(),
    );
  });

  it("matches TF.js within 1e-5 on an MLP, unseen and rare categories included", async () => {
    const rows = data.rows.slice(0, 1000).map((r, i) => (i % 7 === 0 ? { ...r, k1: "never-seen" } : r));
    expect(rows.filter((r) => r.k0 === "c10" || r.k0 === "c11").length).toBeGreaterThan(50);
    expect(await maxDifference(mlp, rows)).toBeLessThanOrEqual(1e-5);
  });

  it("matches TF.js for a logistic regression and for a linear regression", async () => {
    const logistic = await train(spec, seen, { kind: "linear" });
    expect(await maxDifference(logistic, data.rows.slice(0, 500))).toBeLessThanOrEqual(1e-5);

    const reg = syntheticTabular({ rows: 600, numeric: 2, categorical: 1, task: "regression", seed: 9 });
    const regression = await train(reg.spec, reg.rows, { kind: "mlp", hidden: [8] });
    const { signature } = exportOnnx(regression);
    expect(signature.outputs[0]!.name).toBe("prediction");
    // Predictions are in label units (about 10 ± 6): float32 agreement is relative to their size.
    expect(await maxDifference(regression, reg.rows.slice(0, 500), true)).toBeLessThanOrEqual(1e-5);
  });

  it("exports numeric-only and categorical-only models", async () => {
    const numericOnly = { ...spec, features: spec.features.filter((f) => f.type === "numeric").slice(0, 1) };
    const categoricalOnly = { ...spec, features: spec.features.filter((f) => f.type === "categorical") };
    for (const s of [numericOnly, categoricalOnly]) {
      const trained = await train(s, seen, { kind: "mlp", hidden: [4] });
      expect(await maxDifference(trained, data.rows.slice(0, 300))).toBeLessThanOrEqual(1e-5);
    }
  });
});
