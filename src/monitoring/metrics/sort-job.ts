/**
 * The unit of work of the sort pool, run the same way in a worker thread and in the calling thread: sort an
 * item's raw columns and, for a numeric pair with metric configs, compute those metrics on it.
 */

import type { DriftMetricConfig } from "./config.js";
import { computeDrift, type DriftResult } from "./drift.js";
import { type NumericColumn, numericColumn, numericColumnInto } from "./sort.js";

/**
 * Raw columns (NaN or null for missing values) and the metrics to compute on [reference, current]. With
 * `keep` false only the metric results come back: the columns are sorted into reused buffers.
 */
export interface SortItem {
  columns: ArrayLike<number | null | undefined>[];
  configs: DriftMetricConfig[];
  keep: boolean;
}

/** The sorted columns of an item, in order (none unless kept), and its metric results (none without configs). */
export interface SortedItem {
  columns: NumericColumn[];
  drift: DriftResult[];
}

/** A batch sent to a worker, and its answer (sorted buffers are transferred, not copied). */
export interface SortRequest {
  id: number;
  items: SortItem[];
}
export interface SortReply {
  id: number;
  items: SortedItem[];
}

/** Per-thread buffers the columns of a measured-then-dropped pair are sorted into. */
const buffers = [new Float64Array(0), new Float64Array(0)];

export function runItem(item: SortItem): SortedItem {
  const columns = item.columns.map((c, k) => (item.keep ? numericColumn(c) : sortInto(c, k)));
  const [reference, current] = columns;
  if (item.configs.length === 0 || !reference || !current) return { columns, drift: [] };
  const drift = item.configs.map((config) =>
    computeDrift(config, { kind: "numeric", column: reference }, { kind: "numeric", column: current }),
  );
  return { columns: item.keep ? columns : [], drift };
}

function sortInto(values: ArrayLike<number | null | undefined>, k: number): NumericColumn {
  if (!(values instanceof Float64Array) || k > 1) return numericColumn(values);
  if (buffers[k]!.length < values.length) buffers[k] = new Float64Array(values.length);
  return numericColumnInto(values, buffers[k]!);
}
