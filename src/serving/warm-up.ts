import type { ModelSignature } from "../registry/index.js";
import type { TensorData, Tensors } from "./types.js";

/** Inputs of `rows` rows that any model of `signature` accepts: zeros, false, and each input's first category. */
export function warmUpInputs(signature: ModelSignature, rows: number): Tensors {
  const out: Tensors = {};
  for (const spec of signature.inputs) {
    const shape = spec.shape.map((d, i) => (d === -1 ? (i === 0 ? rows : 1) : d));
    const n = shape.reduce((a, d) => a * d, 1);
    const feature = signature.features?.find((f) => f.name === spec.name);
    const category = feature?.type === "categorical" ? (feature.categories?.[0] ?? "") : "";
    let data: TensorData;
    if (spec.dtype === "string") data = new Array<string>(n).fill(category);
    else if (spec.dtype === "float32") data = new Float32Array(n);
    else if (spec.dtype === "float64") data = new Float64Array(n);
    else if (spec.dtype === "int32") data = new Int32Array(n);
    else if (spec.dtype === "int64") data = new BigInt64Array(n);
    else data = new Uint8Array(n);
    out[spec.name] = { dtype: spec.dtype, shape, data };
  }
  return out;
}
