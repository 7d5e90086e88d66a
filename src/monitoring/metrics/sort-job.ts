/**
 * The unit of work of the sort pool, run the same way in a worker thread and in the calling thread: sort an
 * item's raw columns and, for a numeric pair with metric configs, compute those metrics on it.
 */

import type { DriftMetricConfig } from "./config.js";
import { computeDrift, type DriftResult } from "./drift.js";
import { type NumericColumn, numericColumn } from "./sort.js";

/** Raw columns (NaN or null for missing values) and the metrics to compute on [reference, current]. */
export interface SortItem {
  columns: ArrayLike<number | null | undefined>[];
  configs: DriftMetricConfig[];
}

/** The sorted columns of an item, in order, and its metric results (empty without configs). */
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

export function runItem(item: SortItem): SortedItem {
  const columns = item.columns.map((c) => numericColumn(c));
  const [reference, current] = columns;
  if (item.configs.length === 0 || !reference || !current) return { columns, drift: [] };
  const drift = item.configs.map((config) =>
    computeDrift(config, { kind: "numeric", column: reference }, { kind: "numeric", column: current }),
  );
  return { columns, drift };
}
