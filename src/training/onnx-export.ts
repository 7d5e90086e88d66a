import { denseLayers } from "./model.js";
import { GraphBuilder, type GraphDtype } from "./onnx-graph.js";
import type { Preprocessing } from "./preprocessing.js";
import type { TrainedModel } from "./types.js";

/** One named tensor of the exported graph; -1 marks the dynamic batch dim. */
export interface TensorSignature {
  name: string;
  dtype: GraphDtype;
  shape: number[];
}

/** One raw feature the graph takes, in input order; `categories` are the ones the model tells apart. */
export interface FeatureSignature {
  name: string;
  type: "numeric" | "categorical";
  categories?: string[];
}

/** What the exported graph takes and returns (the shape `gyre-model.json` signatures use). */
export interface OnnxSignature {
  inputs: TensorSignature[];
  outputs: TensorSignature[];
  features: FeatureSignature[];
}

/** A serialised ONNX model and its signature. */
export interface OnnxExport {
  bytes: Uint8Array;
  signature: OnnxSignature;
}

/**
 * Exports the trained model with its preprocessing as one ONNX graph: one input per raw feature
 * (numeric float32 [N,1], categorical string [N,1]; unseen categories share the out-of-vocabulary column)
 * and one output, `probability` [N,1] for binary tasks or `prediction` [N,1] for regression.
 * Uses ai.onnx opset 17 (Concat, Sub, Div, Reshape, OneHot, MatMul, Add, Relu, Sigmoid) and ai.onnx.ml
 * opset 3 (LabelEncoder), all implemented by ONNX Runtime's CPU provider.
 */
export function exportOnnx(trained: TrainedModel): OnnxExport {
  const g = new GraphBuilder();
  const inputs: TensorSignature[] = trained.spec.features.map((f) => ({
    name: f.name,
    dtype: f.type === "numeric" ? "float32" : "string",
    shape: [-1, 1],
  }));
  for (const input of inputs) g.input(input.name, input.dtype, input.shape);
  let x = encodeGraph(g, trained.preprocessing);
  const layers = denseLayers(trained.model);
  const binary = trained.spec.task === "binary";
  const outputName = binary ? "probability" : "prediction";
  layers.forEach((layer, i) => {
    const last = i === layers.length - 1;
    const product = g.node(
      "MatMul",
      [x, g.floats(`gyre/dense_${i}/kernel`, [layer.inputs, layer.units], layer.kernel)],
      `gyre/dense_${i}/matmul`,
    );
    const bias = g.floats(`gyre/dense_${i}/bias`, [layer.units], layer.bias);
    x = g.node("Add", [product, bias], last && !binary ? outputName : `gyre/dense_${i}/add`);
    if (layer.relu) x = g.node("Relu", [x], `gyre/dense_${i}/relu`);
  });
  if (binary) g.node("Sigmoid", [x], outputName);
  const outputs: TensorSignature[] = [{ name: outputName, dtype: "float32", shape: [-1, 1] }];
  g.output(outputName, "float32", [-1, 1]);
  const features: FeatureSignature[] = trained.spec.features.map((f) => {
    if (f.type === "numeric") return { name: f.name, type: "numeric" };
    const vocabulary = trained.preprocessing.categorical.find((c) => c.name === f.name)!;
    return { name: f.name, type: "categorical", categories: [...vocabulary.categories] };
  });
  const doc = `gyre tabular ${trained.options.head.kind} (${trained.spec.task}); label '${trained.spec.label}'`;
  return { bytes: g.encode("gyre_tabular", doc), signature: { inputs, outputs, features } };
}

/**
 * The preprocessing as graph nodes, producing the encoded matrix [N, width] in the same column layout
 * as `encodeFeatures`: standardised numerics first, then one one-hot block per categorical feature.
 */
function encodeGraph(g: GraphBuilder, pre: Preprocessing): string {
  const parts: string[] = [];
  if (pre.numeric.length > 0) {
    const n = pre.numeric.length;
    const raw =
      n === 1
        ? pre.numeric[0]!.name
        : g.node(
            "Concat",
            pre.numeric.map((s) => s.name),
            "gyre/numeric",
            { axis: { int: 1 } },
          );
    const mean = g.floats(
      "gyre/numeric/mean",
      [n],
      Float32Array.from(pre.numeric, (s) => s.mean),
    );
    const std = g.floats(
      "gyre/numeric/std",
      [n],
      Float32Array.from(pre.numeric, (s) => s.std),
    );
    const centred = g.node("Sub", [raw, mean], "gyre/numeric/centred");
    parts.push(g.node("Div", [centred, std], "gyre/numeric/scaled"));
  }
  const flat = pre.categorical.length > 0 ? g.int64s("gyre/flat", [1], [-1]) : "";
  const onOff = pre.categorical.length > 0 ? g.floats("gyre/one_hot_values", [2], Float32Array.of(0, 1)) : "";
  for (const [i, vocabulary] of pre.categorical.entries()) {
    const k = vocabulary.categories.length;
    const index = g.node(
      "LabelEncoder",
      [vocabulary.name],
      `gyre/cat_${i}/index`,
      {
        keys_strings: { strings: vocabulary.categories },
        values_int64s: { ints: vocabulary.categories.map((_, j) => j) },
        default_int64: { int: k },
      },
      "ai.onnx.ml",
    );
    const rows = g.node("Reshape", [index, flat], `gyre/cat_${i}/rows`);
    const depth = g.int64s(`gyre/cat_${i}/depth`, [1], [k + 1]);
    parts.push(g.node("OneHot", [rows, depth, onOff], `gyre/cat_${i}/one_hot`, { axis: { int: -1 } }));
  }
  return parts.length === 1 ? parts[0]! : g.node("Concat", parts, "gyre/encoded", { axis: { int: 1 } });
}
