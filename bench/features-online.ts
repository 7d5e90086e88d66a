/** Online figures for bench/features.ts: in-process and HTTP reads of 1 entity × 50 features, materialization. */
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import {
  defineEntity,
  defineFeatureView,
  defineSource,
  type FeatureDefinition,
  type FeatureStore,
} from "../src/features/index.js";
import { closeConnections, type LatencySummary, request, summarise } from "./http.js";
import { fixedRates, type RateFigure } from "./serving-load.js";

export const WIDE_FEATURES = 50;
const WIDE_ENTITIES = 10_000;
const REFS = Array.from({ length: WIDE_FEATURES }, (_, k) => `wide_view:f${k}`);

/** 10,000 users × 50 float features, one row each, written by DuckDB. */
export async function generateWide(dir: string): Promise<void> {
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  const feats = Array.from({ length: WIDE_FEATURES }, (_, k) => `((i * ${k + 7}) % 1000) / 10.0 AS f${k}`);
  await c.run(`COPY (SELECT i AS user_id, now()::TIMESTAMP - INTERVAL 1 HOUR AS ts, ${feats.join(", ")}
    FROM range(${WIDE_ENTITIES}) t(i)) TO '${join(dir, "wide.parquet")}' (FORMAT parquet)`);
  c.closeSync();
  db.closeSync();
}

export function wideDefinitions(): FeatureDefinition[] {
  const features = Object.fromEntries(
    Array.from({ length: WIDE_FEATURES }, (_, k) => [`f${k}`, "float" as const]),
  );
  return [
    defineEntity({ name: "user", joinKeys: { user_id: "int" } }),
    defineSource({ name: "wide", path: "wide.parquet" }),
    defineFeatureView({
      name: "wide_view",
      entity: "user",
      source: "wide",
      timestampField: "ts",
      ttl: "1d",
      features,
    }),
  ];
}

/** `n` sequential in-process lookups of one random user's 50 features, after a warm-up; latencies in ms. */
export async function inProcessReads(fs: FeatureStore, n: number): Promise<LatencySummary> {
  const one = (i: number) =>
    fs.getOnlineFeatures({ entityRows: [{ user_id: (i * 7919) % WIDE_ENTITIES }], features: REFS });
  const first = await one(1);
  if (first.results[0]!.statuses.some((s) => s !== "PRESENT"))
    throw new Error("wide features are not online");
  for (let i = 0; i < 2000; i++) await one(i);
  const samples = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await one(i);
    samples[i] = performance.now() - t;
  }
  return summarise(samples);
}

async function forkServer(module: string, args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(new URL(module, import.meta.url), args, {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const [{ url }] = (await once(child, "message")) as [{ url: string }];
  return { child, url };
}

async function stopServer(child: ChildProcess): Promise<void> {
  const exited = once(child, "exit");
  child.disconnect();
  await exited;
}

/**
 * Open-loop load at `rate` requests/s (one of 1,000 users per request) against the gyre server in a child
 * process, from a separate client process, interleaved window by window with the same load against a
 * one-process hello-world Fastify (bench/serving-hello.ts): the machine's floor at that moment.
 */
export async function httpReads(
  config: Record<string, unknown>,
  rate: number,
  seconds: number,
): Promise<{ gyre: RateFigure; hello: RateFigure }> {
  const bodies = Array.from({ length: 1000 }, (_, i) =>
    JSON.stringify({ entityRows: [{ user_id: (i * 7919) % WIDE_ENTITIES }], features: REFS }),
  );
  const server = await forkServer("./features-server.ts", [JSON.stringify(config)]);
  const hello = await forkServer("./serving-hello.ts", ["1"]);
  const endpoint = `${server.url}/api/v1/features/online`;
  try {
    for (let i = 0; i < 500; i++) await request(endpoint, bodies[i]);
    closeConnections();
    const [gyre, floor] = await fixedRates(
      [
        { url: endpoint, bodies },
        { url: `${hello.url}/hello`, bodies },
      ],
      rate,
      seconds,
      3,
    );
    return { gyre: gyre!, hello: floor! };
  } finally {
    await stopServer(server.child);
    await stopServer(hello.child);
  }
}

/** Materializes one view while sampling memory; rows/s of input rows and of entities written. */
export async function materializeWithMemory(fs: FeatureStore, view: string, start: number, end: number) {
  let peakRss = process.memoryUsage().rss;
  let peakHeap = process.memoryUsage().heapUsed;
  const baseRss = peakRss;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 20);
  const t0 = performance.now();
  try {
    const res = await fs.materialize({ start, end, views: [view] });
    const seconds = (performance.now() - t0) / 1000;
    return { seconds, written: res.views[0]!.rows, chunks: res.views[0]!.chunks, peakRss, baseRss, peakHeap };
  } finally {
    clearInterval(timer);
  }
}
