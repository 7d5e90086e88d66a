/**
 * What bounds the flights point-in-time figure, for bench/features.ts: the same join held in memory (what
 * pandas produces), the training set with the ASOF plan for every view (gyre's plan before the interval
 * index), and the cost of the Parquet output alone.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import type { FeatureStore } from "../src/features/index.js";
import type { Checksums } from "./features-offline.js";

/** Fastest of `n` timed runs of `fn`, in seconds, with every run. */
export async function bestOf(
  n: number,
  fn: () => Promise<unknown>,
): Promise<{ best: number; runs: number[] }> {
  const runs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    runs.push((performance.now() - t0) / 1000);
  }
  return { best: Math.min(...runs), runs };
}

/** The flights training set built by `fs` (opened with another join plan) from the exported entity rows. */
export function flightsTrainingSet(fs: FeatureStore, dir: string, n: number) {
  return bestOf(n, () =>
    fs.getHistoricalFeatures({
      entities: { parquet: join(dir, "entities.parquet") },
      featureService: "delay_model",
    }),
  );
}

/**
 * Writing a training set's rows (already in DuckDB memory) as Parquet with the options gyre uses: the floor
 * of any join that ends in a Parquet file.
 */
export async function parquetWriteFloor(file: string, n: number) {
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  const dir = mkdtempSync(join(tmpdir(), "gyre-parquet-floor-"));
  try {
    await c.run(`CREATE TABLE t AS SELECT * FROM read_parquet('${file}')`);
    return await bestOf(n, () =>
      c.run(`COPY t TO '${join(dir, "out.parquet")}' (FORMAT parquet, COMPRESSION zstd)`),
    );
  } finally {
    c.closeSync();
    db.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The flights join held in memory (`retrieveHistoricalFeatures`): like pandas, it ends with the joined rows in
 * memory and writes nothing. Times the fastest of `n`; checksums of the last result's rows (read in JS,
 * untimed) for the identical-results check.
 */
export async function flightsInMemory(fs: FeatureStore, dir: string, n: number, columns: string[]) {
  const req = { entities: { parquet: join(dir, "entities.parquet") }, featureService: "delay_model" };
  const timed = await bestOf(n, async () => (await fs.retrieveHistoricalFeatures(req)).close());
  const held = await fs.retrieveHistoricalFeatures(req);
  const sums = Object.fromEntries(columns.map((c) => [c, { nulls: 0, sum: 0, weighted: 0 }]));
  let row = 0;
  try {
    for await (const chunk of held.rows(50_000))
      for (const r of chunk) {
        row++;
        for (const c of columns) {
          const v = r[c];
          if (v === null || v === undefined) sums[c]!.nulls++;
          else {
            sums[c]!.sum += Number(v);
            sums[c]!.weighted += Number(v) * row;
          }
        }
      }
  } finally {
    await held.close();
  }
  return { ...timed, checksums: { rows: row, ...sums } as Checksums };
}
