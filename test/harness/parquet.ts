import { DuckDBInstance } from "@duckdb/node-api";

type Cell = string | number | boolean | null;

function literal(v: Cell): string {
  if (v === null) return "NULL";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "NULL";
  if (typeof v === "boolean") return v ? "TRUE" : "FALSE";
  return `'${v.replace(/'/g, "''")}'`;
}

/**
 * Writes `rows` as a Parquet file with DuckDB. `columns` maps names to DuckDB types; values of TIMESTAMP
 * columns are ms since the epoch.
 */
export async function writeParquet(
  path: string,
  columns: Record<string, string>,
  rows: Array<Record<string, Cell>>,
) {
  const inst = await DuckDBInstance.create(":memory:");
  const conn = await inst.connect();
  const names = Object.keys(columns);
  const cast = (n: string, v: Cell) =>
    columns[n] === "TIMESTAMP" && v !== null
      ? `make_timestamp(${Math.round(Number(v) * 1000)})`
      : `CAST(${literal(v)} AS ${columns[n]})`;
  const defs = names.map((n) => `"${n}" ${columns[n]}`).join(", ");
  await conn.run(`CREATE TABLE t (${defs})`);
  for (let i = 0; i < rows.length; i += 500) {
    const values = rows
      .slice(i, i + 500)
      .map((r) => `(${names.map((n) => cast(n, r[n] ?? null)).join(", ")})`);
    await conn.run(`INSERT INTO t VALUES ${values.join(", ")}`);
  }
  await conn.run(`COPY t TO '${path}' (FORMAT parquet)`);
  conn.closeSync();
  inst.closeSync();
}

/** Every row of a Parquet file as JSON-able objects (timestamps as ms since the epoch). */
export async function readParquet(path: string): Promise<Array<Record<string, Cell>>> {
  const inst = await DuckDBInstance.create(":memory:");
  const conn = await inst.connect();
  const cols = (
    await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${path}')`)
  ).getRowObjectsJson();
  const select = cols.map((c) => {
    const n = `"${String(c.column_name)}"`;
    const t = String(c.column_type);
    if (t.startsWith("TIMESTAMP")) return `epoch_ms(${n})::DOUBLE AS ${n}`;
    if (/INT/.test(t)) return `${n}::DOUBLE AS ${n}`;
    return n;
  });
  const rows = (
    await conn.runAndReadAll(`SELECT ${select.join(", ")} FROM read_parquet('${path}')`)
  ).getRowObjectsJson();
  conn.closeSync();
  inst.closeSync();
  return rows as Array<Record<string, Cell>>;
}
