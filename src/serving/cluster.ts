import cluster, { type Worker } from "node:cluster";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { AggregatorRegistry } from "prom-client";
import type { ServingConfig } from "./config.js";
import type { ServingMetrics } from "./metrics.js";
import type { StartServingOptions } from "./server.js";
import type { Deployment } from "./types.js";

const READY = "gyre:serving:ready";
const STOP = "gyre:serving:stop";
const METRICS_REQ = "gyre:serving:metrics";
const METRICS_RES = "gyre:serving:metrics:res";

interface Message {
  type?: string;
  id?: number;
  url?: string;
  text?: string;
  contentType?: string;
  error?: string;
}

/** What the primary hands each worker: everything resolved, so every worker serves the same configuration. */
export interface WorkerSpec {
  config: StartServingOptions["config"];
  serving: ServingConfig;
  deployments: Deployment[];
}

/** The worker entry module (worker.ts from the sources under tsx, worker.js when built). */
const WORKER_ENTRY = fileURLToPath(
  new URL(`./worker.${import.meta.url.endsWith(".ts") ? "ts" : "js"}`, import.meta.url),
);

export interface ClusterOptions {
  workers: number;
  spec: WorkerSpec;
  /** Called when a worker dies unexpectedly (it is replaced). */
  onWorkerExit?: (pid: number | undefined, code: number | null) => void;
}

/** The primary of a serving cluster. */
export interface RunningCluster {
  url: string;
  pids(): number[];
  /** Asks every worker to shut down gracefully and waits for them to exit. */
  close(): Promise<void>;
}

async function waitReady(worker: Worker): Promise<string> {
  for (;;) {
    const [message] = (await Promise.race([
      once(worker, "message"),
      once(worker, "exit").then(([code]) => {
        throw new Error(`serving worker ${worker.process.pid} exited with code ${code} before it was ready`);
      }),
    ])) as [Message];
    if (message?.type === READY && message.url) return message.url;
  }
}

/**
 * Forks `workers` processes that each run this same program (`gyre serve …`) and share its port; the primary
 * answers the workers' `/metrics` with the cluster-wide aggregate (prom-client AggregatorRegistry), replaces
 * workers that die, and on `close` lets each drain. Resolves once every worker is ready.
 */
export async function startCluster(o: ClusterOptions): Promise<RunningCluster> {
  const aggregator = new AggregatorRegistry();
  let stopping = false;
  cluster.setupPrimary({
    exec: WORKER_ENTRY,
    args: [JSON.stringify(o.spec)],
    execArgv: loaderArgs(process.execArgv),
  });
  cluster.on("message", (worker, message: Message) => {
    if (message?.type !== METRICS_REQ) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: METRICS_RES, id: message.id, text, contentType: aggregator.contentType }),
      (e: Error) => worker.send({ type: METRICS_RES, id: message.id, error: e.message }),
    );
  });
  cluster.on("exit", (worker, code) => {
    if (stopping) return;
    o.onWorkerExit?.(worker.process.pid, code);
    cluster.fork();
  });
  const workers = Array.from({ length: o.workers }, () => cluster.fork());
  const urls = await Promise.all(workers.map(waitReady));
  return {
    url: urls[0]!,
    pids: () => Object.values(cluster.workers ?? {}).map((w) => w?.process.pid ?? 0),
    async close() {
      stopping = true;
      const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
      await Promise.all(
        alive.map((w) => {
          const exited = once(w, "exit");
          w.send({ type: STOP });
          return exited;
        }),
      );
    },
  };
}

/** Node flags a worker needs (module loaders such as tsx, conditions), without `-e`/`-p` code to evaluate. */
function loaderArgs(execArgv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i]!;
    if (a === "-e" || a === "--eval" || a === "-p" || a === "--print") i++;
    else if (!a.startsWith("--input-type") && !a.startsWith("--eval=") && !a.startsWith("--print="))
      out.push(a);
  }
  return out;
}

let nextId = 0;
const pending = new Map<number, (m: Message) => void>();

/**
 * In a cluster worker: makes this worker's registry collectable by the primary, and returns the `/metrics`
 * function that asks the primary for the aggregate of all workers.
 */
export function clusterMetrics(local: ServingMetrics): () => Promise<{ contentType: string; text: string }> {
  AggregatorRegistry.setRegistries([local.registry]);
  new AggregatorRegistry();
  process.on("message", (m: Message) => {
    if (m?.type === METRICS_RES && m.id !== undefined) pending.get(m.id)?.(m);
  });
  return () =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error("the cluster primary did not answer the metrics request within 5 s"));
      }, 5000);
      pending.set(id, (m) => {
        clearTimeout(timer);
        pending.delete(id);
        if (m.error) reject(new Error(m.error));
        else resolve({ contentType: m.contentType ?? "text/plain", text: m.text ?? "" });
      });
      process.send?.({ type: METRICS_REQ, id });
    });
}

/** In a cluster worker: tells the primary this worker is serving at `url`, and calls `stop` when asked to. */
export function announceWorker(url: string, stop: () => Promise<void>): void {
  process.on("message", (m: Message) => {
    if (m?.type === STOP) void stop().finally(() => process.exit(0));
  });
  process.send?.({ type: READY, url });
}

/** True in a process forked by `startCluster`. */
export function isClusterWorker(): boolean {
  return cluster.isWorker;
}
