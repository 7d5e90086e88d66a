import { GyreError } from "../core/errors.js";
import type { Dtype, ModelSignature, TensorSpec } from "../registry/index.js";
import type { RawInput, Tensor, TensorData, Tensors } from "./types.js";

/** OIP v2 datatype of each signature dtype (BYTES carries strings). */
export const V2_DATATYPES: Record<Dtype, string> = {
  float32: "FP32",
  float64: "FP64",
  int64: "INT64",
  int32: "INT32",
  bool: "BOOL",
  string: "BYTES",
};

function describe(spec: TensorSpec): string {
  return `${spec.name} (${spec.dtype} [${spec.shape.join(", ")}])`;
}

function fail(
  code: "SERVING_INPUT_SHAPE" | "SERVING_INPUT_DTYPE" | "SERVING_INPUT_CATEGORY",
  input: string,
  message: string,
): GyreError {
  return new GyreError(code, message, { field: input });
}

/** The shape the model gets: a rank-1 column [N] is accepted for a [-1, 1] input and becomes [N, 1]. */
function checkShape(spec: TensorSpec, raw: RawInput): number[] {
  let shape = raw.shape;
  if (shape.length === 1 && spec.shape.length === 2 && spec.shape[1] === 1) shape = [shape[0]!, 1];
  const ok =
    shape.length === spec.shape.length && shape.every((d, i) => spec.shape[i] === -1 || spec.shape[i] === d);
  if (!ok) {
    throw fail(
      "SERVING_INPUT_SHAPE",
      spec.name,
      `Input '${spec.name}' has shape [${raw.shape.join(", ")}] but the model expects [${spec.shape.join(", ")}] (-1: any size)`,
    );
  }
  const count = shape.reduce((a, d) => a * d, 1);
  if (count !== raw.values.length) {
    throw fail(
      "SERVING_INPUT_SHAPE",
      spec.name,
      `Input '${spec.name}' has ${raw.values.length} values but shape [${raw.shape.join(", ")}] needs ${count}`,
    );
  }
  return shape;
}

const NUMERIC: Record<string, (v: number) => boolean> = {
  float32: () => true,
  float64: () => true,
  int64: Number.isSafeInteger,
  int32: (v) => Number.isInteger(v) && v >= -2147483648 && v <= 2147483647,
};

function badValue(spec: TensorSpec, i: number, v: unknown): GyreError {
  const got = v === null ? "null" : Array.isArray(v) ? "an array" : `${typeof v} ${JSON.stringify(v)}`;
  return fail(
    "SERVING_INPUT_DTYPE",
    spec.name,
    `Input '${spec.name}' value ${i} is ${got}; the model expects ${spec.dtype}`,
  );
}

/** Typed data for `values`, checking every element against the dtype. */
function typedData(spec: TensorSpec, values: unknown[]): TensorData {
  const n = values.length;
  if (spec.dtype === "string") {
    for (let i = 0; i < n; i++) if (typeof values[i] !== "string") throw badValue(spec, i, values[i]);
    return values as string[];
  }
  if (spec.dtype === "bool") {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v !== "boolean") throw badValue(spec, i, v);
      out[i] = v ? 1 : 0;
    }
    return out;
  }
  const check = NUMERIC[spec.dtype]!;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v !== "number" || !check(v)) throw badValue(spec, i, v);
  }
  if (spec.dtype === "float32") return Float32Array.from(values as number[]);
  if (spec.dtype === "float64") return Float64Array.from(values as number[]);
  if (spec.dtype === "int32") return Int32Array.from(values as number[]);
  return BigInt64Array.from(values as number[], (v) => BigInt(v));
}

const NO_NAMES: ReadonlySet<string> = new Set();
const inputNames = new WeakMap<ModelSignature, ReadonlySet<string>>();

/** The input names of `signature` (one set per signature object, not per request). */
function inputNamesOf(signature: ModelSignature): ReadonlySet<string> {
  let names = inputNames.get(signature);
  if (!names) {
    names = new Set(signature.inputs.map((i) => i.name));
    inputNames.set(signature, names);
  }
  return names;
}

/** Allowed categories per input, from the signature's closed categorical features. */
export function closedCategories(signature: ModelSignature): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const f of signature.features ?? [])
    if (f.type === "categorical" && f.categories) out.set(f.name, new Set(f.categories));
  return out;
}

function checkCategories(name: string, data: string[], allowed: Set<string>): void {
  for (const v of data) {
    if (!allowed.has(v)) {
      const some = [...allowed].slice(0, 8).join(", ");
      throw fail(
        "SERVING_INPUT_CATEGORY",
        name,
        `Input '${name}' has category '${v}', which the model does not know; allowed: ${some}${allowed.size > 8 ? ", …" : ""}`,
      );
    }
  }
}

/**
 * Validates decoded inputs against the model signature and converts them to tensors: every signature input
 * present, nothing unknown (except `extra` names such as entity keys), shapes, dtypes (and the OIP datatype
 * when declared), closed categories, and one row count. Throws SERVING_INPUT_* naming the input.
 */
