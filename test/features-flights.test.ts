import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { features } from "../examples/flights-features/features.js";
import type { FeatureStore } from "../src/features/index.js";
import { openFeatureStore } from "../src/features/index.js";
import { tempDir } from "./harness/stores.js";

const EXAMPLE = join(import.meta.dirname, "..", "examples", "flights-features");
const FLIGHTS = join(
  import.meta.dirname,
  "..",
  "node_modules",
  "vega-datasets",
  "data",
  "flights-3m.parquet",
);
const SAMPLE = `SELECT origin, date AS event_timestamp, delay FROM read_parquet('${FLIGHTS}')
  WHERE origin IN ('ATL', 'SFO', 'BOS') AND date >= TIMESTAMP '2001-03-05' AND date < TIMESTAMP '2001-03-08'
    AND (hour(date) * 60 + minute(date)) % 97 = 0`;

describe("the flights example: airport rolling delay features", () => {
  let fs: FeatureStore;
  let artifactsDir: string;

  beforeAll(async () => {
    const dir = tempDir("gyre-flights-features-");
    artifactsDir = join(dir, "artifacts");
    fs = await openFeatureStore(
      {
        store: `sqlite://${join(dir, "gyre.db")}`,
        artifacts: `file://${artifactsDir}`,
        onlineStore: `sqlite://${join(dir, "online.db")}`,
      },
      { projectDir: EXAMPLE, threads: 2 },
    );
    await fs.register(features).apply();
  });
  afterAll(() => fs.close());

  it("builds a leakage-free training set: each row's features use only flights of earlier days", async () => {
    const set = await fs.getHistoricalFeatures({ entities: { sql: SAMPLE }, featureService: "delay_model" });
    expect(set.rowCount).toBeGreaterThan(30);
    const db = await DuckDBInstance.create(":memory:");
    const c = await db.connect();
    // The reference recomputes each row's 1- and 7-day figures from the raw flights strictly before its day.
    const rows = (
      await c.runAndReadAll(`
        WITH ts AS (SELECT *, file_row_number AS i FROM read_parquet('${join(artifactsDir, set.dataPath)}', file_row_number = true)),
        ref AS (
          SELECT ts.i,
            avg(f.delay) FILTER (WHERE f.date >= date_trunc('day', ts.event_timestamp) - INTERVAL 7 DAY) AS avg7,
            avg(CASE WHEN f.delay > 15 THEN 1.0 ELSE 0.0 END) FILTER (WHERE f.date >= date_trunc('day', ts.event_timestamp) - INTERVAL 7 DAY) AS share7,
            avg(f.delay) FILTER (WHERE f.date >= date_trunc('day', ts.event_timestamp) - INTERVAL 1 DAY) AS avg1
          FROM ts JOIN read_parquet('${FLIGHTS}') f ON f.origin = ts.origin
            AND f.date < date_trunc('day', ts.event_timestamp) AND f.date >= date_trunc('day', ts.event_timestamp) - INTERVAL 7 DAY
          GROUP BY ts.i)
        SELECT ts.i, ts.avg_delay_7d, ref.avg7, ts.share_delayed_7d, ref.share7, ts.avg_delay_1d, ref.avg1
        FROM ts JOIN ref USING (i) ORDER BY ts.i`)
    ).getRows() as Array<Array<number | null>>;
    c.closeSync();
    db.closeSync();
    expect(rows.length).toBe(set.rowCount);
    for (const [i, avg7, ref7, share7, refShare7, avg1, ref1] of rows) {
      expect(avg7, `row ${i}`).toBeCloseTo(ref7 as number, 9);
      expect(share7, `row ${i}`).toBeCloseTo(refShare7 as number, 9);
      expect(avg1, `row ${i}`).toBeCloseTo(ref1 as number, 9);
    }
  });
});
