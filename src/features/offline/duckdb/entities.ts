import type { DuckDBAppender, DuckDBConnection } from "@duckdb/node-api";
import { DuckDBTimestampValue } from "@duckdb/node-api";
import type { OfflineEntities } from "../../offline-store.js";
import { ident, lit } from "./pit-sql.js";

type ColumnType = Extract<OfflineEntities, { rows: unknown }>["columns"][number]["type"];

const SQL: Record<ColumnType, string> = {
  string: "VARCHAR",
  int: "BIGINT",
  float: "DOUBLE",
  bool: "BOOLEAN",
  timestamp: "TIMESTAMP",
};

function toMs(v: unknown): number {
  return v instanceof Date ? v.getTime() : typeof v === "number" ? v : Date.parse(String(v));
}

function append(app: DuckDBAppender, type: ColumnType, v: unknown): void {
  if (v === null || v === undefined) app.appendNull();
  else if (type === "string") app.appendVarchar(String(v));
  else if (type === "int") app.appendBigInt(BigInt(v as number));
  else if (type === "float") app.appendDouble(Number(v));
  else if (type === "bool") app.appendBoolean(Boolean(v));
  else app.appendTimestamp(new DuckDBTimestampValue(BigInt(Math.round(toMs(v) * 1000))));
}

async function appendRows(conn: DuckDBConnection, entities: Extract<OfflineEntities, { rows: unknown }>) {
  const cols = entities.columns.map((c) => `${ident(c.name)} ${SQL[c.type]}`);
  await conn.run(`CREATE TEMP TABLE __entities_in (__row BIGINT, ${cols.join(", ")})`);
  const app = await conn.createAppender("__entities_in", "main", "temp");
  entities.rows.forEach((row, i) => {
    app.appendBigInt(BigInt(i));
    for (const c of entities.columns) append(app, c.type, row[c.name]);
    app.endRow();
  });
  app.closeSync();
  return "SELECT * FROM __entities_in";
}

/**
 * Creates the connection's temp relation `__entities`: the entity rows with `__row` (their position, which
 * orders the output) and the timestamp column cast to TIMESTAMP (UTC). A Parquet file stays where it is (a
 * view: DuckDB reads it in parallel at each use); rows and SQL results are materialized once.
 */
export async function loadEntities(
  conn: DuckDBConnection,
  entities: OfflineEntities,
  ts: string,
): Promise<void> {
  let source: string;
  if ("rows" in entities) source = await appendRows(conn, entities);
  else if ("parquet" in entities)
    source = `SELECT file_row_number AS __row, * EXCLUDE (file_row_number) FROM read_parquet(${lit(entities.parquet)}, file_row_number = true)`;
  else source = `SELECT row_number() OVER () - 1 AS __row, * FROM (${entities.sql})`;
  const kind = "parquet" in entities ? "VIEW" : "TABLE";
  await conn.run(
    `CREATE TEMP ${kind} __entities AS SELECT * REPLACE (CAST(${ident(ts)} AS TIMESTAMP) AS ${ident(ts)}) FROM (${source})`,
  );
}
