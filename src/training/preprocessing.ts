import { GyreError } from "../core/errors.js";
import type { CategoricalFeatureSpec, ColumnSpec, Row } from "./types.js";

/** Standardisation learned for one numeric feature (population std; a constant column gets std 1). */
export interface NumericStats {
  name: string;
  mean: number;
  std: number;
}

/** Vocabulary learned for one categorical feature; index `categories.length` is the out-of-vocabulary bucket. */
export interface CategoryVocabulary {
  name: string;
  /** Most frequent first; ties in code-point order of the value. */
  categories: string[];
}

/**
 * Preprocessing learned from the training rows only. The encoded row is laid out as all numeric
 * features (spec order), then one one-hot block of `categories.length + 1` columns per categorical feature.
 */
export interface Preprocessing {
  numeric: NumericStats[];
  categorical: CategoryVocabulary[];
  /** Columns of the encoded matrix. */
  width: number;
}

/** Default vocabulary size per categorical feature (before the out-of-vocabulary bucket). */
export const DEFAULT_MAX_CATEGORIES = 50;

/** The string a categorical value is matched as: `String(v)`, with null and undefined as "". */
export function categoryKey(value: unknown): string {
  return value === null || value === undefined ? "" : String(value);
}

/** Reads a numeric feature value; throws TRAINING_DATA_INVALID naming the row when it is not a finite number. */
export function numericValue(row: Row, name: string, index: number): number {
  const v = row[name];
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new GyreError(
      "TRAINING_DATA_INVALID",
      `Row ${index}: feature '${name}' must be a finite number, got ${JSON.stringify(v) ?? "undefined"}; ` +
        "drop or impute missing values before training",
      { field: `rows[${index}].${name}` },
    );
  }
  return v;
}

/** Learns mean/std per numeric feature and the top-K vocabulary per categorical feature. */
export function fitPreprocessing(rows: readonly Row[], spec: ColumnSpec): Preprocessing {
  const numeric: NumericStats[] = [];
  const categorical: CategoryVocabulary[] = [];
  for (const feature of spec.features) {
    if (feature.type === "numeric") numeric.push(fitNumeric(rows, feature.name));
    else categorical.push(fitVocabulary(rows, feature));
  }
  const width = numeric.length + categorical.reduce((n, c) => n + c.categories.length + 1, 0);
  return { numeric, categorical, width };
}

function fitNumeric(rows: readonly Row[], name: string): NumericStats {
  let sum = 0;
  for (let i = 0; i < rows.length; i++) sum += numericValue(rows[i]!, name, i);
  const mean = sum / rows.length;
  let squares = 0;
  for (const row of rows) squares += ((row[name] as number) - mean) ** 2;
  const std = Math.sqrt(squares / rows.length);
  return { name, mean, std: std > 0 ? std : 1 };
}

function fitVocabulary(rows: readonly Row[], feature: CategoricalFeatureSpec): CategoryVocabulary {
  const counts = new Map<string, number>();
  for (const row of rows) {
    const key = categoryKey(row[feature.name]);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const k = feature.maxCategories ?? DEFAULT_MAX_CATEGORIES;
  return { name: feature.name, categories: ranked.slice(0, k).map(([value]) => value) };
}

/**
 * Encodes rows into a row-major float32 matrix (rows × `width`). Standardisation is done in float32,
 * one rounding per Sub and Div, exactly as the exported ONNX graph does it.
 */
export function encodeFeatures(pre: Preprocessing, rows: readonly Row[]): Float32Array {
  const out = new Float32Array(rows.length * pre.width);
  const numeric = pre.numeric.map((s) => ({
    name: s.name,
    mean: Math.fround(s.mean),
    std: Math.fround(s.std),
  }));
  const lookups = pre.categorical.map((c) => ({
    name: c.name,
    index: new Map(c.categories.map((v, i) => [v, i])),
    oov: c.categories.length,
  }));
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    const base = r * pre.width;
    let col = 0;
    for (const { name, mean, std } of numeric) {
      const x = Math.fround(numericValue(row, name, r));
      out[base + col++] = Math.fround(Math.fround(x - mean) / std);
    }
    for (const { name, index, oov } of lookups) {
      out[base + col + (index.get(categoryKey(row[name])) ?? oov)] = 1;
      col += oov + 1;
    }
  }
  return out;
}

/** Names of the encoded columns, e.g. `distance`, `origin=ATL`, `origin=<other>`. */
export function encodedColumnNames(pre: Preprocessing): string[] {
  return [
    ...pre.numeric.map((s) => s.name),
    ...pre.categorical.flatMap((c) => [...c.categories.map((v) => `${c.name}=${v}`), `${c.name}=<other>`]),
  ];
}

/** Reads the label column: 0/1 (or booleans) for binary tasks, finite numbers for regression. */
export function encodeLabels(
  rows: readonly Row[],
  label: string,
  task: "binary" | "regression",
): Float32Array {
  const out = new Float32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const v = rows[i]![label];
    const y = typeof v === "boolean" ? Number(v) : v;
    const ok =
      typeof y === "number" && (task === "binary" ? y === 0 || y === 1 : Number.isFinite(y as number));
    if (!ok) {
      throw new GyreError(
        "TRAINING_DATA_INVALID",
        `Row ${i}: label '${label}' must be ${task === "binary" ? "0, 1 or a boolean" : "a finite number"}, ` +
          `got ${JSON.stringify(v) ?? "undefined"}`,
        { field: `rows[${i}].${label}` },
      );
    }
    out[i] = y as number;
  }
  return out;
}
