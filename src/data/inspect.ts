import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { GyreError } from "../core/errors.js";
import { type ColumnKind, formatOf, ident, kindOf, readerSql } from "./duck.js";
import type { ColumnProfile, ColumnSchema, Expectations, Inspection } from "./types.js";
import { validate } from "./validate.js";

const MLFLOW_TYPES: Record<ColumnKind, string> = {
  integer: "long",
  number: "double",
  timestamp: "datetime",
  boolean: "boolean",
  string: "string",
  other: "binary",
};

function plain(v: unknown): number | string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === "bigint") return Number(v);
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "number" || typeof v === "string") return v;
  return String(v);
}

async function rows(conn: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await conn.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

function profileSql(from: string, schema: ColumnSchema[]): string {
  const parts = ["count(*) AS n"];
  schema.forEach((c, i) => {
    const col = ident(c.name);
    const kind = kindOf(c.type);
    parts.push(`count(*) - count(${col}) AS n${i}`, `approx_count_distinct(${col}) AS d${i}`);
    if (kind === "integer" || kind === "number")
      parts.push(
        `min(${col})::DOUBLE AS lo${i}`,
        `max(${col})::DOUBLE AS hi${i}`,
        `avg(${col})::DOUBLE AS m${i}`,
        `stddev_samp(${col})::DOUBLE AS s${i}`,
      );
    if (kind === "timestamp") parts.push(`min(${col}) AS lo${i}`, `max(${col}) AS hi${i}`);
  });
  return `SELECT ${parts.join(", ")} FROM ${from}`;
}

async function profileOf(conn: DuckDBConnection, from: string, schema: ColumnSchema[]) {
  const agg = (await rows(conn, profileSql(from, schema)))[0]!;
  const total = Number(agg.n);
  const profile: ColumnProfile[] = [];
  for (const [i, c] of schema.entries()) {
    const nulls = Number(agg[`n${i}`]);
    const p: ColumnProfile = {
      name: c.name,
      nulls,
      nullRate: total ? nulls / total : 0,
      distinct: Number(agg[`d${i}`]),
    };
    for (const [key, alias] of [
      ["min", "lo"],
      ["max", "hi"],
      ["mean", "m"],
      ["std", "s"],
    ] as const) {
      const v = plain(agg[`${alias}${i}`]);
      if (v !== undefined) (p as unknown as Record<string, unknown>)[key] = v;
    }
    if (kindOf(c.type) === "string") {
      const top = await rows(
        conn,
        `SELECT ${ident(c.name)} AS v, count(*) AS k FROM ${from} WHERE ${ident(c.name)} IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10`,
      );
      p.top = top.map((r) => ({ value: String(r.v), count: Number(r.k) }));
    }
    profile.push(p);
  }
  return { rows: total, profile };
}

/**
 * Reads a Parquet, CSV or JSON file with DuckDB (nothing is loaded into JS memory beyond the summaries):
 * its schema, per-column statistics and the report of `expectations`. Throws DATA_INVALID when DuckDB
 * cannot read the file.
 */
export async function inspectFile(path: string, expectations: Expectations = {}): Promise<Inspection> {
  const format = formatOf(path);
  const from = readerSql(path);
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  try {
    let described: Record<string, unknown>[];
    try {
      described = await rows(conn, `DESCRIBE SELECT * FROM ${from}`);
    } catch (e) {
      throw new GyreError(
        "DATA_INVALID",
        `DuckDB cannot read '${path}': ${(e as Error).message.split("\n")[0]}`,
        {
          field: "path",
          cause: e,
        },
      );
    }
    const schema = described.map((r) => {
      const type = String(r.column_type);
      return { name: String(r.column_name), type, mlflowType: MLFLOW_TYPES[kindOf(type)] };
    });
    const { rows: n, profile } = await profileOf(conn, from, schema);
    const validation = await validate(conn, from, schema, profile, n, expectations);
    return { format, rows: n, schema, profile, validation };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
