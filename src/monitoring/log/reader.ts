/**
 * Reads windows of the prediction log with DuckDB: typed feature values (numbers as doubles, categories as
 * strings) plus per-feature counts of missing values and type violations, and keys not in the schema.
 */
import { DuckDBInstance } from "@duckdb/node-api";
import type { WindowBounds } from "../windows.js";
import { hasLog, jsonPointer, logTable } from "./layout.js";

/** A feature to read: from the request inputs or the model outputs (prediction drift). */
export interface LogFeature {
  name: string;
  type: "numeric" | "categorical";
  source: "input" | "output";
}

/** One window's values and raw quality counts. `values` holds null for missing or ill-typed entries. */
export interface WindowData {
  rows: number;
  from: number | null;
  to: number | null;
  versions: string[];
  values: Map<string, (number | string | null)[]>;
  missing: Map<string, number>;
  typeErrors: Map<string, number>;
  /** Input keys that are not among the declared input features, with their row counts. */
  unknownKeys: Map<string, number>;
}

type Conn = Awaited<ReturnType<DuckDBInstance["connect"]>>;

/** Column key of a feature in results: inputs by name, outputs as `prediction.<name>`. */
export function featureKey(f: Pick<LogFeature, "name" | "source">): string {
  return f.source === "output" ? `prediction.${f.name}` : f.name;
}

/** A DuckDB session over one log root. Close it when done. */
export class PredictionLogReader {
  private constructor(
    readonly root: string,
    private readonly instance: DuckDBInstance,
    private readonly conn: Conn,
  ) {}

  /** Opens an in-memory DuckDB that reads the Parquet files under `root`. */
  static async open(root: string): Promise<PredictionLogReader> {
    const instance = await DuckDBInstance.create(":memory:", { threads: "2" });
    return new PredictionLogReader(root, instance, await instance.connect());
  }

  /** Served rows logged for `deployment` (0 when it has no log yet), optionally before `to` (epoch ms). */
  async count(deployment: string, to?: number): Promise<number> {
    if (!hasLog(this.root, deployment)) return 0;
    const before = to === undefined ? "" : ` AND ts < epoch_ms(${Math.floor(to)})`;
    const r = await this.conn.runAndReadAll(
      `SELECT count(*)::DOUBLE AS n FROM ${logTable(this.root, deployment)} WHERE ${SERVED}${before}`,
    );
    return Number(r.getColumnsJS()[0]![0]);
  }

  /** Earliest and latest ts of a deployment's served rows (epoch ms), or null when empty. */
  async span(deployment: string): Promise<{ from: number; to: number } | null> {
    if (!hasLog(this.root, deployment)) return null;
    const r = await this.conn.runAndReadAll(
      `SELECT epoch_ms(min(ts))::DOUBLE, epoch_ms(max(ts))::DOUBLE FROM ${logTable(this.root, deployment)} WHERE ${SERVED}`,
    );
    const [from, to] = r.getColumnsJS().map((c) => c[0]);
    return from === null || from === undefined ? null : { from: Number(from), to: Number(to) };
  }

  /** Input/output keys seen in a window with their inferred type (numeric when ≥ 90 % of present values are numbers). */
  async discover(deployment: string, bounds: WindowBounds): Promise<LogFeature[]> {
    if (!hasLog(this.root, deployment)) return [];
    const out: LogFeature[] = [];
    for (const [source, col] of [
      ["input", "inputs"],
      ["output", "outputs"],
    ] as const) {
      const sql = `WITH w AS (${windowSql(this.root, deployment, bounds)}),
        k AS (SELECT unnest(json_keys(${col})) AS key, ${col} AS doc FROM w)
        SELECT key, avg(CASE WHEN t IN ('BIGINT', 'UBIGINT', 'DOUBLE', 'ARRAY') THEN 1 ELSE 0 END) FILTER (WHERE t <> 'NULL') >= 0.9
        FROM (SELECT key, json_type(doc, '/' || replace(replace(key, '~', '~0'), '/', '~1')) AS t FROM k)
        GROUP BY key ORDER BY key`;
      const [keys, numeric] = (await this.conn.runAndReadAll(sql)).getColumnsJS();
      keys?.forEach((key, i) => {
        out.push({ name: String(key), type: numeric![i] ? "numeric" : "categorical", source });
      });
    }
    return out;
  }

  /** Reads `features` over the window; `declaredInputs` (when known) decides which input keys are unknown. */
  async read(
    deployment: string,
    bounds: WindowBounds,
    features: LogFeature[],
    declaredInputs?: string[],
  ): Promise<WindowData> {
    const empty: WindowData = {
      rows: 0,
      from: null,
      to: null,
      versions: [],
      values: new Map(features.map((f) => [featureKey(f), []])),
      missing: new Map(features.map((f) => [featureKey(f), 0])),
      typeErrors: new Map(features.map((f) => [featureKey(f), 0])),
      unknownKeys: new Map(),
    };
    if (!hasLog(this.root, deployment)) return empty;
    const w = windowSql(this.root, deployment, bounds);
    const data = await this.conn.runAndReadAll(
      `WITH w AS (${w}) SELECT epoch_ms(ts)::DOUBLE AS ts, version${features.map((f, i) => `, ${extract(f)} AS v${i}`).join("")} FROM w`,
    );
    const cols = data.getColumnsJS();
    const ts = (cols[0] ?? []) as number[];
    if (ts.length === 0) return empty;
    const out: WindowData = { ...empty, rows: ts.length, from: Math.min(...ts), to: Math.max(...ts) };
    out.versions = [...new Set((cols[1] ?? []).map(String))].sort();
    features.forEach((f, i) => {
      out.values.set(featureKey(f), cols[i + 2] as (number | string | null)[]);
    });
    await this.quality(w, features, out);
    if (declaredInputs) out.unknownKeys = await this.unknown(w, declaredInputs);
    return out;
  }

