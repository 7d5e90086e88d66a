import type { DuckDBMaterializedResult } from "@duckdb/node-api";
import { GyreError } from "../../../core/errors.js";
import type { HeldJoin } from "../../offline-store.js";
import type { FeatureValue } from "../../types.js";
import { ident } from "./pit-sql.js";

/** How a result column reaches JS: as a number, text or boolean; timestamps and dates as ms since the epoch. */
export function jsColumn(c: { name: string; type: string }): string {
  const col = ident(c.name);
  if (c.type.startsWith("TIMESTAMP") || c.type === "DATE") return `epoch_ms(${col})::DOUBLE AS ${col}`;
  if (/INT|DECIMAL|FLOAT|REAL/.test(c.type)) return `${col}::DOUBLE AS ${col}`;
  if (c.type === "DOUBLE" || c.type === "BOOLEAN" || c.type === "VARCHAR") return col;
  return `CAST(${col} AS VARCHAR) AS ${col}`;
}

/**
 * A join result held as a DuckDB materialized result (chunks in DuckDB's memory, in entity order, with
 * `jsColumn` types). `close` drops it; DuckDB frees the chunks when the result is garbage-collected.
 */
export class DuckDbHeldJoin implements HeldJoin {
  readonly rowCount: number;
  readonly schema: Array<{ name: string; type: string }>;
  readonly start: number | null;
  readonly end: number | null;
  readonly joins: string[];
  #result: DuckDBMaterializedResult | null;
  readonly #onClose: () => void;

  constructor(result: DuckDBMaterializedResult, info: Omit<HeldJoin, "rows" | "close">, onClose: () => void) {
    this.#result = result;
    this.#onClose = onClose;
    this.rowCount = info.rowCount;
    this.schema = info.schema;
    this.start = info.start;
    this.end = info.end;
    this.joins = info.joins;
  }

  async *rows(chunkRows: number): AsyncIterable<Array<Record<string, FeatureValue>>> {
    const names = this.schema.map((c) => c.name);
    let batch: Array<Record<string, FeatureValue>> = [];
    for (let i = 0; ; i++) {
      const result = this.#result;
      if (!result)
        throw new GyreError(
          "FEATURES_QUERY_FAILED",
          "These historical features were closed; retrieve them again",
          { field: "rows" },
        );
      if (i >= result.chunkCount) break;
      for (const r of result.getChunk(i).getRowObjects(names)) {
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
    if (!this.#result) return;
    this.#result = null;
    this.#onClose();
  }
}
