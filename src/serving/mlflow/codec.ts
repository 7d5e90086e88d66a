import { GyreError } from "../../core/errors.js";
import type { ModelSignature } from "../../registry/index.js";
import { flatValues, nest } from "../tensors.js";
import type { InferResult, RawInput, Tensor } from "../types.js";
import { parseCsv } from "./csv.js";

const FIELDS = ["dataframe_split", "dataframe_records", "instances", "inputs"] as const;

function bad(message: string, field = "body"): GyreError {
  return new GyreError("SERVING_INPUT_FORMAT", message, { field });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** One column of values (scalars, or equal-shaped arrays for tensor inputs) as a raw input. */
function column(values: unknown[]): RawInput {
  const first = values[0];
  if (!Array.isArray(first)) return { values, shape: [values.length] };
  const inner = dims(first);
  return { values: values.flat(Number.POSITIVE_INFINITY), shape: [values.length, ...inner] };
}

function dims(v: unknown): number[] {
  return Array.isArray(v) ? [v.length, ...dims(v[0])] : [];
}

function fromColumns(columns: Record<string, unknown>, field: string): Record<string, RawInput> {
  const out: Record<string, RawInput> = {};
  let rows = -1;
  for (const [name, values] of Object.entries(columns)) {
    const list = Array.isArray(values) ? values : [values];
    if (rows !== -1 && list.length !== rows)
      throw bad(`Column '${name}' has ${list.length} values but others have ${rows}`, `${field}.${name}`);
    rows = list.length;
    out[name] = column(list);
  }
  return out;
}

function fromRecords(records: unknown[], field: string): Record<string, RawInput> {
  const names = new Set<string>();
  records.forEach((r, i) => {
    if (!isObject(r)) throw bad(`${field}[${i}] must be an object of column → value`, `${field}[${i}]`);
    for (const k of Object.keys(r)) names.add(k);
  });
  const columns: Record<string, unknown[]> = {};
  for (const name of names) columns[name] = records.map((r) => (r as Record<string, unknown>)[name] ?? null);
  return fromColumns(columns, field);
}

function fromSplit(split: unknown): Record<string, RawInput> {
  if (!isObject(split) || !Array.isArray(split.columns) || !Array.isArray(split.data)) {
    throw bad(
      'dataframe_split must be {"columns": [...], "data": [[...], ...]} (pandas orient=\'split\')',
      "dataframe_split",
    );
  }
  const names = split.columns.map(String);
  const columns: Record<string, unknown[]> = Object.fromEntries(names.map((n) => [n, []]));
  split.data.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== names.length)
      throw bad(
        `dataframe_split.data[${i}] must be a list of ${names.length} values, one per column`,
        `dataframe_split.data[${i}]`,
      );
    row.forEach((v, j) => {
      columns[names[j]!]!.push(v);
    });
  });
  return fromColumns(columns, "dataframe_split");
}

/** Tensor-style input (`instances` / `inputs`): a list of records, or a dict of name → values. */
function fromTensors(value: unknown, field: string): Record<string, RawInput> {
  if (isObject(value)) return fromColumns(value, field);
  if (Array.isArray(value) && value.length > 0 && value.every(isObject)) return fromRecords(value, field);
  throw bad(
    `${field} must be a list of records ({input: value}) or a dict of input name → list of values`,
    field,
  );
}

/**
 * Decodes an MLflow scoring-server JSON body: exactly one of `dataframe_split`, `dataframe_records`,
 * `instances`, `inputs` (plus optional `params`). Throws SERVING_INPUT_FORMAT with mlflow's wording.
 */
export function decodeInvocationsJson(body: unknown): {
  inputs: Record<string, RawInput>;
  format: (typeof FIELDS)[number];
} {
  if (!isObject(body))
    throw bad(
      `Invalid input. The input must be a JSON dictionary with exactly one of the input fields {${FIELDS.map((f) => `'${f}'`).join(", ")}}`,
    );
  const present = FIELDS.filter((f) => f in body);
  const unknown = Object.keys(body).filter(
    (k) => !(FIELDS as readonly string[]).includes(k) && k !== "params",
  );
  if (present.length !== 1 || unknown.length > 0) {
    throw bad(
      `Invalid input. The input must be a JSON dictionary with exactly one of the input fields {${FIELDS.map((f) => `'${f}'`).join(", ")}}. Received dictionary with input fields: [${Object.keys(
        body,
      )
        .map((k) => `'${k}'`)
        .join(", ")}]`,
    );
  }
  const format = present[0]!;
  const value = body[format];
  if (format === "dataframe_split") return { inputs: fromSplit(value), format };
  if (format === "dataframe_records") {
    if (!Array.isArray(value))
      throw bad("dataframe_records must be a list of records (pandas orient='records')", format);
    return { inputs: fromRecords(value, format), format };
  }
  return { inputs: fromTensors(value, format), format };
}

function coerceCell(text: string, dtype: string, name: string, row: number): unknown {
  if (dtype === "string") return text;
  if (dtype === "bool") {
    if (/^(true|1)$/i.test(text)) return true;
    if (/^(false|0)$/i.test(text)) return false;
  } else if (text.trim() !== "" && Number.isFinite(Number(text))) return Number(text);
  throw new GyreError(
    "SERVING_INPUT_DTYPE",
    `Column '${name}' row ${row + 1} is '${text}'; the model expects ${dtype}`,
    { field: name },
  );
}

/** Decodes a CSV body (header row, like pandas.read_csv): cells are converted to each input's dtype. */
export function decodeInvocationsCsv(text: string, signature: ModelSignature): Record<string, RawInput> {
  const { columns, rows } = parseCsv(text);
  const dtypes = new Map(signature.inputs.map((i) => [i.name, i.dtype as string]));
  const out: Record<string, RawInput> = {};
  columns.forEach((name, j) => {
    const dtype = dtypes.get(name) ?? "string";
    out[name] = { values: rows.map((r, i) => coerceCell(r[j]!, dtype, name, i)), shape: [rows.length] };
  });
  return out;
}

function columnValues(t: Tensor): unknown[] {
  const values = flatValues(t);
  const per = t.shape.slice(1).reduce((a, d) => a * d, 1);
  return per === 1 ? values : nest(values, t.shape);
}

/**
 * The `{"predictions": …}` body as mlflow's ONNX flavor answers: for DataFrame input, one record per row
 * ({output: value}, [N, 1] outputs as scalars); for tensor input (`instances`/`inputs`), a dict of output
 * name → nested list, or the bare list when the model has one output.
 */
export function encodePredictions(result: InferResult, format: string): Record<string, unknown> {
  const entries = Object.entries(result.outputs);
  if (format === "dataframe_split" || format === "dataframe_records" || format === "csv") {
    const cols = entries.map(([name, t]) => [name, columnValues(t)] as const);
    const records = [];
    for (let i = 0; i < result.rows; i++)
      records.push(Object.fromEntries(cols.map(([name, v]) => [name, v[i]])));
    return { predictions: records };
  }
  if (entries.length === 1) return { predictions: nest(flatValues(entries[0]![1]), entries[0]![1].shape) };
  return {
    predictions: Object.fromEntries(entries.map(([name, t]) => [name, nest(flatValues(t), t.shape)])),
  };
}
