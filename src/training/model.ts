import * as tf from "@tensorflow/tfjs";
import type { Preprocessing } from "./preprocessing.js";
import type { Head } from "./types.js";

/** The served model and a twin sharing its weights that stops before the output activation (for the loss). */
export interface Network {
  /** encoded features [N, width] → probability (binary) or prediction (regression) [N, 1]. */
  model: tf.LayersModel;
  /** encoded features [N, width] → pre-activation output [N, 1]; same variables as `model`. */
  logits: tf.LayersModel;
}

/**
 * Builds the head on top of `width` encoded columns: hidden Dense+ReLU layers (none for `linear`), then
 * one Dense unit, then a sigmoid for binary tasks. Glorot-uniform kernels are seeded per layer.
 */
export function buildNetwork(
  width: number,
  head: Head,
  task: "binary" | "regression",
  seed: number,
): Network {
  const input = tf.input({ shape: [width] });
  const hidden = head.kind === "mlp" ? head.hidden : [];
  let x: tf.SymbolicTensor = input;
  hidden.forEach((units, i) => {
    x = dense(units, "relu", seed + i + 1).apply(x) as tf.SymbolicTensor;
  });
  const logit = dense(1, "linear", seed + hidden.length + 1).apply(x) as tf.SymbolicTensor;
  const output =
    task === "binary"
      ? (tf.layers.activation({ activation: "sigmoid" }).apply(logit) as tf.SymbolicTensor)
      : logit;
  return {
    model: tf.model({ inputs: input, outputs: output }),
    logits: tf.model({ inputs: input, outputs: logit }),
  };
}

function dense(units: number, activation: "relu" | "linear", seed: number): tf.layers.Layer {
  return tf.layers.dense({
    units,
    activation,
    kernelInitializer: tf.initializers.glorotUniform({ seed }),
    biasInitializer: "zeros",
  });
}

/**
 * x·w with a gradient that transposes explicitly: tfjs-backend-wasm's matMul with transpose flags (what
 * the built-in gradient uses) measured ~6× slower than a transpose followed by a plain matMul.
 */
const matMul = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, w, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([x, w]);
  return {
    value: tf.matMul(x, w),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy as tf.Tensor2D, sw.transpose()), tf.matMul(sx.transpose(), dy as tf.Tensor2D)];
    },
  };
});

/** The pre-activation forward pass over the network's own variables, for training, and those variables. */
export interface TrainingGraph {
  variables: tf.Variable[];
  forward: (x: tf.Tensor2D) => tf.Tensor;
}

/** Builds the training forward pass of `net.logits` from its Dense layers' kernel and bias variables. */
export function trainingGraph(net: Network): TrainingGraph {
  const layers = net.logits.layers
    .filter((layer) => layer.getClassName() === "Dense")
    .map((layer) => {
      const [kernel, bias] = layer.trainableWeights.map((w) => w.read()) as [tf.Variable, tf.Variable];
      return { kernel, bias, relu: (layer.getConfig() as { activation?: string }).activation === "relu" };
    });
  return {
    variables: layers.flatMap((l) => [l.kernel, l.bias]),
    forward: (x) =>
      layers.reduce<tf.Tensor>((h, l) => {
        const z = tf.add(matMul(h, l.kernel), l.bias);
        return l.relu ? tf.relu(z) : z;
      }, x),
  };
}

/** The Dense layers of a model in graph order, with their kernel [in, out] and bias [out] as float32 arrays. */
export function denseLayers(
  model: tf.LayersModel,
): { kernel: Float32Array; bias: Float32Array; inputs: number; units: number; relu: boolean }[] {
  return model.layers
    .filter((layer) => layer.getClassName() === "Dense")
    .map((layer) => {
      const [kernel, bias] = layer.getWeights() as [tf.Tensor, tf.Tensor];
      const activation = (layer.getConfig() as { activation?: string }).activation;
      return {
        kernel: kernel.dataSync() as Float32Array,
        bias: bias.dataSync() as Float32Array,
        inputs: kernel.shape[0]!,
        units: kernel.shape[1]!,
        relu: activation === "relu",
      };
    });
}

/**
 * Zeroes the first layer's rows for the out-of-vocabulary columns: Adam never moves a weight whose input
 * is always 0, so an empty bucket would otherwise keep its random initial weights and give unseen
 * categories an arbitrary effect. Zero makes an unseen category contribute nothing.
 */
export function zeroOutOfVocabularyRows(model: tf.LayersModel, pre: Preprocessing): void {
  const first = model.layers.find((layer) => layer.getClassName() === "Dense");
  if (!first || pre.categorical.length === 0) return;
  const [kernel, bias] = first.getWeights() as [tf.Tensor, tf.Tensor];
  const values = kernel.arraySync() as number[][];
  let col = pre.numeric.length;
  for (const vocabulary of pre.categorical) {
    col += vocabulary.categories.length;
    values[col]!.fill(0);
    col += 1;
  }
  const zeroed = tf.tensor2d(values, kernel.shape as [number, number]);
  first.setWeights([zeroed, bias]);
  zeroed.dispose();
}

/** Folds a label standardisation into the last Dense layer (w·std, b·std + mean) so it predicts in label units. */
export function foldLabelScale(model: tf.LayersModel, mean: number, std: number): void {
  const last = model.layers.filter((layer) => layer.getClassName() === "Dense").at(-1);
  if (!last) return;
  const [kernel, bias] = last.getWeights() as [tf.Tensor, tf.Tensor];
  const scaled = tf.tidy(() => [kernel.mul(std), bias.mul(std).add(mean)]);
  last.setWeights(scaled);
  tf.dispose(scaled);
}
