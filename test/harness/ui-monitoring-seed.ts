/**
 * Monitoring data for the web UI's browser tests: a prediction log written with serving's own writer, hour
 * by hour, ground truth sent through POST /api/v1/monitoring/feedback, and a monitor run over HTTP after
 * each hour, so the stored results form a time series. `distance` drifts in hour 3 and recovers (its alert
 * fires, starts the `retrain` pipeline and resolves); `origin` shifts from hour 4 on (firing at the end).
 * A second deployment, `taxi`, has a prediction log but no monitor.
 */
import { parseMonitor } from "../../src/monitoring/index.js";
import { definePipeline, param } from "../../src/pipelines/index.js";
import { nap } from "../fixtures/pipelines/defs.js";
import { flightRows } from "./monitoring.js";
import { type LogRow, writePredictionLog } from "./prediction-log.js";
import { call } from "./ui-seed.js";

/** Started by the monitor's pipeline action; `deployment` and `monitor` are filled from the alert. */
export const retrain = definePipeline({
  name: "retrain",
  params: { deployment: param.string(""), monitor: param.string("") },
  build: (p) => void p.step(nap),
});

export const flightsMonitor = parseMonitor({
  name: "flights-drift",
  deployment: "flights",
  window: { type: "count", size: 300 },
  reference: { type: "window", first: 600 },
  performance: { task: "classification", minLabels: 20 },
  alert: {
    severity: "warning",
    cooldown: "1s",
    actions: [{ type: "log" }, { type: "pipeline", pipeline: "retrain" }],
  },
});

/** Hour `hour`'s rows; from hour 4 on most flights leave from SFO. */
function hourRows(hour: number): LogRow[] {
  const rows = flightRows("flights", hour, 300, hour === 3 ? 2.5 : 0);
  if (hour < 4) return rows;
  return rows.map((r, i) => ({ ...r, inputs: { ...r.inputs, origin: i % 5 === 0 ? "LAX" : "SFO" } }));
}

/** Labels agree with the prediction except every 5th row (every 2nd in the drifted hour). */
function labels(rows: LogRow[], hour: number) {
  const every = hour === 3 ? 2 : 5;
  return rows.map((r, i) => ({
    request_id: r.requestId,
    row_index: r.rowIndex,
    label: i % every === 0 ? 1 - Number(r.outputs.late) : Number(r.outputs.late),
  }));
}

export interface MonitoringSeed {
  /** The monitor run responses' drifted features, per evaluated hour. */
  drifted: string[][];
}

/** Writes the reference hours, then evaluates hours 2–5 one after another. `root` is the artifact root. */
export async function seedMonitoring(base: string, root: string): Promise<MonitoringSeed> {
  await writePredictionLog(root, [...hourRows(0), ...hourRows(1)]);
  await writePredictionLog(root, [...flightRows("taxi", 0, 200), ...flightRows("taxi", 1, 200, 3)]);
  const drifted: string[][] = [];
  for (const hour of [2, 3, 4, 5]) {
    const rows = hourRows(hour);
    await writePredictionLog(root, rows);
    await call(base, "POST", "/api/v1/monitoring/feedback", {
      deployment: "flights",
      items: labels(rows, hour),
    });
    const run = await call<{ report: { driftedFeatures: string[] } }>(
      base,
      "POST",
      "/api/v1/monitoring/monitors/flights-drift/run",
      {},
    );
    drifted.push(run.report.driftedFeatures);
    // Past the 1 s cooldown, so the next alert's pipeline action runs too.
    await new Promise((r) => setTimeout(r, 1100));
  }
  return { drifted };
}
