import { fromDouble, toDouble } from "../core/json.js";
import type { Metric, Run } from "./types.js";
import type { WireMetric, WireRun } from "./wire-types.js";

export type { WireMetric, WireRun } from "./wire-types.js";

/** The native API's JSON is the TypeScript types as they are, except non-finite doubles travel as strings. */

export function metricToWire(m: Metric): WireMetric {
  return { ...m, value: fromDouble(m.value) };
}

export function metricFromWire(m: WireMetric): Metric {
  return { ...m, value: toDouble(m.value) ?? Number.NaN };
}

export function runToWire(r: Run): WireRun {
  return { ...r, data: { ...r.data, metrics: r.data.metrics.map(metricToWire) } };
}

export function runFromWire(r: WireRun): Run {
  return { ...r, data: { ...r.data, metrics: r.data.metrics.map(metricFromWire) } };
}