  private async quality(w: string, features: LogFeature[], out: WindowData): Promise<void> {
    if (features.length === 0) return;
    const parts = features.map((f, i) => {
      const col = f.source === "output" ? "outputs" : "inputs";
      const t = `json_type(${col}, ${jsonPointer(f.name)})`;
      return `count(*) FILTER (WHERE ${t} IS NULL OR ${t} = 'NULL')::DOUBLE AS m${i},
        count(*) FILTER (WHERE ${t} IS NOT NULL AND ${t} <> 'NULL' AND ${extract(f)} IS NULL)::DOUBLE AS t${i}`;
    });
    const r = (
      await this.conn.runAndReadAll(`WITH w AS (${w}) SELECT ${parts.join(", ")} FROM w`)
    ).getColumnsJS();
    features.forEach((f, i) => {
      out.missing.set(featureKey(f), Number(r[2 * i]![0]));
      out.typeErrors.set(featureKey(f), Number(r[2 * i + 1]![0]));
    });
  }

  private async unknown(w: string, declared: string[]): Promise<Map<string, number>> {
    const list =
      declared.length === 0 ? "NULL" : declared.map((d) => `'${d.replaceAll("'", "''")}'`).join(", ");
    const r = await this.conn.runAndReadAll(
      `WITH w AS (${w}), k AS (SELECT unnest(json_keys(inputs)) AS key FROM w)
       SELECT key, count(*)::DOUBLE FROM k WHERE key NOT IN (${list}) GROUP BY key ORDER BY key`,
    );
    const [keys, counts] = r.getColumnsJS();
    return new Map((keys ?? []).map((k, i) => [String(k), Number(counts![i])]));
  }

  /** Runs a read-only SQL query over a `w` CTE of the window; for the feedback join and reports. */
  async query(
    deployment: string,
    bounds: WindowBounds,
    select: string,
    options: { shadow?: boolean } = {},
  ): Promise<Record<string, unknown>[]> {
    if (!hasLog(this.root, deployment)) return [];
    const r = await this.conn.runAndReadAll(
      `WITH w AS (${windowSql(this.root, deployment, bounds, options.shadow)}) ${select}`,
    );
    return r.getRowObjectsJS() as Record<string, unknown>[];
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

/** Numbers as doubles (a one-element array counts as its element), categories as strings; else NULL. */
function extract(f: LogFeature): string {
  const col = f.source === "output" ? "outputs" : "inputs";
  const p = jsonPointer(f.name);
  if (f.type === "categorical") {
    return `CASE WHEN json_type(${col}, ${p}) IN ('OBJECT', 'ARRAY') THEN NULL ELSE json_extract_string(${col}, ${p}) END`;
  }
  const t = `json_type(${col}, ${p})`;
  const single = `CASE WHEN ${t} = 'ARRAY' AND json_array_length(${col}, ${p}) = 1 THEN json_extract_string(${col}, ${jsonPointer(f.name, "/0")}) END`;
  const scalar = `CASE WHEN ${t} IN ('BIGINT', 'UBIGINT', 'DOUBLE', 'VARCHAR') THEN json_extract_string(${col}, ${p}) END`;
  return `TRY_CAST(COALESCE(${single}, ${scalar}) AS DOUBLE)`;
}

/**
 * Rows a deployment answered with. Shadow rows (a mirrored copy's answers, never returned) share the served
 * rows' request ids and inputs: counted in, they would double the mirrored requests in drift windows and could
 * stand in for the served prediction when labels are joined by request id.
 */
const SERVED = "NOT coalesce(shadow, false)";

/** One window of served rows; with `shadow`, the shadow rows of the same time range too (count windows count served rows only). */
function windowSql(root: string, deployment: string, bounds: WindowBounds, shadow = false): string {
  const table = logTable(root, deployment);
  if (bounds.kind === "time") {
    const served = shadow ? "" : `${SERVED} AND `;
    return `SELECT * FROM ${table} WHERE ${served}ts >= epoch_ms(${Math.floor(bounds.from)}) AND ts < epoch_ms(${Math.floor(bounds.to)})`;
  }
  const rows = `SELECT * FROM ${table} WHERE ${SERVED} ORDER BY ts, request_id, row_index LIMIT ${bounds.limit} OFFSET ${bounds.offset}`;
  if (!shadow) return rows;
  // The shadow rows mirrored from the window's served requests.
  return `WITH s AS (${rows}) SELECT * FROM s UNION ALL BY NAME SELECT * FROM ${table} WHERE coalesce(shadow, false) AND request_id IN (SELECT request_id FROM s)`;
}
