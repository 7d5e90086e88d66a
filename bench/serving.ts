/**
 * Serving benchmark, all in one run on loopback: a hello-world Fastify cluster (the HTTP ceiling), raw
 * in-process ONNX Runtime latency of the flights model (the compute ceiling), and `gyre serve` (CLI, node:cluster)
 * answering the same model through OIP v2 and MLflow `/invocations`, with and without dynamic batching, plus
 * p99 at a fixed 1,000 req/s. When Debian's python3 has fastapi, uvicorn, pandas and scikit-learn, an
 * equivalent scikit-learn model served the way `mlflow models serve` does (FastAPI + uvicorn) is the peer.
 *
 * What is compared with what:
 * - protocol overhead = gyre's sequential p50 − the hello-world's p50 − raw ORT's p50, with hello-world and
 *   gyre requests interleaved one by one (the HTTP round trip is the hello-world's; the rest is gyre's);
 * - p99 at 1,000 req/s is measured by a separate client process (bench/rate-client.ts): three 3-second
 *   windows each for gyre and the hello-world (the machine's floor), interleaved; the best window counts;
 * - besides requests per second, each closed-loop run reports the server's CPU time per request, which stays
 *   meaningful when other work shares the machine;
 * - closed-loop throughput runs in rounds (default 3): the hello-world, OIP v2, /invocations and /invocations
 *   without batching one after another in each round; ratios are taken within a round, then the median;
 * - the batching speed-up has its own ceiling in the same rounds: the hello-world calling the same ORT session
 *   once per request, and through a minimal batcher (bench/serving-hello.ts with GYRE_BENCH_MODEL), so HTTP
 *   plus ORT and nothing else; that server's sequential p50 is reported beside gyre's too.
 *
 *   npm run bench:serving -- [--seconds 5] [--connections 64] [--workers <cores>] [--rounds 3]
 *
 * Prints a table and writes bench/results/serving.json. Load: wrk when installed, else autocannon.
 */
import { type ChildProcess, fork, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import * as ort from "onnxruntime-node";
import { loadFlights } from "../src/cli/demo/flights.js";
import { freePort } from "../src/core/net.js";
import { openServingService } from "../src/serving/index.js";
import { closeConnections, type LatencySummary, summarise, timed } from "./http.js";
import { type Figure, figure, table, writeResults } from "./report.js";
import { closedLoad, fixedRates, HAS_WRK, type LoadResult, type RateFigure } from "./serving-load.js";
import { predictionLogFigures } from "./serving-log.js";
import { type BenchModel, prepareModel } from "./serving-model.js";

const PYTHON = "/usr/bin/python3";
const SEQUENTIAL = 2000;
const TSX = ["--import", "tsx"];

interface Service {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, "exit");
  child.kill(signal);
  await exited;
}

/**
 * The hello-world cluster (bench/serving-hello.ts) with `workers` processes; given `modelPath`, it also
 * answers `/infer` and `/infer-batched` with raw ONNX Runtime (the batching ceiling).
 */
