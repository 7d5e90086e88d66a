import type { DuckDBConnection } from "@duckdb/node-api";
import { GyreError } from "../../../core/errors.js";
import type { HeldJoin } from "../../offline-store.js";
import type { FeatureValue } from "../../types.js";
import { ident } from "./pit-sql.js";

/** How a column of the held result reaches JS: JSON-safe, timestamps as ms since the epoch. */
function jsColumn(c: { name: string; type: string }): string {
  const col = ident(c.name);
  if (c.type.startsWith("TIMESTAMP") || c.type === "DATE") return `epoch_ms(${col})::DOUBLE AS ${col}`;
  if (/INT|DECIMAL|FLOAT|REAL/.test(c.type)) return `${col}::DOUBLE AS ${col}`;
  if (c.type === "DOUBLE" || c.type === "BOOLEAN" || c.type === "VARCHAR") return col;
  return `CAST(${col} AS VARCHAR) AS ${col}`;
}

/** A join result in the temp table `__result` of its own connection, which `close` releases. */
export class DuckDbHeldJoin implements HeldJoin {
  readonly rowCount: number;
  readonly schema: Array<{ name: string; type: string }>;
  readonly start: number | null;
  readonly end: number | null;
  readonly joins: string[];
  #conn: DuckDBConnection | null;
  readonly #onClose: () => void;

  constructor(conn: DuckDBConnection, info: Omit<HeldJoin, "rows" | "close">, onClose: () => void) {
    this.#conn = conn;
    this.rowCount = info.rowCount;
    this.schema = info.schema;
    this.start = info.start;
    this.end = info.end;
    this.joins = info.joins;
    this.#onClose = onClose;
  }

  async *rows(chunkRows: number): AsyncIterable<Array<Record<string, FeatureValue>>> {
    const conn = this.#conn;
    if (!conn)
      throw new GyreError(
        "FEATURES_QUERY_FAILED",
        "These historical features were closed; retrieve them again",
        {
          field: "rows",
        },
      );
    // A single-table scan keeps the table's insertion order, which is the entity order.
    const result = await conn.stream(`SELECT ${this.schema.map(jsColumn).join(", ")} FROM __result`);
    let batch: Array<Record<string, FeatureValue>> = [];
    for await (const rows of result.yieldRowObjectJson()) {
      for (const r of rows) {
        batch.push(r as Record<string, FeatureValue>);
        if (batch.length >= chunkRows) {
          yield batch;
          batch = [];
        }
      }
    }
    if (batch.length > 0) yield batch;
  }

  async close(): Promise<void> {
    if (!this.#conn) return;
    this.#conn.closeSync();
    this.#conn = null;
    this.#onClose();
  }
}
