/**
 * What the prediction log costs per row, in-process and without HTTP (a figure that stays steady on a shared
 * machine): serving's own PredictionLog and ParquetSink take 100,000 one-row records shaped like the flights
 * requests of bench/serving.ts; process CPU time (the request thread and DuckDB's) is measured for `offer`
 * alone and for offer + flush (Parquet files written). Best of three rounds.
 */
import { join } from "node:path";
import { ParquetSink, PredictionLog, type PredictionRecord } from "../src/serving/index.js";
import { type Figure, figure } from "./report.js";

const RECORDS = 100_000;

function record(i: number): PredictionRecord {
  const f32 = (v: number) => ({ dtype: "float32" as const, shape: [1, 1], data: Float32Array.of(v) });
  const str = (v: string) => ({ dtype: "string" as const, shape: [1, 1], data: [v] });
  return {
    requestId: `bench-${i}-${(i * 2654435761).toString(36)}`,
    ts: Date.now(),
    deployment: "flights",
    model: "flights",
    version: 1,
    variant: i % 10 === 0 ? "canary" : "primary",
    shadow: false,
    protocol: "invocations",
    latencyMs: 0.3 + (i % 100) / 1000,
    rows: 1,
    inputs: {
      distance: f32(200 + (i % 2000)),
      hour: f32(i % 24),
      origin: str("SEA"),
      destination: str("LAX"),
    },
    outputs: { probability: f32(((i * 48271) % 1000) / 1000) },
    entityKeys: null,
  };
}

const cpuUs = (c: NodeJS.CpuUsage) => c.user + c.system;

export async function predictionLogFigures(dir: string): Promise<Figure[]> {
  const log = new PredictionLog([new ParquetSink(join(dir, "log-bench"))], {
    capacity: RECORDS,
    flushIntervalMs: 3_600_000,
  });
  await log.open();
  let best = { offer: Number.POSITIVE_INFINITY, total: Number.POSITIVE_INFINITY };
  try {
    for (let round = 0; round < 3; round++) {
      const records = Array.from({ length: RECORDS }, (_, i) => record(i));
      const start = process.cpuUsage();
      for (const r of records) log.offer(r);
      const offered = cpuUs(process.cpuUsage(start));
      await log.flush();
      const total = cpuUs(process.cpuUsage(start));
      if (total < best.total) best = { offer: offered / RECORDS, total: total / RECORDS };
    }
  } finally {
    await log.close();
  }
  const us = (name: string, value: number) =>
    figure({
      backend: "serving",
      name,
      unit: "µs",
      value,
      target: null,
      better: "lower",
      detail: { rows: RECORDS },
    });
  return [
    us("prediction log: CPU per row at offer (request thread)", best.offer),
    us("prediction log: CPU per row, offer + Parquet write (all threads)", best.total),
  ];
}
