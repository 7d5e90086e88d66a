import { readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { openArtifactStore } from "../artifacts/index.js";
import type { GyreConfig } from "../core/config.js";
import { GyreError } from "../core/errors.js";
import { uriPath } from "../core/schemes.js";
import { type FeatureStore, featuresFor, onlineFeatureLookup } from "../features/index.js";
import { openMetadataStore, sqlDialectOf, TrackingService } from "../metadata/index.js";
import { registryFor } from "../registry/index.js";
import { buildServingApp } from "./app.js";
import type { ServingConfig } from "./config.js";
import type { DeploymentEvent } from "./live-deployment.js";
import { HttpSink } from "./log/http-sink.js";
import { ParquetSink } from "./log/parquet-sink.js";
import { type LogSink, PredictionLog } from "./log/prediction-log.js";
import { ServingMetrics } from "./metrics.js";
import { OnnxModelRuntime } from "./onnx/onnx-runtime.js";
import { DataPlane } from "./plane.js";
import type { ModelRuntime } from "./runtime.js";
import { ServingService } from "./service.js";
import { SqlDeploymentStore } from "./sql/sql-deployment-store.js";
import type { Deployment, FeatureLookup } from "./types.js";

/** gyre's version (package.json), reported by `/version` and `GET /v2`. */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

export interface StartServingOptions {
  /** Where the metadata store (registry, stored deployments) and artifact store (packages, prediction log) are. */
  config: Pick<GyreConfig, "store" | "artifacts" | "logLevel" | "onlineStore">;
  serving: ServingConfig;
  /** Deployments declared in gyre.config.ts. */
  deployments?: Deployment[];
  /**
   * Online feature lookup for deployments that enrich requests. Default: the feature store's online store
   * of `config` (opened on the first lookup); null: none, so such requests must carry every input.
   */
  features?: FeatureLookup | null;
  /** Model runtimes by flavor; default ONNX Runtime with `serving.runtime` threads. */
  runtimes?: ModelRuntime[];
  /** `/metrics` text; default this process's registry (a cluster worker passes the aggregated one). */
  metrics?: (local: ServingMetrics) => Promise<{ contentType: string; text: string }>;
}

/** A running serving process. */
export interface RunningServing {
  app: FastifyInstance;
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  plane: DataPlane;
  service: ServingService;
  metrics: ServingMetrics;
  log: PredictionLog | null;
  /** Re-reads deployments and aliases now (the poller does this every `pollIntervalMs`). */
  sync(): Promise<void>;
  /** Graceful shutdown: not ready, stop accepting, finish in-flight requests, flush the log, release models. */
  close(): Promise<void>;
}

/** The feature store's online lookup over the serving process's stores, opened on first use (retried after a failure). */
function lazyFeatureLookup(
  tracking: TrackingService,
  config: StartServingOptions["config"],
): { lookup: FeatureLookup; close(): Promise<void> } {
  let opened: Promise<{ store: FeatureStore; lookup: FeatureLookup }> | null = null;
  return {
    lookup: {
      async lookup(service, entityRows) {
        opened ??= featuresFor(tracking, config).then(
          (store) => ({ store, lookup: onlineFeatureLookup(store) }),
          (e: unknown) => {
            opened = null;
            throw e;
          },
        );
        return (await opened).lookup.lookup(service, entityRows);
      },
    },
    async close() {
      if (opened) await (await opened.catch(() => null))?.store.close();
    },
  };
}

function predictionLog(
  config: StartServingOptions["config"],
  serving: ServingConfig,
  metrics: ServingMetrics,
): PredictionLog | null {
  const settings = serving.predictionLog;
  if (!settings.enabled) return null;
  const sinks: LogSink[] = [];
  if (config.artifacts.startsWith("file:"))
    sinks.push(new ParquetSink(uriPath(config.artifacts, process.cwd())));
  if (settings.http) sinks.push(new HttpSink(settings.http));
  if (sinks.length === 0) return null;
  return new PredictionLog(sinks, {
    capacity: settings.capacity,
    flushIntervalMs: settings.flushIntervalMs,
    onDrop: (deployment, rows) => metrics.logDropped.inc({ deployment }, rows),
    onDepth: (rows) => metrics.logQueue.set(rows),
    onFlush: (rows, error, sink) =>
      error ? metrics.logErrors.inc({ sink }) : metrics.logWritten.inc({ sink }, rows),
  });
}

/**
 * Starts model serving on `serving.host:port` (port 0: any free port): loads and warms every deployment's
 * versions before listening, then follows alias moves and stored-deployment changes every `pollIntervalMs`.
 * Throws CONFIG_INVALID for a store that is not a database.
 */
export async function startServing(o: StartServingOptions): Promise<RunningServing> {
  if (!/^(sqlite|postgres|postgresql|memory):/.test(o.config.store)) {
    throw new GyreError(
      "CONFIG_INVALID",
      `gyre serve needs the metadata database (sqlite://, postgres://), not '${o.config.store}'`,
      { field: "store" },
    );
  }
  const [store, artifacts] = await Promise.all([
    openMetadataStore(o.config.store),
    openArtifactStore(o.config.artifacts),
  ]);
  const tracking = new TrackingService(store, artifacts);
  const registry = await registryFor(tracking, { validator: null });
  const deployments = await SqlDeploymentStore.open(sqlDialectOf(store)!);
  const service = new ServingService(deployments, o.deployments ?? [], registry);
  const metrics = new ServingMetrics();
  const log = predictionLog(o.config, o.serving, metrics);
  await log?.open();
  let app: FastifyInstance | null = null;
  const onEvent: DeploymentEvent = (e) => {
    const msg = `deployment ${e.deployment} ${e.variant}: ${e.outcome} ${e.from ?? "-"} → ${e.to}`;
    if (e.outcome === "failed") app?.log.warn({ err: e.error?.message }, msg);
    else app?.log.info(msg);
  };
  const cacheDir = join(o.serving.cacheDir, `${process.pid}-${Date.now()}`);
  const lazy = o.features === undefined ? lazyFeatureLookup(tracking, o.config) : null;
  const runtimes = o.runtimes ?? [new OnnxModelRuntime(o.serving.runtime)];
  const plane = new DataPlane({
    registry,
    artifacts,
    runtimes,
    cacheDir,
    metrics,
    log,
    features: lazy ? lazy.lookup : (o.features ?? null),
    onEvent,
  });
  metrics.queueDepths = () => plane.queueDepths();
  let syncing: Promise<void> = Promise.resolve();
  const sync = () => {
    syncing = syncing.then(async () => {
      await plane.apply(await service.list());
      await plane.refresh();
    });
    return syncing;
  };
  await sync();
  let draining = false;
  app = await buildServingApp({
    plane,
    service,
    config: o.serving,
    logLevel: o.config.logLevel,
    version: VERSION,
    metrics: o.metrics
      ? () => o.metrics!(metrics)
      : async () => ({ contentType: metrics.registry.contentType, text: await metrics.registry.metrics() }),
    sync,
    draining: () => draining,
  });
  if (!log && o.serving.predictionLog.enabled) {
    app.log.warn(
      `prediction log off: it needs a file:// artifact store (not ${o.config.artifacts}) or serving.predictionLog.http`,
    );
  }
  await app.listen({ host: o.serving.host, port: o.serving.port });
  const poll = setInterval(() => {
    sync().catch((e) => app?.log.warn({ err: (e as Error).message }, "serving poll failed"));
  }, o.serving.pollIntervalMs);
  poll.unref();
  const addr = app.server.address();
  const port = typeof addr === "object" && addr ? addr.port : o.serving.port;
  const host = o.serving.host.includes(":") ? `[${o.serving.host}]` : o.serving.host;
  const running = app;
  return {
    app: running,
    url: `http://${host}:${port}`,
    plane,
    service,
    metrics,
    log,
    sync,
    async close() {
      draining = true;
      clearInterval(poll);
      const force = setTimeout(() => running.server.closeAllConnections(), o.serving.shutdownTimeoutMs);
      await running.close();
      clearTimeout(force);
      await syncing.catch(() => {});
      await plane.close();
      await log?.close();
      await lazy?.close();
      await registry.close();
      await tracking.close();
      await rm(cacheDir, { recursive: true, force: true });
    },
  };
}
