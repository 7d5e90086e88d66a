import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { emptyColumns, ParquetSink } from "./parquet-sink.js";
import { PredictionLog, type PredictionRecord, pushRecord } from "./prediction-log.js";

/** The rows of `sql` as JSON-ready objects, from a throwaway in-memory DuckDB. */
async function query(sql: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(":memory:");
  const conn = await db.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowObjectsJson();
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

function record(requestId: string, rows: number, ts: number): PredictionRecord {
  return {
    requestId,
    ts,
    deployment: "flights",
    model: "flights",
    version: 3,
    variant: "canary",
    shadow: false,
    protocol: "invocations",
    latencyMs: 1.5,
    rows,
    inputs: {
      origin: { dtype: "string", shape: [rows, 1], data: Array.from({ length: rows }, (_, i) => `A${i}`) },
      hour: { dtype: "float32", shape: [rows, 1], data: Float32Array.from({ length: rows }, (_, i) => i) },
    },
    outputs: {
      probability: {
        dtype: "float32",
        shape: [rows, 1],
        data: Float32Array.from({ length: rows }, () => 0.25),
      },
    },
    entityKeys: { flight_id: { values: Array.from({ length: rows }, (_, i) => `f${i}`), shape: [rows] } },
  };
}

describe("PredictionLog", () => {
  it("drops and counts records beyond its capacity without blocking, and writes the rest as Parquet by hour", async () => {
    const root = mkdtempSync(join(tmpdir(), "gyre-plog-"));
    const drops: number[] = [];
    let written = 0;
    const log = new PredictionLog([new ParquetSink(root)], {
      capacity: 4,
      flushIntervalMs: 60_000,
      onDrop: (_d, rows) => drops.push(rows),
      onFlush: (rows) => {
        written += rows;
      },
    });
    const at = Date.UTC(2026, 10, 24, 5, 59, 59, 900);
    expect(log.offer(record("a", 2, at))).toBe(true);
    expect(log.offer(record("b", 2, at + 200))).toBe(true);
    expect(log.offer(record("c", 1, at + 300))).toBe(false);
    await log.close();
    expect(drops).toEqual([1]);
    expect(written).toBe(4);
    const dir = join(root, "predictions", "deployment=flights");
    expect(readdirSync(dir).sort()).toEqual(["hour=2026-11-24T05", "hour=2026-11-24T06"]);
    for (const hour of readdirSync(dir))
      expect(readdirSync(join(dir, hour)).every((f) => /^part-\d+-\d+-\d+\.parquet$/.test(f))).toBe(true);
    const rows = await query(
      `SELECT request_id, row_index, strftime(ts, '%Y-%m-%d %H:%M:%S.%g') AS ts, version, variant, shadow, protocol, latency_ms,
              inputs, outputs, entity_key, hour
       FROM read_parquet('${dir}/*/*.parquet', hive_partitioning = true, union_by_name = true) ORDER BY request_id, row_index`,
    );
    expect(rows).toHaveLength(4);
    expect(rows[0]).toEqual({
      request_id: "a",
      row_index: 0,
      ts: "2026-11-24 05:59:59.900",
      version: "3",
      variant: "canary",
      shadow: false,
      protocol: "invocations",
      latency_ms: 1.5,
      inputs: '{"origin":"A0","hour":0}',
      outputs: '{"probability":0.25}',
      entity_key: '{"flight_id":"f0"}',
      hour: "2026-11-24T05",
    });
    expect(rows.map((r) => [r.request_id, r.row_index, r.hour])).toEqual([
      ["a", 0, "2026-11-24T05"],
      ["a", 1, "2026-11-24T05"],
      ["b", 0, "2026-11-24T06"],
      ["b", 1, "2026-11-24T06"],
    ]);
  });
});

describe("pushRecord", () => {
  it("writes each row's inputs and outputs as the JSON of its values, whatever the dtype and shape", () => {
    const c = emptyColumns();
    pushRecord(c, {
      ...record("x", 2, 0),
      inputs: {
        f: { dtype: "float32", shape: [2, 1], data: Float32Array.from([0.1, Number.NaN]) },
        d: { dtype: "float64", shape: [2], data: Float64Array.from([1e21, -0]) },
        i: { dtype: "int64", shape: [2, 1], data: BigInt64Array.from([9007199254740993n, -3n]) },
        b: { dtype: "bool", shape: [2, 1], data: Uint8Array.from([1, 0]) },
        s: { dtype: "string", shape: [2, 1], data: ['say "hi"\n', "ünï 🛫"] },
        v: {
          dtype: "float32",
          shape: [2, 3],
          data: Float32Array.from([1, 2, 3, 4, Number.POSITIVE_INFINITY, 6]),
        },
        'odd "name"': { dtype: "int32", shape: [2, 1], data: Int32Array.from([7, 8]) },
      },
    });
    const first = { f: Math.fround(0.1), d: 1e21, i: 9007199254740992, b: true, s: 'say "hi"\n' };
    const row0 = { ...first, v: [1, 2, 3], 'odd "name"': 7 };
    const row1 = { f: null, d: 0, i: -3, b: false, s: "ünï 🛫", v: [4, null, 6], 'odd "name"': 8 };
    // Exactly the text JSON.stringify gives for each row's values (-0 → 0, NaN and ±Infinity → null).
    expect(c.inputs).toEqual([JSON.stringify(row0), JSON.stringify(row1)]);
    expect(c.requestId).toEqual(["x", "x"]);
    expect(c.rowIndex).toEqual([0, 1]);
    expect(c.entityKey).toEqual(['{"flight_id":"f0"}', '{"flight_id":"f1"}']);
  });
});

describe("ParquetSink", () => {
  it("writes one file per deployment and hour when a flush interleaves them, each row in its own file", async () => {
    const root = mkdtempSync(join(tmpdir(), "gyre-psink-"));
    const log = new PredictionLog([new ParquetSink(root)], { capacity: 100, flushIntervalMs: 60_000 });
    const at = Date.UTC(2026, 10, 24, 7, 0, 0);
    const names = ["a", "b", "a", "c", "b", "a"];
    names.forEach((d, i) => {
      log.offer({ ...record(`r${i}`, 1, at + i), deployment: d });
    });
    await log.close();
    const rows = await query(
      `SELECT deployment, list(request_id ORDER BY request_id) AS ids, count(DISTINCT filename) AS files
       FROM read_parquet('${root}/predictions/*/*/*.parquet', filename = true) GROUP BY deployment ORDER BY deployment`,
    );
    expect(rows).toEqual([
      { deployment: "a", ids: ["r0", "r2", "r5"], files: "1" },
      { deployment: "b", ids: ["r1", "r4"], files: "1" },
      { deployment: "c", ids: ["r3"], files: "1" },
    ]);
  });

  it("keeps any text exactly: quotes, newlines, non-ASCII and very long values", async () => {
    const root = mkdtempSync(join(tmpdir(), "gyre-psink-"));
    const sink = new ParquetSink(root);
    const odd = { note: 'it\'s a "quote"\nnext line\ttab \u2028 ünïcødé 🛫', long: "x".repeat(100_000) };
    await sink.write([
      {
        requestId: "r1",
        rowIndex: 0,
        ts: Date.UTC(2026, 0, 1, 12, 0, 0, 7),
        deployment: "odd",
        model: "m",
        version: "1",
        variant: "primary",
        shadow: true,
        protocol: "v2",
        latencyMs: 0.125,
        inputs: JSON.stringify(odd),
        outputs: "{}",
        entityKey: null,
      },
    ]);
    await sink.close();
    const rows = await query(
      `SELECT inputs, strftime(ts, '%Y-%m-%d %H:%M:%S.%g') AS ts, shadow, entity_key FROM read_parquet('${root}/predictions/*/*/*.parquet')`,
    );
    expect(rows).toEqual([
      { inputs: JSON.stringify(odd), ts: "2026-01-01 12:00:00.007", shadow: true, entity_key: null },
    ]);
    expect(readdirSync(join(root, "predictions", "deployment=odd", "hour=2026-01-01T12"))).toHaveLength(1);
  });
});
