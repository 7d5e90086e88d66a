/**
 * Registry benchmark: register 1,000 model versions over MLflow's REST API, then resolve an alias
 * (`GET /api/2.0/mlflow/registered-models/alias`) 10,000 times, one request at a time, with the server in a
 * child process (bench/server-process.ts). A hello-world Fastify route in its own process, timed the same
 * way in the same run, is the floor any route can reach on this machine.
 *
 *   npm run bench:registry -- [--backend sqlite|postgres|all] [--versions 1000] [--resolves 10000]
 *
 * Prints a table and writes bench/results/registry.json. Target: resolve p99 ≤ 5 ms.
 */
import { type ChildProcess, fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createDatabase, type PgServer, startPostgres } from "../test/harness/postgres.js";
import { closeConnections, closedLoop, type LatencySummary, request, summarise, timed } from "./http.js";
import { type Figure, figure, table, writeResults } from "./report.js";

type Backend = "sqlite" | "postgres";
const API = "/api/2.0/mlflow";
const WARMUP = 500;
const RESOLVE_P99_TARGET_MS = 5;

interface Child {
  url: string;
  stop(): Promise<void>;
}

/** Forks `script` with tsx and waits for its `{ url }` message. */
async function spawnChild(script: string, args: string[]): Promise<Child> {
  const child: ChildProcess = fork(new URL(script, import.meta.url), args, {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const [message] = (await Promise.race([
    once(child, "message"),
    once(child, "exit").then(([code]) => {
      throw new Error(`${script} exited with code ${code} before listening`);
    }),
  ])) as [{ url: string }];
  return {
    url: message.url,
    async stop() {
      const exited = once(child, "exit");
      child.disconnect();
      await exited;
    },
  };
}

/** Times `n` sequential GETs of `url` after a warm-up; one request in flight at a time. */
async function latency(url: string, n: number): Promise<LatencySummary> {
  for (let i = 0; i < WARMUP; i++) await request(url);
  const samples: number[] = new Array(n);
  for (let i = 0; i < n; i++) samples[i] = await timed(url);
  return summarise(samples);
}

/** Creates the model and `n` versions through the MLflow REST API (4 clients at once); versions per second. */
async function register(base: string, name: string, n: number): Promise<number> {
  await request(`${base}${API}/registered-models/create`, JSON.stringify({ name }));
  const wallMs = await closedLoop(4, n, async (_w, i) => {
    const body = { name, source: `s3://bench/models/${i}`, tags: [{ key: "i", value: String(i) }] };
    await request(`${base}${API}/model-versions/create`, JSON.stringify(body));
  });
  return n / (wallMs / 1000);
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

async function benchBackend(backend: Backend, store: string, dir: string, sizes: Sizes): Promise<Figure[]> {
  const config = {
    store,
    artifacts: `file://${join(dir, "artifacts")}`,
    server: { host: "127.0.0.1", port: 0 },
    logLevel: "warn",
  };
  const server = await spawnChild("./server-process.ts", [JSON.stringify(config)]);
  const name = `bench-${randomBytes(3).toString("hex")}`;
  let perSecond: number;
  let resolve: LatencySummary;
  try {
    log(`${backend}: registering ${sizes.versions} versions`);
    perSecond = await register(server.url, name, sizes.versions);
    const champion = String(Math.ceil(sizes.versions / 2));
    await request(
      `${server.url}${API}/registered-models/alias`,
      JSON.stringify({ name, alias: "champion", version: champion }),
    );
    log(`${backend}: resolving the alias ${sizes.resolves} times`);
    const url = `${server.url}${API}/registered-models/alias?name=${name}&alias=champion`;
    const body = JSON.parse(await request(url)) as { model_version: { version: string } };
    if (body.model_version.version !== champion)
      throw new Error(`alias resolved to ${body.model_version.version}`);
    resolve = await latency(url, sizes.resolves);
  } finally {
    closeConnections();
    await server.stop();
  }
  return figures(backend, sizes, perSecond, resolve, await helloFloor(sizes.resolves));
}

/** The run's figures: registration rate, resolve p50/p99 (target p99 ≤ 5 ms), and the hello-world floor. */
function figures(
  backend: Backend,
  sizes: Sizes,
  perSecond: number,
  resolve: LatencySummary,
  hello: LatencySummary,
): Figure[] {
  const detail = { versions: sizes.versions, resolves: sizes.resolves, resolve, hello };
  const ms = { backend, unit: "ms", better: "lower" } as const;
  return [
    figure({
      backend,
      name: "register versions (MLflow REST, 4 clients)",
      unit: "versions/s",
      value: perSecond,
      target: null,
      better: "higher",
    }),
    figure({ ...ms, name: "alias resolve p50", value: resolve.p50, target: null, detail }),
    figure({ ...ms, name: "alias resolve p99", value: resolve.p99, target: RESOLVE_P99_TARGET_MS, detail }),
    figure({ ...ms, name: "hello-world Fastify p50 (floor)", value: hello.p50, target: null }),
    figure({ ...ms, name: "hello-world Fastify p99 (floor)", value: hello.p99, target: null }),
  ];
}

/** The same timing loop against a hello-world Fastify route in its own process. */
async function helloFloor(n: number): Promise<LatencySummary> {
  const hello = await spawnChild("./hello-process.ts", []);
  try {
    return await latency(`${hello.url}/hello`, n);
  } finally {
    closeConnections();
    await hello.stop();
  }
}

interface Sizes {
  versions: number;
  resolves: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      backend: { type: "string", default: "all" },
      versions: { type: "string", default: "1000" },
      resolves: { type: "string", default: "10000" },
    },
  });
  const backends: Backend[] = values.backend === "all" ? ["sqlite", "postgres"] : [values.backend as Backend];
  if (!backends.every((b) => b === "sqlite" || b === "postgres"))
    throw new Error(`--backend must be sqlite, postgres or all (got ${values.backend})`);
  const sizes: Sizes = { versions: Number(values.versions), resolves: Number(values.resolves) };
  const dir = mkdtempSync(join(tmpdir(), "gyre-bench-registry-"));
  let pg: PgServer | undefined;
  const figures: Figure[] = [];
  try {
    for (const backend of backends) {
      const sub = join(dir, backend);
      mkdirSync(sub, { recursive: true });
      let store = `sqlite://${join(sub, "gyre.db")}`;
      if (backend === "postgres") {
        pg ??= await startPostgres();
        store = await createDatabase(pg.url, `bench_${randomBytes(4).toString("hex")}`);
      }
      figures.push(...(await benchBackend(backend, store, sub, sizes)));
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
    sizes,
    loadavg: loadavg(),
  };
  writeResults("registry", meta, figures);
  process.stdout.write(
    `\n${table(figures)}\n\nload average (1/5/15 min): ${meta.loadavg.map((l) => l.toFixed(2)).join(" / ")}\n`,
  );
  process.stdout.write("JSON: bench/results/registry.json\n");
}

await main();