async function startHello(workers: number, modelPath?: string): Promise<Service> {
  const child = fork(new URL("./serving-hello.ts", import.meta.url), [String(workers)], {
    execArgv: TSX,
    env: {
      ...process.env,
      GYRE_BENCH_PORT: String(await freePort()),
      ...(modelPath ? { GYRE_BENCH_MODEL: modelPath } : {}),
    },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const [message] = (await once(child, "message")) as [{ url: string }];
  return { url: message.url, pid: child.pid!, stop: () => stopChild(child) };
}

/** `gyre serve --workers N` from the sources, as users start it. */
async function startGyre(
  store: string,
  artifacts: string,
  workers: number,
  extra: string[] = [],
): Promise<Service> {
  const entry = `import("./src/cli/index.ts").then(async (cli) => { process.exitCode = await cli.main(["node", "gyre", ...process.argv.slice(1)]); });`;
  const args = [...TSX, "--input-type=module", "-e", entry, "--", "serve", "--port", "0"];
  args.push("--workers", String(workers), "--store", store, "--artifacts", artifacts, "--json", ...extra);
  const child = spawn(process.execPath, args, {
    cwd: new URL("..", import.meta.url).pathname,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [line] = (await once(child.stdout!, "data")) as [Buffer];
  return {
    url: (JSON.parse(line.toString()) as { url: string }).url,
    pid: child.pid!,
    stop: () => stopChild(child),
  };
}

/** The FastAPI + uvicorn + scikit-learn peer, or null (with the reason) when Debian's python lacks a module. */
async function startPeer(trainCsv: string, workers: number): Promise<Service | string> {
  const probe = spawnSync(PYTHON, ["-c", "import fastapi, uvicorn, pandas, sklearn"], { encoding: "utf8" });
  if (probe.status !== 0)
    return `skipped: ${PYTHON} lacks fastapi/uvicorn/pandas/sklearn (${probe.stderr.trim().split("\n").pop()})`;
  const port = await freePort();
  const dir = new URL(".", import.meta.url).pathname;
  const args = [
    "-m",
    "uvicorn",
    "serving_peer:app",
    "--app-dir",
    dir,
    "--workers",
    String(workers),
    "--port",
    String(port),
    "--log-level",
    "warning",
  ];
  const child = spawn(PYTHON, args, {
    env: { ...process.env, GYRE_BENCH_TRAIN: trainCsv },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) return `skipped: the peer exited with code ${child.exitCode}`;
    const ok = await fetch(`${url}/ping`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { url, pid: child.pid!, stop: () => stopChild(child, "SIGINT") };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stopChild(child);
  return "skipped: the peer did not start within 30 s";
}

/**
 * Sequential latency (one request in flight) of each target, interleaved request by request so that every
 * target sees the same machine load, over `n` requests each after a warm-up of `n / 10`.
 */
async function sequential(
  targets: { url: string; body: string }[],
  n = SEQUENTIAL,
): Promise<ReturnType<typeof summarise>[]> {
  for (let i = 0; i < n / 10; i++) for (const t of targets) await timed(t.url, t.body);
  const samples: number[][] = targets.map(() => []);
  for (let i = 0; i < n; i++)
    for (const [k, t] of targets.entries()) samples[k]!.push(await timed(t.url, t.body));
  return samples.map(summarise);
}

/** Batches of one deployment so far, from the server's Prometheus text: calls and requests merged. */
async function batchTotals(url: string, model: string): Promise<{ calls: number; requests: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const metric = (name: string) =>
    Number(new RegExp(`${name}\\{model="${model}",version="1"\\} ([\\d.e+]+)`).exec(text)?.[1] ?? 0);
  return {
    calls: metric("gyre_serving_batch_requests_count"),
    requests: metric("gyre_serving_batch_requests_sum"),
  };
}

/** Raw in-process ONNX Runtime: one session, one thread, one row per call. */
async function rawOrt(
  modelPath: string,
  row: Record<string, unknown>,
): Promise<ReturnType<typeof summarise>> {
  const session = await ort.InferenceSession.create(modelPath, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: "sequential",
  });
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, v] of Object.entries(row)) {
    feeds[name] =
      typeof v === "number"
        ? new ort.Tensor("float32", Float32Array.of(v), [1, 1])
        : new ort.Tensor("string", [String(v)], [1, 1]);
  }
  for (let i = 0; i < 1000; i++) await session.run(feeds);
  const samples: number[] = [];
  for (let i = 0; i < 5000; i++) {
    const t0 = performance.now();
    await session.run(feeds);
    samples.push(performance.now() - t0);
  }
  await session.release();
  return summarise(samples);
}

interface Sizes {
  seconds: number;
  connections: number;
  workers: number;
  /** Rounds of the closed-loop comparison (hello-world, OIP v2, /invocations, batching off). */
  rounds: number;
}

function throughput(
  name: string,
  r: LoadResult,
  target: number | null,
  ceiling: number | undefined,
  detail: Record<string, unknown> = {},
): Figure {
  return figure({
    backend: "serving",
    name,
    unit: "req/s",
    value: r.rps,
    target,
    better: "higher",
    ceiling,
    detail: {
      ...detail,
      p50_ms: r.p50,
      p99_ms: r.p99,
      requests: r.requests,
      errors: r.errors,
      tool: r.tool,
      server_cpu_us_per_request: r.cpuUsPerRequest,
    },
  });
}

function ms(
  name: string,
  value: number,
  target: number | null,
  detail: Record<string, unknown> = {},
): Figure {
  return figure({ backend: "serving", name, unit: "ms", value, target, better: "lower", detail });
}

/** The hello-world ceiling, kept running while gyre is measured so latencies can be taken side by side. */
interface Hello {
  url: string;
  pid: number;
  body: string;
}

/** The hello-world's closed-loop figures (its median round), known once the throughput rounds ran. */
interface HelloLoad extends Hello {
  rps: number;
  /** Server CPU time per request under the closed-loop load, µs. */
  cpuUsPerRequest: number;
}

/** The middle value (the lower of the two middle ones for an even count). */
function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;
}

/** The round whose `f` is the median: its window is reported whole (rps, latencies and CPU belong together). */
function medianRound<T>(rounds: T[], f: (r: T) => number): T {
  const m = median(rounds.map(f));
  return rounds.find((r) => f(r) === m)!;
}

interface Round {
  hello: LoadResult;
  v2: LoadResult;
  inv: LoadResult;
  noBatch: LoadResult;
  /** The hello-world running raw ORT: one call per request, and through a minimal batcher. */
  rawSingle: LoadResult;
  rawBatched: LoadResult;
  batch: { calls: number; requests: number };
}

/**
 * Closed-loop throughput at `sizes.connections`: the hello-world, both protocols, batching on and off, CPU per
 * request, batch fill. The four run one after another in each of `sizes.rounds` rounds, so every comparison is
 * between windows a few seconds apart; each figure is the median round and each ratio the median of the rounds'
 * ratios (a shared machine's load drifts over a minute, which sequential runs would fold into the ratios).
 */
async function throughputFigures(
  sizes: Sizes,
  dir: string,
  gyre: Service,
  model: BenchModel,
  hello: Hello,
  raw: Service,
): Promise<{ figures: Figure[]; inv: LoadResult; hello: HelloLoad }> {
  const urls = gyreUrls(gyre);
  const run = (url: string, body: string, seconds: number) =>
    closedLoad(url, body, sizes.connections, seconds, dir, gyre.pid);
  const runHello = (seconds: number) =>
    closedLoad(`${hello.url}/hello`, hello.body, sizes.connections, seconds, dir, hello.pid);
  const runRaw = (path: string, seconds: number) =>
    closedLoad(`${raw.url}${path}`, model.invocationsBody, sizes.connections, seconds, dir, raw.pid);
  // One second of each first: JIT, ORT and both workers warm before anything is measured.
  await runHello(1);
  await run(urls.v2, model.v2Body, 1);
  await run(urls.inv, model.invocationsBody, 1);
  await run(urls.noBatch, model.invocationsBody, 1);
  await runRaw("/infer", 1);
  await runRaw("/infer-batched", 1);
  const rounds: Round[] = [];
  for (let i = 0; i < sizes.rounds; i++) {
    const helloLoad = await runHello(sizes.seconds);
    const v2 = await run(urls.v2, model.v2Body, sizes.seconds);
    const before = await batchTotals(gyre.url, "flights");
    const inv = await run(urls.inv, model.invocationsBody, sizes.seconds);
    const after = await batchTotals(gyre.url, "flights");
    const noBatch = await run(urls.noBatch, model.invocationsBody, sizes.seconds);
    const rawSingle = await runRaw("/infer", sizes.seconds);
    const rawBatched = await runRaw("/infer-batched", sizes.seconds);
    const batch = { calls: after.calls - before.calls, requests: after.requests - before.requests };
    rounds.push({ hello: helloLoad, v2, inv, noBatch, rawSingle, rawBatched, batch });
  }
  const pick = (k: Exclude<keyof Round, "batch">) => medianRound(rounds, (r) => r[k].rps)[k];
  const [helloMid, v2, inv, noBatch] = [pick("hello"), pick("v2"), pick("inv"), pick("noBatch")];
  const cpu = (r: LoadResult) => r.cpuUsPerRequest ?? Number.NaN;
  const perRound = (f: (r: Round) => number) => ({ value: median(rounds.map(f)), rounds: rounds.map(f) });
  const at = `@${sizes.connections} conns`;
  const ceiling = (k: "v2" | "inv" | "noBatch") => perRound((r) => r[k].rps / r.hello.rps);
  const figures = [
    throughput(`hello-world Fastify (ceiling) ${at}`, helloMid, null, undefined, {
      rounds_rps: rounds.map((r) => r.hello.rps),
    }),
  ];
  for (const [name, r, k, target] of [
    [`gyre OIP v2 throughput ${at}`, v2, "v2", 0.4],
    [`gyre /invocations throughput ${at}`, inv, "inv", 0.4],
    [`gyre /invocations, batching off ${at}`, noBatch, "noBatch", null],
  ] as const) {
    const share = ceiling(k);
    figures.push(
      throughput(name, r, target === null ? null : target * helloMid.rps, helloMid.rps, {
        rounds_rps: rounds.map((x) => x[k].rps),
        of_hello_world_same_round: share.rounds,
      }),
      figure({
        backend: "serving",
        name: `${name.replace(/ throughput| @.*/g, "")}: req/s / the hello-world's in the same round`,
        unit: "%",
        value: 100 * share.value,
        target: target === null ? null : 100 * target,
        better: "higher",
        detail: { rounds: share.rounds },
      }),
      figure({
        backend: "serving",
        name: `${name.replace(/ throughput| @.*/g, "")}: hello-world's CPU per request / gyre's`,
        unit: "%",
        value: 100 * median(rounds.map((x) => cpu(x.hello) / cpu(x[k]))),
        target: null,
        better: "higher",
        detail: { gyre_us: rounds.map((x) => cpu(x[k])), hello_us: rounds.map((x) => cpu(x.hello)) },
      }),
    );
  }
  const speedUp = perRound((r) => r.inv.rps / r.noBatch.rps);
  const cpuSpeedUp = perRound((r) => cpu(r.noBatch) / cpu(r.inv));
  const fill = perRound((r) => r.batch.requests / Math.max(1, r.batch.calls));
  const rawSpeedUp = perRound((r) => r.rawBatched.rps / r.rawSingle.rps);
  const ofCeiling = perRound((r) => r.inv.rps / r.noBatch.rps / (r.rawBatched.rps / r.rawSingle.rps));
  figures.push(
    throughput(
      `ceiling: hello-world + raw ORT, one call per request ${at}`,
      pick("rawSingle"),
      null,
      undefined,
      {
        rounds_rps: rounds.map((r) => r.rawSingle.rps),
      },
    ),
    throughput(`ceiling: hello-world + raw ORT, minimal batcher ${at}`, pick("rawBatched"), null, undefined, {
      rounds_rps: rounds.map((r) => r.rawBatched.rps),
    }),
    figure({
      backend: "serving",
      name: "batching speed-up ceiling: hello-world + raw ORT, batched / one call per request",
      unit: "×",
      value: rawSpeedUp.value,
      target: null,
      better: "higher",
      detail: { rounds: rawSpeedUp.rounds, measured_as: "median over rounds, same round as gyre's" },
    }),
    figure({
      backend: "serving",
      name: "batching speed-up (on / off)",
      unit: "×",
      value: speedUp.value,
      target: 3,
      better: "higher",
      detail: {
        rounds: speedUp.rounds,
        ceiling_rounds: rawSpeedUp.rounds,
        measured_as: "median over rounds of on / off req/s, same round",
      },
    }),
    figure({
      backend: "serving",
      name: "batching speed-up / its ceiling in the same round",
      unit: "%",
      value: 100 * ofCeiling.value,
      target: null,
      better: "higher",
      detail: { rounds: ofCeiling.rounds },
    }),
    figure({
      backend: "serving",
      name: "batching speed-up in server CPU per request (off / on)",
      unit: "×",
      value: cpuSpeedUp.value,
      target: null,
      better: "higher",
      detail: { rounds: cpuSpeedUp.rounds },
    }),
    figure({
      backend: "serving",
      name: `mean requests per inference call ${at}`,
      unit: "req",
      value: fill.value,
      target: null,
      better: "higher",
      detail: { rounds: fill.rounds },
    }),
  );
  return {
    figures,
    inv,
    hello: { ...hello, rps: helloMid.rps, cpuUsPerRequest: cpu(helloMid) },
  };
}

/** Sequential p50s, interleaved with the hello-world's, and the protocol overhead over raw ORT they give. */
async function overheadFigures(
  gyre: Service,
  model: BenchModel,
  hello: HelloLoad,
  raw: ReturnType<typeof summarise>,
  rawServer: Service,
): Promise<Figure[]> {
  const urls = gyreUrls(gyre);
  const [seqHello, seqV2, seqInv, seqRaw] = (await sequential([
    { url: `${hello.url}/hello`, body: hello.body },
    { url: urls.v2, body: model.v2Body },
    { url: urls.inv, body: model.invocationsBody },
    { url: `${rawServer.url}/infer`, body: model.invocationsBody },
  ])) as [LatencySummary, LatencySummary, LatencySummary, LatencySummary];
  return [
    ms("hello-world Fastify p50 (sequential)", seqHello.p50, null, { p99_ms: seqHello.p99 }),
    ms("hello-world + raw ORT p50 (sequential)", seqRaw.p50, null, {
      p99_ms: seqRaw.p99,
      over_hello_world_ms: seqRaw.p50 - seqHello.p50,
    }),
    ms("gyre OIP v2 p50 (sequential)", seqV2.p50, null, { p99_ms: seqV2.p99 }),
    ms("gyre /invocations p50 (sequential)", seqInv.p50, null, { p99_ms: seqInv.p99 }),
    ms("OIP v2 p50 over raw ORT, HTTP round trip included", seqV2.p50 - raw.p50, null, {
      hello_p50_ms: seqHello.p50,
    }),
    ms("protocol overhead over raw ORT, p50 (OIP v2)", seqV2.p50 - seqHello.p50 - raw.p50, 0.15, {
      measured_as: "gyre OIP v2 p50 - hello-world p50 (the HTTP ceiling) - raw ORT p50, interleaved",
      gyre_p50_ms: seqV2.p50,
      hello_p50_ms: seqHello.p50,
      raw_ort_p50_ms: raw.p50,
    }),
    ms("protocol overhead over raw ORT, p50 (/invocations)", seqInv.p50 - seqHello.p50 - raw.p50, 0.15, {
      measured_as: "gyre /invocations p50 - hello-world p50 - raw ORT p50, interleaved",
    }),
    ms("/invocations p50 over the hello-world + raw ORT server's", seqInv.p50 - seqRaw.p50, null, {
      measured_as: "gyre /invocations p50 - p50 of the hello-world calling the same ORT session, interleaved",
    }),
  ];
}

/** p99 at 1,000 req/s of gyre and of the hello-world floor, windows interleaved. */
async function rateFigures(gyre: Service, model: BenchModel, hello: HelloLoad): Promise<Figure[]> {
  const [floor, fixed] = (await fixedRates(
    [
      { url: `${hello.url}/hello`, bodies: [hello.body] },
      { url: gyreUrls(gyre).inv, bodies: [model.invocationsBody] },
    ],
    1000,
    3,
    3,
  )) as [RateFigure, RateFigure];
  return [
    ms("hello-world Fastify p99 @ 1,000 req/s (machine floor)", floor.p99, null, {
      p50_ms: floor.p50,
      windows: floor.windows,
    }),
    ms("gyre /invocations p99 @ 1,000 req/s", fixed.p99, 2, {
      achieved_rps: fixed.achievedRate,
      errors: fixed.errors,
      p50_ms: fixed.p50,
      windows: fixed.windows,
    }),
  ];
}

function gyreUrls(gyre: Service) {
  return {
    v2: `${gyre.url}/v2/models/flights/infer`,
    inv: `${gyre.url}/deployments/flights/invocations`,
    noBatch: `${gyre.url}/deployments/flights-nobatch/invocations`,
  };
}

async function benchGyre(
  sizes: Sizes,
  dir: string,
  figures: Figure[],
  hello: Hello,
): Promise<{ rps: number; p99: number; hello: HelloLoad }> {
  const model = await prepareModel(dir);
  const opened = await openServingService(model.config, []);
  await opened.service.create({ name: "flights", model: "flights@champion" });
  await opened.service.create({
    name: "flights-nobatch",
    model: "flights@champion",
    batching: { maxBatchSize: 1 },
  });
  await opened.close();
  const raw = await rawOrt(model.modelPath, model.row);
  figures.push(ms("raw ONNX Runtime p50 (1 row, in-process)", raw.p50, null, { p99_ms: raw.p99 }));
  const rawServer = await startHello(sizes.workers, model.modelPath);
  const gyre = await startGyre(model.config.store, model.config.artifacts, sizes.workers);
  try {
    const load = await throughputFigures(sizes, dir, gyre, model, hello, rawServer);
    figures.push(...load.figures);
    figures.push(...(await overheadFigures(gyre, model, load.hello, raw, rawServer)));
    figures.push(...(await rateFigures(gyre, model, load.hello)));
    return { rps: load.inv.rps, p99: load.inv.p99, hello: load.hello };
  } finally {
    closeConnections();
    await Promise.all([gyre.stop(), rawServer.stop()]);
  }
}

/** What the prediction log costs: the same /invocations load on a server started with --no-prediction-log. */
async function benchWithoutLog(
  sizes: Sizes,
  dir: string,
  figures: Figure[],
  hello: number,
  withLog: number,
): Promise<void> {
  const model = { store: `sqlite://${join(dir, "gyre.db")}`, artifacts: `file://${join(dir, "artifacts")}` };
  const gyre = await startGyre(model.store, model.artifacts, sizes.workers, ["--no-prediction-log"]);
  try {
    const url = `${gyre.url}/deployments/flights/invocations`;
    const body = JSON.stringify({
      dataframe_records: [{ distance: 1000, hour: 9, origin: "SEA", destination: "LAX" }],
    });
    await closedLoad(url, body, sizes.connections, 1, dir);
    const r = await closedLoad(url, body, sizes.connections, sizes.seconds, dir, gyre.pid);
    figures.push(
      throughput(`gyre /invocations, prediction log off @${sizes.connections} conns`, r, null, hello, {
        with_log_rps: withLog,
      }),
    );
  } finally {
    closeConnections();
    await gyre.stop();
  }
}

async function benchPeer(
  sizes: Sizes,
  dir: string,
  figures: Figure[],
  gyre: { rps: number; p99: number },
): Promise<string | null> {
  const { flights } = await loadFlights();
  const csv = [
    "distance,hour,origin,destination,delayed",
    ...flights
      .slice(0, 3000)
      .map((f) =>
        [f.distance, Number(f.date.slice(11, 13)), f.origin, f.destination, f.delay > 15 ? 1 : 0].join(","),
      ),
  ];
  const trainCsv = join(dir, "train.csv");
  writeFileSync(trainCsv, `${csv.join("\n")}\n`);
  const peer = await startPeer(trainCsv, sizes.workers);
  if (typeof peer === "string") return peer;
  try {
    const body = JSON.stringify({
      dataframe_records: [{ distance: 1000, hour: 9, origin: "SEA", destination: "LAX" }],
    });
    const load = await closedLoad(`${peer.url}/invocations`, body, sizes.connections, sizes.seconds, dir);
    figures.push(
      throughput(`FastAPI+uvicorn+sklearn /invocations @${sizes.connections} conns`, load, null, undefined),
    );
    figures.push(
      figure({
        backend: "serving",
        name: "gyre / FastAPI throughput",
        unit: "×",
        value: gyre.rps / load.rps,
        target: 5,
        better: "higher",
      }),
    );
    figures.push(
      figure({
        backend: "serving",
        name: `FastAPI p99 / gyre p99 @${sizes.connections} conns`,
        unit: "×",
        value: load.p99 / gyre.p99,
        target: 5,
        better: "higher",
        detail: { gyre_p99_ms: gyre.p99, fastapi_p99_ms: load.p99 },
      }),
    );
    // The peer answers in tens of ms: fewer samples keep the bench within its two minutes.
    const [seq] = await sequential([{ url: `${peer.url}/invocations`, body }], 200);
    figures.push(ms("FastAPI /invocations p50 (sequential)", seq!.p50, null, { p99_ms: seq!.p99 }));
    return null;
  } finally {
    closeConnections();
    await peer.stop();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: "string", default: "5" },
      connections: { type: "string", default: "64" },
      workers: { type: "string", default: String(availableParallelism()) },
      rounds: { type: "string", default: "3" },
    },
  });
  const sizes: Sizes = {
    seconds: Number(values.seconds),
    connections: Number(values.connections),
    workers: Number(values.workers),
    rounds: Math.max(1, Number(values.rounds)),
  };
  const dir = mkdtempSync(join(tmpdir(), "gyre-bench-serving-"));
  const figures: Figure[] = [];
  let peerNote: string | null = null;
  try {
    const hello = await startHello(sizes.workers);
    const helloBody = JSON.stringify({
      dataframe_records: [{ distance: 1000, hour: 9, origin: "SEA", destination: "LAX" }],
    });
    let gyre: Awaited<ReturnType<typeof benchGyre>>;
    try {
      gyre = await benchGyre(sizes, dir, figures, { url: hello.url, pid: hello.pid, body: helloBody });
    } finally {
      closeConnections();
      await hello.stop();
    }
    await benchWithoutLog(sizes, dir, figures, gyre.hello.rps, gyre.rps);
    figures.push(...(await predictionLogFigures(dir)));
    peerNote = await benchPeer(sizes, dir, figures, gyre);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const meta = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    sizes,
    loadGenerator: HAS_WRK ? "wrk" : "autocannon",
    peer: peerNote ?? "FastAPI + uvicorn + scikit-learn",
    loadavg: loadavg(),
  };
  writeResults("serving", meta, figures);
  process.stdout.write(`\n${table(figures)}\n\n`);
  if (peerNote) process.stdout.write(`peer: ${peerNote}\n`);
  process.stdout.write(
    `load average (1/5/15 min): ${meta.loadavg.map((l) => l.toFixed(2)).join(" / ")}\nJSON: bench/results/serving.json\n`,
  );
}

await main();
