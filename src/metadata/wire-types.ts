/** The native API's JSON forms of tracking types (types only, so the web UI can import them). */
import type { Metric, Run } from "./types.js";

/** A metric as JSON: non-finite doubles travel as strings ("NaN", "Infinity", "-Infinity"). */
export interface WireMetric extends Omit<Metric, "value"> {
  value: number | string;
}

/** A run as JSON: its metrics as WireMetric. */
export type WireRun = Omit<Run, "data"> & { data: Omit<Run["data"], "metrics"> & { metrics: WireMetric[] } };
