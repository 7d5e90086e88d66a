/** Point-in-time join figures for bench/features.ts: gyre (DuckDB) against pandas merge_asof on the same data. */
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import {
  defineEntity,
  defineFeatureService,
  defineFeatureView,
  defineSource,
  type FeatureDefinition,
  type FeatureStore,
  type FeatureType,
} from "../src/features/index.js";

export const PYTHON = "/usr/bin/python3";
const PEER = new URL("./features-pandas.py", import.meta.url).pathname;
/** Runs of the flights join on each side; the fastest counts. */
const FLIGHTS_REPEATS = 3;

/** Synthetic sizes; the same integer formulas generate the data in DuckDB (Parquet) and in numpy. */
export interface Synthetic {
  featureRows: number;
  entities: number;
  entityRows: number;
  ttlSeconds: number;
  spanSeconds: number;
  /** Epoch seconds of the first event. */
  t0: number;
}

export type Checksums = { rows: number } & Record<
  string,
  { nulls: number; sum: number; weighted: number } | number
>;

export interface JoinResult {
  gyreSeconds: number;
  /** Every timed gyre run, s, when the best of several counts. */
  gyreRuns?: number[];
  rows: number;
  pandasSeconds: number | null;
  pandasSkipped?: string;
  identical: boolean | null;
  mismatch?: string;
  /** The pandas peer's checksums, to check other gyre results against. */
  peerChecksums?: Checksums;
}

/** Writes the synthetic feature rows and entity rows as Parquet with DuckDB (not JS). */
export async function generateSynthetic(dir: string, s: Synthetic): Promise<void> {
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  await c.run(`COPY (SELECT i % ${s.entities} AS entity_id,
      make_timestamp((${s.t0} + (i * 2654435761) % ${s.spanSeconds}) * 1000000) AS ts,
      make_timestamp((${s.t0} + (i * 2654435761) % ${s.spanSeconds} + (i * 40503) % 3600) * 1000000) AS created,
      CASE WHEN i % 97 = 0 THEN NULL ELSE ((i * 48271) % 100000) / 100.0 END AS f_float,
      (i * 69621) % 1000 AS f_int
    FROM range(${s.featureRows}) t(i)) TO '${join(dir, "features.parquet")}' (FORMAT parquet)`);
  await c.run(`COPY (SELECT (j * 7919) % ${s.entities} AS entity_id,
      make_timestamp((${s.t0} + (j * 2246822519) % ${s.spanSeconds}) * 1000000) AS ts
    FROM range(${s.entityRows}) t(j) ORDER BY j) TO '${join(dir, "entities.parquet")}' (FORMAT parquet)`);
  c.closeSync();
  db.closeSync();
}

export function syntheticDefinitions(s: Synthetic): FeatureDefinition[] {
  return [
    defineEntity({ name: "item", joinKeys: { entity_id: "int" } }),
    defineSource({ name: "synthetic", path: "features.parquet" }),
    defineFeatureView({
      name: "synthetic_view",
      entity: "item",
      source: "synthetic",
      timestampField: "ts",
      createdTimestampField: "created",
      ttl: s.ttlSeconds,
      features: { f_float: "float", f_int: "int" },
    }),
  ];
}

/** The same checksums as the pandas peer computes, over a training set's Parquet file. */
export async function parquetChecksums(file: string, columns: string[]): Promise<Checksums> {
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  const parts = columns.map(
    (col) =>
      `count(*) FILTER (WHERE "${col}" IS NULL)::DOUBLE, coalesce(sum("${col}"::DOUBLE), 0), coalesce(sum("${col}"::DOUBLE * (file_row_number + 1)), 0)`,
  );
  const row = (
    await c.runAndReadAll(
      `SELECT count(*)::DOUBLE, ${parts.join(", ")} FROM read_parquet('${file}', file_row_number = true)`,
    )
  ).getRowsJson()[0] as number[];
  c.closeSync();
  db.closeSync();
  const out: Checksums = { rows: row[0]! };
  columns.forEach((col, i) => {
    out[col] = { nulls: row[1 + 3 * i]!, sum: row[2 + 3 * i]!, weighted: row[3 + 3 * i]! };
  });
  return out;
}

