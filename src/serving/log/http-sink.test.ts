import { mkdtempSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../core/net.js";
import { cloudEventsBatch, HttpSink, PREDICTION_EVENT_TYPE } from "./http-sink.js";
import { columnsOf, ParquetSink, type PredictionRow } from "./parquet-sink.js";
import { PredictionLog } from "./prediction-log.js";

interface Received {
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** A collector on 127.0.0.1 answering each POST with the next status of `statuses` (then 200); `hold` keeps requests waiting. */
async function collector(statuses: number[] = [], hold?: Promise<void>) {
  const received: Received[] = [];
  let attempts = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      attempts++;
      await hold;
      const status = statuses.shift() ?? 200;
      if (status === 200)
        received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
      res.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "ok" : "nope");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/events`,
    received,
    attempts: () => attempts,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function row(requestId: string, rowIndex: number, extra: Partial<PredictionRow> = {}): PredictionRow {
  return {
    requestId,
    rowIndex,
    ts: Date.UTC(2026, 10, 24, 9, 30, 0, 250),
    deployment: "flights",
    model: "flights",
    version: "3",
    variant: "primary",
    shadow: false,
    protocol: "invocations",
    latencyMs: 1.25,
    inputs: '{"origin":"SEA","hour":9}',
    outputs: '{"probability":0.25}',
    entityKey: null,
    ...extra,
  };
}

/** One served request of one row, as the data plane offers it. */
function offerOne(log: PredictionLog, requestId: string): void {
  log.offer({
    requestId,
    ts: Date.now(),
    deployment: "flights",
    model: "flights",
    version: 1,
    variant: "primary",
    shadow: false,
    protocol: "v2",
    latencyMs: 1,
    rows: 1,
    inputs: { x: { dtype: "float32", shape: [1, 1], data: Float32Array.of(1) } },
    outputs: { y: { dtype: "float32", shape: [1, 1], data: Float32Array.of(2) } },
    entityKeys: null,
  });
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

describe("HttpSink", () => {
  it("turns log rows into CloudEvents: one per row, the log's columns under data", () => {
    const events = JSON.parse(
      cloudEventsBatch(
        columnsOf([
          row("r1", 0),
          row("r1", 0, { variant: "shadow", shadow: true, version: "4", entityKey: '{"flight":"F1"}' }),
        ]),
      ),
    );
    expect(events).toEqual([
      {
        specversion: "1.0",
        id: "r1#0",
        source: "gyre/serving/flights",
        type: PREDICTION_EVENT_TYPE,
        time: "2026-11-24T09:30:00.250Z",
        datacontenttype: "application/json",
        data: {
          request_id: "r1",
          row_index: 0,
          deployment: "flights",
          model: "flights",
          version: "3",
          variant: "primary",
          shadow: false,
          protocol: "invocations",
          latency_ms: 1.25,
          inputs: { origin: "SEA", hour: 9 },
          outputs: { probability: 0.25 },
          entity_key: null,
        },
      },
      expect.objectContaining({
        id: "r1#0#shadow",
        data: expect.objectContaining({ variant: "shadow", shadow: true, entity_key: { flight: "F1" } }),
      }),
    ]);
  });

  it("posts each flush beside the Parquet files, with the configured headers", async () => {
    const sinkEnd = await collector();
    closers.push(sinkEnd.close);
    const root = mkdtempSync(join(tmpdir(), "gyre-http-sink-"));
    const flushes: [string, number, boolean][] = [];
    const log = new PredictionLog(
      [
        new ParquetSink(root),
        new HttpSink({
          url: sinkEnd.url,
          headers: { authorization: "Bearer t0k" },
          timeoutMs: 2000,
          retries: 0,
        }),
      ],
      { capacity: 100, flushIntervalMs: 60_000, onFlush: (rows, e, sink) => flushes.push([sink, rows, !e]) },
    );
    await log.open();
    for (const id of ["a", "b", "c"]) offerOne(log, id);
    await log.close();
    expect(flushes.sort()).toEqual([
      ["http", 3, true],
      ["parquet", 3, true],
    ]);
    expect(sinkEnd.received).toHaveLength(1);
    const [got] = sinkEnd.received;
    expect(got!.headers["content-type"]).toBe("application/cloudevents-batch+json");
    expect(got!.headers.authorization).toBe("Bearer t0k");
    const events = got!.body as { id: string; data: { inputs: unknown; outputs: unknown } }[];
    expect(events.map((e) => [e.id, e.data.inputs, e.data.outputs])).toEqual(
      ["a", "b", "c"].map((id) => [`${id}#0`, { x: 1 }, { y: 2 }]),
    );
    const db = await DuckDBInstance.create(":memory:");
    const conn = await db.connect();
    const n = await conn.runAndReadAll(
      `SELECT count(*)::INT FROM read_parquet('${root}/predictions/deployment=flights/*/*.parquet')`,
    );
    expect(n.getColumnsJS()[0]).toEqual([3]);
    conn.closeSync();
    db.closeSync();
  });

  it("retries 5xx answers with backoff, and does not retry a 400", async () => {
    const flaky = await collector([503, 502]);
    closers.push(flaky.close);
    await new HttpSink({ url: flaky.url, headers: {}, timeoutMs: 2000, retries: 2 }).writeColumns(
      columnsOf([row("a", 0)]),
    );
    expect([flaky.attempts(), flaky.received.length]).toEqual([3, 1]);
    const refusing = await collector([400]);
    closers.push(refusing.close);
    const sink = new HttpSink({ url: refusing.url, headers: {}, timeoutMs: 2000, retries: 3 });
    await expect(sink.writeColumns(columnsOf([row("a", 0)]))).rejects.toThrow(/answered 400: nope/);
    expect(refusing.attempts()).toBe(1);
  });

  it("gives up on an endpoint that is down, and a slow one falls behind alone: Parquet keeps every row", async () => {
    const down = `http://127.0.0.1:${await freePort()}/events`;
    const sink = new HttpSink({ url: down, headers: {}, timeoutMs: 500, retries: 1 });
    await expect(sink.writeColumns(columnsOf([row("a", 0)]))).rejects.toThrow(/failed/);

    let release!: () => void;
    const slow = await collector([], new Promise<void>((r) => (release = r)));
    closers.push(slow.close);
    const root = mkdtempSync(join(tmpdir(), "gyre-http-sink-"));
    const flushes: [string, number, boolean][] = [];
    const log = new PredictionLog(
      [new ParquetSink(root), new HttpSink({ url: slow.url, headers: {}, timeoutMs: 10_000, retries: 0 })],
      { capacity: 2, flushIntervalMs: 60_000, onFlush: (rows, e, sink) => flushes.push([sink, rows, !e]) },
    );
    offerOne(log, "a");
    offerOne(log, "b");
    const first = log.flush();
    // The HTTP endpoint holds the first batch; Parquet has written it meanwhile.
    await expect.poll(() => flushes).toContainEqual(["parquet", 2, true]);
    offerOne(log, "c");
    const second = log.flush();
    await expect.poll(() => flushes).toContainEqual(["parquet", 1, true]);
    // 2 rows pending at the HTTP sink + 1 more would exceed the capacity of 2: the batch skips it.
    expect(flushes).toContainEqual(["http", 1, false]);
    release();
    await Promise.all([first, second]);
    await log.close();
    expect(flushes).toContainEqual(["http", 2, true]);
    expect(slow.received.map((r) => (r.body as unknown[]).length)).toEqual([2]);
  });
});
