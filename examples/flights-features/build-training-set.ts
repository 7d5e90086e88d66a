/**
 * Builds the leakage-free training set for the delay model: every flight from February on is an entity row
 * (origin, departure time, label = delayed > 15 min) joined point-in-time with the airport features.
 * Run from this folder after `gyre features apply`: `npx tsx build-training-set.ts`.
 */
import { loadConfig } from "../../src/core/index.js";
import { openFeatureStore } from "../../src/features/index.js";

const FLIGHTS = new URL("../../node_modules/vega-datasets/data/flights-3m.parquet", import.meta.url).pathname;

const config = await loadConfig();
const fs = await openFeatureStore(config, { projectDir: import.meta.dirname });
try {
  const started = performance.now();
  const set = await fs.getHistoricalFeatures({
    entities: {
      sql: `SELECT origin, date AS event_timestamp, hour(date) AS dep_hour, delay > 15 AS delayed
            FROM read_parquet('${FLIGHTS}') WHERE date >= TIMESTAMP '2001-02-01'`,
    },
    featureService: "delay_model",
    name: "flights-delay-training",
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  process.stdout.write(`${set.rowCount} rows in ${seconds} s → ${config.artifacts}/${set.dataPath}\n`);
  process.stdout.write(`${JSON.stringify({ views: set.views, timeRange: set.timeRange }, null, 2)}\n`);
} finally {
  await fs.close();
}
