import { seededRandom } from "./random.js";
import type { ColumnSpec, Row } from "./types.js";

/** Shape of a synthetic data set: how many numeric and categorical features, and how many levels each. */
export interface SyntheticShape {
  rows: number;
  numeric: number;
  categorical: number;
  /** Levels per categorical feature (default 8), named `c0`, `c1`, … */
  levels?: number;
  task?: "binary" | "regression";
  seed?: number;
}

/**
 * Seeded synthetic tabular data with a known signal: numeric features `n0…` standard normal, categorical
 * features `k0…` uniform over their levels, and a label that depends on both (logistic for binary, linear
 * plus noise for regression). Same shape and seed → same rows.
 */
export function syntheticTabular(shape: SyntheticShape): { rows: Row[]; spec: ColumnSpec } {
  const random = seededRandom(shape.seed ?? 1);
  const levels = shape.levels ?? 8;
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const weights = Array.from({ length: shape.numeric }, (_, j) => (j % 2 === 0 ? 1 : -1) / (1 + j / 4));
  const effects = Array.from({ length: shape.categorical }, () =>
    Array.from({ length: levels }, () => normal()),
  );
  const task = shape.task ?? "binary";
  const keys = [
    ...Array.from({ length: shape.numeric }, (_, j) => `n${j}`),
    ...Array.from({ length: shape.categorical }, (_, j) => `k${j}`),
    "label",
  ];
  // Rows are copies of one parsed template: V8 keeps them as fast objects sharing one shape, like
  // rows from JSON.parse, rather than the slow dictionary objects that keyed stores would build.
  const template = JSON.parse(JSON.stringify(Object.fromEntries(keys.map((k) => [k, 0])))) as Record<
    string,
    unknown
  >;
  const rows: Row[] = [];
  for (let i = 0; i < shape.rows; i++) {
    const row: Record<string, unknown> = { ...template };
    let signal = 0;
    for (let j = 0; j < shape.numeric; j++) {
      const v = normal();
      row[`n${j}`] = v;
      signal += weights[j]! * v;
    }
    for (let j = 0; j < shape.categorical; j++) {
      const level = Math.floor(random() * levels);
      row[`k${j}`] = `c${level}`;
      signal += effects[j]![level]!;
    }
    row.label =
      task === "binary" ? (random() < 1 / (1 + Math.exp(-signal)) ? 1 : 0) : 3 * signal + 10 + 0.5 * normal();
    rows.push(row);
  }
  const spec: ColumnSpec = {
    features: [
      ...Array.from({ length: shape.numeric }, (_, j) => ({ name: `n${j}`, type: "numeric" as const })),
      ...Array.from({ length: shape.categorical }, (_, j) => ({
        name: `k${j}`,
        type: "categorical" as const,
      })),
    ],
    label: "label",
    task,
  };
  return { rows, spec };
}