/** Equal row counts and null counts, sums equal to 1e-9 relative (summation order differs). */
export function compareChecksums(a: Checksums, b: Checksums): string | null {
  if (a.rows !== b.rows) return `rows ${a.rows} vs ${b.rows}`;
  for (const [k, v] of Object.entries(a)) {
    if (k === "rows" || typeof v === "number") continue;
    const w = b[k] as { nulls: number; sum: number; weighted: number } | undefined;
    if (!w) return `column ${k} missing`;
    if (v.nulls !== w.nulls) return `${k}: ${v.nulls} vs ${w.nulls} nulls`;
    for (const f of ["sum", "weighted"] as const)
      if (Math.abs(v[f] - w[f]) > 1e-9 * Math.max(1, Math.abs(v[f]))) return `${k}: ${f} ${v[f]} vs ${w[f]}`;
  }
  return null;
}

/** Runs the pandas peer; null with the reason when Debian's python3-pandas is missing. */
export function runPandas(args: string[]): { seconds: number; checksums: Checksums } | { skipped: string } {
  if (!existsSync(PYTHON)) return { skipped: `${PYTHON} not found` };
  const probe = spawnSync(PYTHON, ["-c", "import pandas"], { encoding: "utf8" });
  if (probe.status !== 0) return { skipped: "pandas is not installed (apt-get install -y python3-pandas)" };
  const r = spawnSync(PYTHON, [PEER, ...args], { encoding: "utf8", maxBuffer: 16 << 20 });
  if (r.status !== 0) throw new Error(`pandas peer failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as { seconds: number; checksums: Checksums };
}

/** Times gyre's training-set build (join + Parquet + artifact store) and the pandas peer; checks both agree. */
export async function syntheticJoin(
  fs: FeatureStore,
  dir: string,
  artifactsDir: string,
  s: Synthetic,
): Promise<JoinResult> {
  const t0 = performance.now();
  const set = await fs.getHistoricalFeatures({
    entities: { parquet: join(dir, "entities.parquet") },
    timestampColumn: "ts",
    features: ["synthetic_view:f_float", "synthetic_view:f_int"],
  });
  const gyreSeconds = (performance.now() - t0) / 1000;
  const ours = await parquetChecksums(join(artifactsDir, set.dataPath), ["f_float", "f_int"]);
  const peer = runPandas(["synthetic", JSON.stringify(s)]);
  if ("skipped" in peer)
    return {
      gyreSeconds,
      rows: set.rowCount,
      pandasSeconds: null,
      pandasSkipped: peer.skipped,
      identical: null,
    };
  const mismatch = compareChecksums(ours, peer.checksums);
  return {
    gyreSeconds,
    rows: set.rowCount,
    pandasSeconds: peer.seconds,
    identical: mismatch === null,
    ...(mismatch ? { mismatch } : {}),
  };
}

/** The flights example's training set, end to end: DuckDB computes the rolling features from 3M flights, then joins. */
export async function flightsEndToEnd(fs: FeatureStore, artifactsDir: string, flightsFile: string) {
  const t0 = performance.now();
  const set = await fs.getHistoricalFeatures({
    entities: {
      sql: `SELECT origin, date AS event_timestamp FROM read_parquet('${flightsFile}') WHERE date >= TIMESTAMP '2001-02-01'`,
    },
    featureService: "delay_model",
  });
  return {
    seconds: (performance.now() - t0) / 1000,
    file: join(artifactsDir, set.dataPath),
    rows: set.rowCount,
  };
}

/**
 * The same join as pandas does: from the entity rows and each view's rows as files (Parquet for gyre, CSV for
 * pandas, which has no Parquet reader here), written by `exportFlights`. Times gyre's training-set build.
 */
export async function flightsJoin(fs: FeatureStore, dir: string, artifactsDir: string): Promise<JoinResult> {
  // Best of FLIGHTS_REPEATS for both sides: the machine is shared, and one slow run says little.
  const runs: number[] = [];
  let set: Awaited<ReturnType<FeatureStore["getHistoricalFeatures"]>> | null = null;
  for (let i = 0; i < FLIGHTS_REPEATS; i++) {
    const t0 = performance.now();
    set = await fs.getHistoricalFeatures({
      entities: { parquet: join(dir, "entities.parquet") },
      featureService: "delay_model",
    });
    runs.push((performance.now() - t0) / 1000);
  }
  const gyreSeconds = Math.min(...runs);
  const ours = await parquetChecksums(
    join(artifactsDir, set!.dataPath),
    set!.views.flatMap((v) => v.features),
  );
  const peer = runPandas(["flights", dir, String(FLIGHTS_REPEATS)]);
  if ("skipped" in peer)
    return {
      gyreSeconds,
      gyreRuns: runs,
      rows: set!.rowCount,
      pandasSeconds: null,
      pandasSkipped: peer.skipped,
      identical: null,
    };
  const mismatch = compareChecksums(ours, peer.checksums);
  return {
    gyreSeconds,
    gyreRuns: runs,
    rows: set!.rowCount,
    pandasSeconds: peer.seconds,
    identical: mismatch === null,
    ...(mismatch ? { mismatch } : {}),
    peerChecksums: peer.checksums,
  };
}

/**
 * Writes the inputs of the plain join: the entity rows of the end-to-end training set (in its order) and each
 * example view's rows, as Parquet and CSV; returns definitions of the same views over those files.
 */
export async function exportFlights(
  example: FeatureStore,
  trainingSet: string,
  dir: string,
): Promise<FeatureDefinition[]> {
  const { definitions } = await example.list();
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  const sources = definitions.filter((x) => x.kind === "source");
  sources.sort((a, b) => Number("query" in a.spec) - Number("query" in b.spec));
  for (const d of sources) {
    const spec = d.spec as { path?: string; query?: string };
    const body =
      spec.query ??
      `SELECT * FROM read_parquet('${new URL(`../examples/flights-features/${spec.path}`, import.meta.url).pathname}')`;
    await c.run(`CREATE VIEW "${d.name}" AS ${body}`);
  }
  await c.run(
    `CREATE TABLE ents AS SELECT origin, event_timestamp FROM read_parquet('${trainingSet}', file_row_number = true) ORDER BY file_row_number`,
  );
  await c.run(`COPY ents TO '${join(dir, "entities.parquet")}' (FORMAT parquet)`);
  await c.run(
    `COPY (SELECT origin, epoch_ms(event_timestamp) AS ts FROM ents) TO '${join(dir, "entities.csv")}' (HEADER)`,
  );
  const views = definitions.filter((x) => x.kind === "featureView");
  const defs: FeatureDefinition[] = [defineEntity({ name: "airport", joinKeys: { origin: "string" } })];
  for (const v of views) {
    const spec = v.spec as {
      sql: string;
      features: Record<string, FeatureType>;
      timestampField: string;
      ttlSeconds: number;
    };
    const feats = Object.keys(spec.features)
      .map((f) => `"${f}"`)
      .join(", ");
    await c.run(
      `CREATE TABLE "${v.name}" AS SELECT origin, "${spec.timestampField}" AS ts, ${feats} FROM (${spec.sql})`,
    );
    await c.run(`COPY "${v.name}" TO '${join(dir, `${v.name}.parquet`)}' (FORMAT parquet)`);
    await c.run(
      `COPY (SELECT * REPLACE (epoch_ms(ts) AS ts) FROM "${v.name}") TO '${join(dir, `${v.name}.csv`)}' (HEADER)`,
    );
    defs.push(
      defineSource({ name: `${v.name}_rows`, path: `${v.name}.parquet` }),
      defineFeatureView({
        name: v.name,
        entity: "airport",
        source: `${v.name}_rows`,
        timestampField: "ts",
        ttl: spec.ttlSeconds,
        features: spec.features,
      }),
    );
  }
  defs.push(defineFeatureService({ name: "delay_model", features: views.map((v) => v.name) }));
  const meta = views.map((v) => ({
    name: v.name,
    ttlSeconds: (v.spec as { ttlSeconds: number }).ttlSeconds,
    features: Object.keys((v.spec as { features: object }).features).sort(),
  }));
  writeFileSync(join(dir, "views.json"), JSON.stringify(meta));
  c.closeSync();
  db.closeSync();
  return defs;
}
