import { fromDouble, toDouble } from "../core/json.js";
import type { Metric, Run } from "./types.js";

/** The native API's JSON is the TypeScript types as they are, except non-finite doubles travel as strings. */

export interface WireMetric extends Omit<Metric, "value"> {
  value: number | string;
}

export function metricToWire(m: Metric): WireMetric {
  return { ...m, value: fromDouble(m.value) };
}

export function metricFromWire(m: WireMetric): Metric {
  return { ...m, value: toDouble(m.value) ?? Number.NaN };
}

export function runToWire(
  r: Run,
): Omit<Run, "data"> & { data: Omit<Run["data"], "metrics"> & { metrics: WireMetric[] } } {
  return { ...r, data: { ...r.data, metrics: r.data.metrics.map(metricToWire) } };
}

export function runFromWire(r: ReturnType<typeof runToWire>): Run {
  return { ...r, data: { ...r.data, metrics: r.data.metrics.map(metricFromWire) } };
}
