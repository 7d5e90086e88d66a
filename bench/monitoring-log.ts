/**
 * Prediction-log figures for bench/monitoring.ts: rows/s written as Parquet in the serving contract's layout
 * (serving's Parquet writer through test/harness/prediction-log.ts: 10,000-row flushes) and rows/s the
 * monitor reads back and evaluates (DuckDB window query + drift + data quality over 4 features).
 */
import { evaluateWindow, PredictionLogReader } from "../src/monitoring/index.js";
import { flightRows, HOUR, T0 } from "../test/harness/monitoring.js";
import { writePredictionLog } from "../test/harness/prediction-log.js";
import { type Figure, figure } from "./report.js";

const FLUSH = 10_000;

export async function benchLog(dir: string, rows: number, log: (m: string) => void): Promise<Figure[]> {
  const hours = 4;
  const perHour = Math.ceil(rows / hours);
  const all = Array.from({ length: hours }, (_, h) =>
    flightRows("bench", h, perHour, h === hours - 1 ? 1 : 0),
  ).flat();
  log(`prediction log: writing ${all.length} rows in ${FLUSH}-row flushes`);
  const t0 = performance.now();
  for (let i = 0; i < all.length; i += FLUSH) await writePredictionLog(dir, all.slice(i, i + FLUSH));
  const writeRate = all.length / ((performance.now() - t0) / 1000);
  const reader = await PredictionLogReader.open(dir);
  try {
    log("prediction log: evaluating the last hour against the first two");
    const t1 = performance.now();
    const report = await evaluateWindow(reader, async () => null, {
      deployment: "bench",
      window: { type: "time", size: "1h" },
      reference: { type: "window", from: T0, to: T0 + 2 * HOUR },
      now: T0 + hours * HOUR,
    });
    const seconds = (performance.now() - t1) / 1000;
    const read = report.window.rows + report.reference.rows;
    const detail = {
      rows: all.length,
      windowRows: report.window.rows,
      referenceRows: report.reference.rows,
      drifted: report.driftedFeatures,
    };
    return [
      figure({
        backend: "duckdb",
        name: "prediction log write (Parquet, 10k-row flushes)",
        unit: "rows/s",
        value: writeRate,
        target: null,
        better: "higher",
        detail,
      }),
      figure({
        backend: "duckdb",
        name: "window evaluation: read + drift + quality, 4 features",
        unit: "rows/s",
        value: read / seconds,
        target: null,
        better: "higher",
        detail,
      }),
    ];
  } finally {
    reader.close();
  }
}
