import { extname } from "node:path";
import { GyreError } from "../core/errors.js";
import type { Inspection } from "./types.js";

/** A quoted DuckDB identifier. */
export const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
/** A quoted DuckDB string literal. */
export const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** The file format of a data file by its extension. Throws DATA_INVALID for anything else. */
export function formatOf(path: string): Inspection["format"] {
  const ext = extname(path).toLowerCase();
  if (ext === ".parquet") return "parquet";
  if (ext === ".csv" || ext === ".tsv") return "csv";
  if (ext === ".json" || ext === ".jsonl" || ext === ".ndjson") return "json";
  throw new GyreError("DATA_INVALID", `Cannot read '${path}': use a .parquet, .csv or .json/.jsonl file`, {
    field: "path",
  });
}

/** The DuckDB table function that reads `path`. */
export function readerSql(path: string): string {
  const fn = { parquet: "read_parquet", csv: "read_csv_auto", json: "read_json_auto" }[formatOf(path)];
  return `${fn}(${literal(path)})`;
}

export type ColumnKind = "number" | "integer" | "timestamp" | "boolean" | "string" | "other";

/** The kind of a DuckDB type, as expectations name them. */
export function kindOf(type: string): ColumnKind {
  const t = type.toUpperCase();
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/.test(t))
    return "integer";
  if (/^(FLOAT|DOUBLE|REAL|DECIMAL)/.test(t)) return "number";
  if (/^(DATE|TIMESTAMP|TIME)/.test(t)) return "timestamp";
  if (t === "BOOLEAN") return "boolean";
  if (t === "VARCHAR" || t.startsWith("ENUM")) return "string";
  return "other";
}
