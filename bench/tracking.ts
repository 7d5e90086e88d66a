/**
 * Tracking benchmark: gyre's MLflow REST routes over loopback HTTP against SQLite and PostgreSQL,
 * with the server in a child process (bench/server-process.ts) and the load in this one.
 *
 *   npm run bench -- [--quick] [--backend sqlite|postgres|all] [--only throughput,latency,search,history]
 *                    [--connections N] [--profile]   (server CPU profiles to bench/results/profiles/)
 *
 * Figures: log-batch throughput (1000-metric batches) and its share of a raw-driver insert ceiling,
 * log-metric latency, run search over a seeded data set (AND, and the OR form peers report),
 * and get-history of a long metric. Prints a table and writes bench/results/tracking.json, where
 * each figure also carries the server's CPU time per request or batch: on a shared machine that
 * moves far less than wall-clock figures do.
 */
import { type ChildProcess, fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { type Metric, openTracking } from "../src/metadata/index.js";
import { createDatabase, type PgServer, startPostgres } from "../test/harness/postgres.js";
import { postgresCeiling, sqliteCeiling } from "./ceiling.js";
import { closeConnections, closedLoop, request, summarise, timed } from "./http.js";
import { type RawSql, rawPostgres, rawSqlite } from "./raw-sql.js";
import { type Figure, figure, table, writeResults } from "./report.js";
import { seedSearchRuns } from "./seed.js";
import { BATCH_SIZE, logBatchBody, metricBatch, type SearchShape } from "./workload.js";

type Backend = "sqlite" | "postgres";

interface Sizes {
  /** Throughput rounds (median reported), batches per round, concurrent connections. */
  rounds: number;
  batches: number;
  connections: number;
  latencyRequests: number;
  search: SearchShape;
  searchRequests: number;
  historyPoints: number;
  historyRequests: number;
}

const SIZES: Record<"full" | "quick", Sizes> = {
  full: {
    rounds: 5,
    batches: 400,
    connections: 4,
    latencyRequests: 2000,
    search: { runs: 25_000, metrics: 20, params: 10 },
    searchRequests: 30,
    historyPoints: 100_000,
    historyRequests: 15,
  },
  quick: {
    rounds: 1,
    batches: 40,
    connections: 4,
    latencyRequests: 200,
    search: { runs: 5_000, metrics: 20, params: 10 },
    searchRequests: 5,
    historyPoints: 10_000,
    historyRequests: 3,
  },
};

const TARGETS = {
  throughput: 200_000,
  ofCeilingPct: 25,
  logMetricP99: 5,
  searchP50: 50,
  historyP50: 150,
};

const SEARCH_AND = "metrics.m0 > 0.5 AND params.p0 = 'v3'";
const SEARCH_OR = "metrics.m0 > 0.5 OR params.p0 = 'v3'";
const SEARCH_ORDER = ["metrics.m1 DESC"];
const MLFLOW = "/api/2.0/mlflow";

/** Where one backend's data lives for the duration of the bench. */
interface Target {
  backend: Backend;
  store: string;
  /** SQLite file path, or PostgreSQL database URL. */
  location: string;
  dir: string;
}

interface ServerChild {
  url: string;
  /** The server process's CPU time (user + system) so far, in milliseconds. */
  cpuMs(): Promise<number>;
  stop(): Promise<void>;
}

async function spawnServer(t: Target, profileDir: string | null): Promise<ServerChild> {
  const config = {
    store: t.store,
    artifacts: `file://${join(t.dir, "artifacts")}`,
    server: { host: "127.0.0.1", port: 0 },
    logLevel: "warn",
  };
  const execArgv = ["--import", "tsx"];
  if (profileDir) execArgv.push("--cpu-prof", `--cpu-prof-dir=${profileDir}`);
  const child: ChildProcess = fork(
    new URL("./server-process.ts", import.meta.url),
    [JSON.stringify(config)],
    {
      execArgv,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    },
  );
  const [message] = (await Promise.race([
    once(child, "message"),
    once(child, "exit").then(([code]) => {
      throw new Error(`server process exited with code ${code} before listening`);
    }),
  ])) as [{ url: string }];
  return {
    url: message.url,
    async cpuMs() {
      const reply = once(child, "message") as Promise<[{ cpu: NodeJS.CpuUsage }]>;
      child.send("cpu");
      const [{ cpu }] = await reply;
      return (cpu.user + cpu.system) / 1000;
    },
    async stop() {
      const exited = once(child, "exit");
      child.disconnect();
      await exited;
    },
  };
}

function rawFor(t: Target): Promise<RawSql> {
  return t.backend === "sqlite" ? Promise.resolve(rawSqlite(t.location)) : rawPostgres(t.location);
}

interface Prepared {
  searchExpId: string;
  writeExpId: string;
  historyRunId: string;
}

/** Schema, experiments and the long-history run through gyre's own service; the search runs in bulk. */
async function prepare(t: Target, sizes: Sizes, phases: Set<Phase>): Promise<Prepared> {
  const tracking = await openTracking({ store: t.store, artifacts: `file://${join(t.dir, "artifacts")}` });
  const searchExp = await tracking.createExperiment("bench-search");
  const writeExp = await tracking.createExperiment("bench-write");
  const history = await tracking.createRun({ experimentId: writeExp.experimentId, runName: "history" });
  const historyRunId = history.info.runId;
  const t0 = Date.now();
  const points = phases.has("history") ? sizes.historyPoints : 0;
  for (let at = 0; at < points; at += BATCH_SIZE) {
    const metrics: Metric[] = [];
    for (let s = at; s < Math.min(at + BATCH_SIZE, points); s++)
      metrics.push({ key: "loss", value: 1 / (1 + s), timestamp: t0 + s, step: s });
    await tracking.logBatch(historyRunId, { metrics });
  }
  await tracking.close();
  const raw = await rawFor(t);
  if (phases.has("search")) {
    const seed0 = performance.now();
    await seedSearchRuns(raw, Number(searchExp.experimentId), sizes.search);
    log(
      `${t.backend}: seeded ${sizes.search.runs} runs in ${((performance.now() - seed0) / 1000).toFixed(1)} s`,
    );
  }
  // A PostgreSQL that has been up for a minute has vacuumed and analysed the new rows (autovacuum);
  // SQLite is left as gyre leaves it.
  if (t.backend === "postgres") await raw.exec("VACUUM ANALYZE");
  await raw.close();
  return { searchExpId: searchExp.experimentId, writeExpId: writeExp.experimentId, historyRunId };
}

async function createRun(url: string, experimentId: string, name: string): Promise<string> {
  const text = await request(
    `${url}${MLFLOW}/runs/create`,
    JSON.stringify({ experiment_id: experimentId, run_name: name, start_time: Date.now() }),
  );
  return (JSON.parse(text) as { run: { info: { run_id: string } } }).run.info.run_id;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** What a phase needs: the target, the running server, the prepared ids and the sizes. */
interface PhaseContext {
  t: Target;
  server: ServerChild;
  ids: Prepared;
  sizes: Sizes;
}

/**
 * Log-batch throughput: `rounds` × `batches` 1000-metric batches on `connections` keep-alive
 * connections, one run per connection; then the raw-driver ceiling for the same rows.
 */
async function throughputPhase({ t, server, ids, sizes }: PhaseContext): Promise<Figure[]> {
  const b = t.backend;
  const runIds: string[] = [];
  for (let w = 0; w < sizes.connections; w++)
    runIds.push(await createRun(server.url, ids.writeExpId, `writer-${w}`));
  const endpoint = `${server.url}${MLFLOW}/runs/log-batch`;
  const rows: unknown[][] = [];
  const rates: number[] = [];
  const next: number[] = new Array(sizes.connections).fill(0);
  const warmup = sizes.connections * 5;
  await closedLoop(sizes.connections, warmup, async (w) => {
    await request(endpoint, logBatchBody(runIds[w]!, metricBatch(w, next[w]!++)));
  });
  let serverCpuMs = 0;
  let clientCpuMs = 0;
  const perWriter = Math.ceil(sizes.batches / sizes.connections);
  for (let round = 0; round < sizes.rounds; round++) {
    // Bodies are built before the clock starts, so the client spends its time sending, not serialising.
    const bodies = runIds.map((runId, w) =>
      Array.from({ length: perWriter }, () => {
        const metrics = metricBatch(w, next[w]!++);
        if (round === 0) for (const m of metrics) rows.push([runId, m.key, m.value, 0, m.timestamp, m.step]);
        return Buffer.from(logBatchBody(runId, metrics));
      }),
    );
    const cpu0 = await server.cpuMs();
    const client0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(
      bodies.map(async (list) => {
        for (const body of list) await request(endpoint, body);
      }),
    );
    const ms = performance.now() - t0;
    const client = process.cpuUsage(client0);
    clientCpuMs += (client.user + client.system) / 1000;
    serverCpuMs += (await server.cpuMs()) - cpu0;
    rates.push((sizes.connections * perWriter * BATCH_SIZE) / (ms / 1000));
  }
  const batchesSent = sizes.rounds * sizes.connections * perWriter;
  const serverCpuMsPerBatch = serverCpuMs / batchesSent;
  const clientCpuMsPerBatch = clientCpuMs / batchesSent;
  const stored = await countRows(t, runIds);
  const expected = (warmup + batchesSent) * BATCH_SIZE;
  if (stored !== expected) throw new Error(`stored ${stored} metric rows, sent ${expected}`);
  log(`${b}: raw insert ceiling`);
  const ceilings: number[] = [];
  for (let i = 0; i < sizes.rounds; i++) {
    ceilings.push(
      b === "sqlite"
        ? await sqliteCeiling(t.location, t.dir, rows)
        : await postgresCeiling(t.location, rows, sizes.connections),
    );
  }
  const rate = median(rates);
  const ceiling = median(ceilings);
  return [
    figure({
      backend: b,
      name: `log-batch throughput (${BATCH_SIZE}/batch, ${sizes.connections} conns)`,
      unit: "pts/s",
      value: rate,
      target: b === "sqlite" ? TARGETS.throughput : null,
      better: "higher",
      ceiling,
      detail: {
        rounds: rates,
        ceilings,
        pointsPerRound: rows.length,
        serverCpuMsPerBatch,
        clientCpuMsPerBatch,
      },
    }),
    figure({
      backend: b,
      name: "log-batch as share of raw insert ceiling",
      unit: "%",
      value: (rate / ceiling) * 100,
      target: b === "sqlite" ? TARGETS.ofCeilingPct : null,
      better: "higher",
      detail: { ceilingPtsPerSec: ceiling },
    }),
  ];
}

/** Single log-metric requests, one at a time on one connection (latency, not queueing). */
async function latencyPhase({ t, server, ids, sizes }: PhaseContext): Promise<Figure[]> {
  const runId = await createRun(server.url, ids.writeExpId, "latency");
  const endpoint = `${server.url}${MLFLOW}/runs/log-metric`;
  const body = (step: number) =>
    JSON.stringify({ run_id: runId, key: "latency", value: step / 7, timestamp: Date.now(), step });
  for (let i = 0; i < 100; i++) await request(endpoint, body(i));
  const cpu0 = await server.cpuMs();
  const samples: number[] = [];
  for (let i = 0; i < sizes.latencyRequests; i++) samples.push(await timed(endpoint, body(100 + i)));
  const serverCpuMsPerRequest = ((await server.cpuMs()) - cpu0) / sizes.latencyRequests;
  const lat = summarise(samples);
  const detail = { ...lat, serverCpuMsPerRequest };
  return [
    figure({
      backend: t.backend,
      name: "log-metric latency p50",
      unit: "ms",
      value: lat.p50,
      target: null,
      better: "lower",
      detail,
    }),
    figure({
      backend: t.backend,
      name: "log-metric latency p99",
      unit: "ms",
      value: lat.p99,
      target: TARGETS.logMetricP99,
      better: "lower",
      detail,
    }),
  ];
}

/** Run search with a metric and a param condition, ordered by a metric, page of 100; AND, then OR. */
async function searchPhase({ t, server, ids, sizes }: PhaseContext): Promise<Figure[]> {
  const endpoint = `${server.url}${MLFLOW}/runs/search`;
  const out: Figure[] = [];
  for (const [form, filter] of [
    ["AND", SEARCH_AND],
    ["OR", SEARCH_OR],
  ] as const) {
    const body = JSON.stringify({
      experiment_ids: [ids.searchExpId],
      filter,
      order_by: SEARCH_ORDER,
      max_results: 100,
    });
    const first = JSON.parse(await request(endpoint, body)) as { runs?: unknown[] };
    const pageSize = first.runs?.length ?? 0;
    if (pageSize !== 100)
      throw new Error(`search (${form}) returned ${pageSize} runs, expected a page of 100`);
    await request(endpoint, body);
    const cpu0 = await server.cpuMs();
    const samples: number[] = [];
    for (let i = 0; i < sizes.searchRequests; i++) samples.push(await timed(endpoint, body));
    const serverCpuMsPerRequest = ((await server.cpuMs()) - cpu0) / sizes.searchRequests;
    const s = summarise(samples);
    out.push(
      figure({
        backend: t.backend,
        name: `search ${sizes.search.runs} runs, ${form}, p50`,
        unit: "ms",
        value: s.p50,
        target: TARGETS.searchP50,
        better: "lower",
        detail: { ...s, filter, orderBy: SEARCH_ORDER, pageSize, serverCpuMsPerRequest },
      }),
    );
  }
  return out;
}

/** The whole history of one long metric in one response (request → last byte). */
async function historyPhase({ t, server, ids, sizes }: PhaseContext): Promise<Figure[]> {
  const endpoint = `${server.url}${MLFLOW}/metrics/get-history?run_id=${ids.historyRunId}&metric_key=loss`;
  const first = JSON.parse(await request(endpoint)) as { metrics?: unknown[] };
  const points = first.metrics?.length ?? 0;
  if (points !== sizes.historyPoints) throw new Error(`get-history returned ${points} points`);
  const cpu0 = await server.cpuMs();
  const samples: number[] = [];
  for (let i = 0; i < sizes.historyRequests; i++) samples.push(await timed(endpoint));
  const serverCpuMsPerRequest = ((await server.cpuMs()) - cpu0) / sizes.historyRequests;
  const s = summarise(samples);
  return [
    figure({
      backend: t.backend,
      name: `get-history ${sizes.historyPoints} points, p50`,
      unit: "ms",
      value: s.p50,
      target: TARGETS.historyP50,
      better: "lower",
      detail: { ...s, points, serverCpuMsPerRequest },
    }),
  ];
}

async function countRows(t: Target, runIds: string[]): Promise<number> {
  if (t.backend === "sqlite") {
    const db = new BetterSqlite3(t.location, { readonly: true });
    try {
      return db
        .prepare(`SELECT count(*) FROM metrics WHERE run_uuid IN (${runIds.map(() => "?").join(",")})`)
        .pluck()
        .get(...runIds) as number;
    } finally {
      db.close();
    }
  }
  const c = new pg.Client({ connectionString: t.location });
  await c.connect();
  try {
    const res = await c.query("SELECT count(*)::int AS n FROM metrics WHERE run_uuid = ANY($1)", [runIds]);
    return res.rows[0].n as number;
  } finally {
    await c.end();
  }
}

const PHASES = {
  throughput: throughputPhase,
  latency: latencyPhase,
  search: searchPhase,
  history: historyPhase,
} as const;
type Phase = keyof typeof PHASES;

async function benchBackend(t: Target, sizes: Sizes, phases: Set<Phase>, profileDir: string | null) {
  const load0 = loadavg()[0]!;
  const ids = await prepare(t, sizes, phases);
  const server = await spawnServer(t, profileDir);
  const out: Figure[] = [];
  try {
    for (const [name, run] of Object.entries(PHASES)) {
      if (!phases.has(name as Phase)) continue;
      log(`${t.backend}: ${name}`);
      out.push(...(await run({ t, server, ids, sizes })));
    }
  } finally {
    closeConnections();
    await server.stop();
  }
  for (const f of out) f.detail = { ...f.detail, loadavg1Before: load0, loadavg1After: loadavg()[0] };
  return out;
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      backend: { type: "string", default: "all" },
      profile: { type: "boolean", default: false },
      connections: { type: "string" },
      only: { type: "string", default: Object.keys(PHASES).join(",") },
    },
  });
  const phases = new Set(values.only.split(",") as Phase[]);
  for (const p of phases)
    if (!(p in PHASES)) throw new Error(`--only takes ${Object.keys(PHASES).join(",")}`);
  const backends: Backend[] = values.backend === "all" ? ["sqlite", "postgres"] : [values.backend as Backend];
  if (!backends.every((b) => b === "sqlite" || b === "postgres"))
    throw new Error(`--backend must be sqlite, postgres or all (got ${values.backend})`);
  const base = SIZES[values.quick ? "quick" : "full"];
  const sizes = values.connections ? { ...base, connections: Number(values.connections) } : base;
  const resultsDir = new URL("./results/", import.meta.url).pathname;
  const profileDir = values.profile ? join(resultsDir, "profiles") : null;
  const dir = mkdtempSync(join(tmpdir(), "gyre-bench-"));
  let pg: PgServer | undefined;
  const figures: Figure[] = [];
  try {
    for (const backend of backends) {
      const sub = join(dir, backend);
      mkdirSync(sub, { recursive: true });
      let t: Target;
      if (backend === "sqlite") {
        const path = join(sub, "gyre.db");
        t = { backend, store: `sqlite://${path}`, location: path, dir: sub };
      } else {
        pg ??= await startPostgres();
        const url = await createDatabase(pg.url, `bench_${randomBytes(4).toString("hex")}`);
        t = { backend, store: url, location: url, dir: sub };
      }
      figures.push(...(await benchBackend(t, sizes, phases, profileDir)));
    }
  } finally {
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const meta = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    mode: values.quick ? "quick" : "full",
    sizes,
    loadavg: loadavg(),
  };
  writeResults("tracking", meta, figures);
  process.stdout.write(
    `\n${table(figures)}\n\nload average (1/5/15 min): ${meta.loadavg.map((l) => l.toFixed(2)).join(" / ")}\n`,
  );
  process.stdout.write(`JSON: bench/results/tracking.json\n`);
}

await main();