export function toTensors(
  signature: ModelSignature,
  inputs: Record<string, RawInput>,
  extra: ReadonlySet<string> = NO_NAMES,
  categories: ReadonlyMap<string, Set<string>> = closedCategories(signature),
): { tensors: Tensors; rows: number } {
  const known = inputNamesOf(signature);
  for (const name in inputs) {
    if (!known.has(name) && !extra.has(name)) {
      throw new GyreError(
        "SERVING_INPUT_UNKNOWN",
        `Unknown input '${name}'; the model takes ${signature.inputs.map(describe).join(", ")}`,
        { field: name },
      );
    }
  }
  const tensors: Tensors = {};
  let rows = -1;
  for (const spec of signature.inputs) {
    const raw = inputs[spec.name];
    if (!raw) {
      throw new GyreError(
        "SERVING_INPUT_MISSING",
        `Input '${spec.name}' is missing; the model takes ${signature.inputs.map(describe).join(", ")}`,
        { field: spec.name },
      );
    }
    if (raw.datatype !== undefined && raw.datatype !== V2_DATATYPES[spec.dtype]) {
      throw fail(
        "SERVING_INPUT_DTYPE",
        spec.name,
        `Input '${spec.name}' has datatype ${raw.datatype} but the model expects ${V2_DATATYPES[spec.dtype]}`,
      );
    }
    const shape = checkShape(spec, raw);
    if (rows === -1) rows = shape[0] ?? 1;
    else if ((shape[0] ?? 1) !== rows) {
      throw fail(
        "SERVING_INPUT_SHAPE",
        spec.name,
        `Input '${spec.name}' has ${shape[0]} rows but other inputs have ${rows}; every input needs the same batch size`,
      );
    }
    const data = typedData(spec, raw.values);
    const allowed = categories.get(spec.name);
    if (allowed) checkCategories(spec.name, data as string[], allowed);
    tensors[spec.name] = { dtype: spec.dtype, shape, data };
  }
  return { tensors, rows: Math.max(rows, 0) };
}

/** True when every input of `signature` has a dynamic first dim, so requests can be merged along it. */
export function batchable(signature: ModelSignature): boolean {
  return (
    signature.inputs.every((i) => i.shape[0] === -1) && signature.outputs.every((o) => o.shape[0] === -1)
  );
}

function concatData(parts: TensorData[]): TensorData {
  if (Array.isArray(parts[0])) return (parts as string[][]).flat();
  const total = parts.reduce((a, p) => a + p.length, 0);
  const Ctor = (parts[0] as Float32Array).constructor as new (n: number) => Float32Array;
  const out = new Ctor(total);
  let at = 0;
  for (const p of parts as Float32Array[]) {
    out.set(p, at);
    at += p.length;
  }
  return out as TensorData;
}

/** Concatenates each named tensor along dim 0 (all parts share names, dtypes and trailing dims). */
export function concatTensors(parts: Tensors[]): Tensors {
  if (parts.length === 1) return parts[0]!;
  const out: Tensors = {};
  for (const name of Object.keys(parts[0]!)) {
    const list = parts.map((p) => p[name]!);
    const rows = list.reduce((a, t) => a + (t.shape[0] ?? 1), 0);
    out[name] = {
      dtype: list[0]!.dtype,
      shape: [rows, ...list[0]!.shape.slice(1)],
      data: concatData(list.map((t) => t.data)),
    };
  }
  return out;
}

/** Rows [start, end) of every tensor (views where the data is typed). */
export function sliceRows(tensors: Tensors, start: number, end: number): Tensors {
  const out: Tensors = {};
  for (const [name, t] of Object.entries(tensors)) {
    const per = t.shape.slice(1).reduce((a, d) => a * d, 1);
    const data = Array.isArray(t.data)
      ? t.data.slice(start * per, end * per)
      : t.data.subarray(start * per, end * per);
    out[name] = { dtype: t.dtype, shape: [end - start, ...t.shape.slice(1)], data: data as TensorData };
  }
  return out;
}

function plain(v: unknown, dtype: Dtype): unknown {
  if (typeof v === "bigint") return Number(v);
  if (dtype === "bool") return v === 1 || v === true;
  return v;
}

/** JSON-ready flat values of a tensor (BigInt as number, bool as boolean, NaN as null). */
export function flatValues(t: Tensor): unknown[] {
  const out = new Array<unknown>(t.data.length);
  for (let i = 0; i < t.data.length; i++) {
    const v = plain(t.data[i], t.dtype);
    out[i] = typeof v === "number" && !Number.isFinite(v) ? null : v;
  }
  return out;
}

/** Element `i` of a tensor as JSON-ready value (BigInt as number, bool as boolean, NaN as null). */
export function scalarAt(t: Tensor, i: number): unknown {
  const v = plain(t.data[i], t.dtype);
  return typeof v === "number" && !Number.isFinite(v) ? null : v;
}

/** Row `i` of a tensor: a scalar when a row holds one element, else the row's flat values. */
export function rowValue(t: Tensor, i: number): unknown {
  const per = t.shape.slice(1).reduce((a, d) => a * d, 1);
  if (per === 1) return scalarAt(t, i);
  return flatValues({ ...t, shape: [1, per], data: sliceRows({ t }, i, i + 1).t!.data });
}

/** Nested arrays of `values` in `shape` (row-major), as MLflow returns tensors. */
export function nest(values: unknown[], shape: number[]): unknown[] {
  if (shape.length <= 1) return values;
  const per = shape.slice(1).reduce((a, d) => a * d, 1);
  const out: unknown[] = [];
  for (let i = 0; i < (shape[0] ?? 0); i++)
    out.push(nest(values.slice(i * per, (i + 1) * per), shape.slice(1)));
  return out;
}
