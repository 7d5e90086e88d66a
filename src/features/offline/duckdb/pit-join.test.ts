import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineSource } from "../../dsl.js";
import type { OfflineView } from "../../offline-store.js";
import { DuckDbOfflineStore } from "./duckdb-offline-store.js";

const view = (name: string): OfflineView => ({
  name,
  keys: [{ name: "k", type: "string" }],
  source: name,
  timestampField: "ts",
  ttlSeconds: 0,
  features: [{ name: "x", type: "int" }],
});

/** Feature rows (`small`: 3 per key; `many`: more rows than entity rows; `burst`: 200 updates in 1 ms) and 300 entity rows. */
async function writeData(dir: string): Promise<void> {
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  const copy = (sql: string, file: string) => c.run(`COPY (${sql}) TO '${join(dir, file)}' (FORMAT parquet)`);
  await copy(
    "SELECT chr((97 + i % 3)::INTEGER) AS k, make_timestamp((i // 3) * 100000000) AS ts, i AS x FROM range(9) t(i)",
    "small.parquet",
  );
  await copy(
    "SELECT chr((97 + i % 3)::INTEGER) AS k, make_timestamp(i * 1000) AS ts, i AS x FROM range(1000) t(i)",
    "many.parquet",
  );
  await copy(
    `SELECT 'a' AS k, make_timestamp(0) AS ts, -1 AS x
     UNION ALL SELECT 'a', make_timestamp(150000000 + i), i FROM range(200) t(i)`,
    "burst.parquet",
  );
  await copy(
    "SELECT chr((97 + i % 4)::INTEGER) AS k, make_timestamp(i * 1000000) AS event_timestamp FROM range(300) t(i)",
    "entities.parquet",
  );
  c.closeSync();
  db.closeSync();
}

describe("DuckDB point-in-time join plans", () => {
  let dir: string;
  const stores: DuckDbOfflineStore[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "gyre-pit-plans-"));
    await writeData(dir);
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  async function join3(pitJoin: "auto" | "asof" | "interval", n: number) {
    const store = await DuckDbOfflineStore.open({ threads: 2, pitJoin });
    stores.push(store);
    const names = ["small", "many", "burst"];
    await store.setSources(
      names.map((name) => defineSource({ name, path: `${name}.parquet` })),
      dir,
    );
    const outFile = join(dir, `out-${pitJoin}-${n}.parquet`);
    const result = await store.historical({
      entities: { parquet: join(dir, "entities.parquet") },
      timestampColumn: "event_timestamp",
      // many_sql: the same rows as `many` through SQL, which cannot be counted without computing it.
      views: [...names.map(view), { ...view("many_sql"), source: "many", sql: "SELECT * FROM many" }],
      columns: [...names, "many_sql"].map((name) => ({ x: name })),
      outFile,
    });
    const db = await DuckDBInstance.create(":memory:");
    const c = await db.connect();
    const rows = (await c.runAndReadAll(`SELECT * FROM '${outFile}'`)).getRowsJson();
    c.closeSync();
    db.closeSync();
    return { joins: result.joins, rows };
  }

  it("indexes small views, and uses ASOF for views (files or SQL) larger than the entity rows or with overfull buckets", async () => {
    const auto = await join3("auto", 1);
    expect(auto.joins).toEqual(["interval", "asof", "asof", "asof"]);
    const asof = await join3("asof", 2);
    const interval = await join3("interval", 3);
    expect(asof.joins).toEqual(["asof", "asof", "asof", "asof"]);
    expect(interval.joins).toEqual(["interval", "interval", "interval", "interval"]);
    expect(interval.rows).toEqual(asof.rows);
    expect(auto.rows).toEqual(asof.rows);
    // Entity row 202 (key 'c', t = 202 s): small's latest 'c' row is at 200 s (x = 8), many's the last
    // 'c' row (x = 998); the burst only has key 'a'.
    expect(asof.rows[202]).toEqual(["c", expect.anything(), "8", "998", null, "998"]);
    // Row 152 (key 'a', t = 152 s) sees small's row at 100 s (x = 3) and the burst's last update (x = 199).
    expect(asof.rows[152]).toEqual(["a", expect.anything(), "3", "999", "199", "999"]);
  });
});
