/**
 * Model serving (C8): deployments that follow a registry alias, one data plane (traffic router → feature
 * enrichment → signature validation → dynamic batcher → ONNX Runtime) behind the Open Inference Protocol v2
 * and MLflow's `/invocations`, canary / A/B / shadow traffic, an asynchronous prediction log (Parquet) and
 * Prometheus metrics. `gyre serve` runs it on all cores through node:cluster.
 *
 *   const serving = await startServing({ config, serving: resolveServingConfig({ port: 8080 }), deployments });
 */
export type { ServingAppOptions } from "./app.js";
export {
  announceWorker,
  type ClusterOptions,
  clusterMetrics,
  isClusterWorker,
  type RunningCluster,
  startCluster,
  type WorkerSpec,
} from "./cluster.js";
export {
  loadServingModule,
  resolveServingConfig,
  type ServingConfig,
  type ServingConfigInput,
  servingDefaults,
} from "./config.js";
export {
  type DeploymentLive,
  type LivePoint,
  LiveStats,
  type LiveStatsOptions,
  type VariantLive,
} from "./live/live-stats.js";
export { ParquetSink, type PredictionRow } from "./log/parquet-sink.js";
export { PredictionLog, type PredictionRecord } from "./log/prediction-log.js";
export { OnnxModelRuntime } from "./onnx/onnx-runtime.js";
export type { LoadedModel, ModelRuntime, RuntimeOptions } from "./runtime.js";
export { type RunningServing, type StartServingOptions, startServing, VERSION } from "./server.js";
export { ServingService, type TrafficChange } from "./service.js";
export {
  BATCHING_DEFAULTS,
  type DeploymentSpec,
  deploymentSpecSchema,
  formatModelRef,
  normaliseDeployment,
  parseModelRef,
} from "./spec.js";
export type { DeploymentChange, DeploymentStore, StoredDeployment } from "./store.js";
export type { DeploymentTimeline, TimelineEvent } from "./timeline.js";
export type * from "./types.js";

import { openArtifactStore } from "../artifacts/index.js";
import type { GyreConfig } from "../core/config.js";
import { GyreError } from "../core/errors.js";
import { openMetadataStore, sqlDialectOf, TrackingService } from "../metadata/index.js";
import { type RegistryClient, registryFor } from "../registry/index.js";
import { ServingService } from "./service.js";
import { SqlDeploymentStore } from "./sql/sql-deployment-store.js";
import type { Deployment } from "./types.js";

/**
 * The deployments service over the metadata database named in `config` (for `gyre deployments`), with the
 * deployments declared in gyre.config.ts; `close` closes the stores. Throws CONFIG_INVALID for a non-SQL store.
 */
export async function openServingService(
  config: Pick<GyreConfig, "store" | "artifacts">,
  declared: Deployment[],
): Promise<{ service: ServingService; close(): Promise<void> }> {
  if (!/^(sqlite|postgres|postgresql|memory):/.test(config.store)) {
    throw new GyreError(
      "CONFIG_INVALID",
      `Deployments live in the metadata database (sqlite://, postgres://); got '${config.store}'`,
      { field: "store" },
    );
  }
  const [store, artifacts] = await Promise.all([
    openMetadataStore(config.store),
    openArtifactStore(config.artifacts),
  ]);
  const tracking = new TrackingService(store, artifacts);
  try {
    const registry = await registryFor(tracking, { validator: null });
    const deployments = await SqlDeploymentStore.open(sqlDialectOf(store)!);
    return {
      service: new ServingService(deployments, declared, registry),
      async close() {
        await registry.close();
        await tracking.close();
      },
    };
  } catch (e) {
    await tracking.close();
    throw e;
  }
}

/**
 * The deployments service over `tracking`'s metadata database (serving tables migrated on first use), sharing
 * its connection, with `declared` from gyre.config.ts. Throws CONFIG_INVALID when the store is not SQL-backed.
 */
export async function servingFor(
  tracking: TrackingService,
  registry: RegistryClient | null,
  declared: Deployment[],
): Promise<ServingService> {
  const dialect = sqlDialectOf(tracking.store);
  if (!dialect)
    throw new GyreError(
      "CONFIG_INVALID",
      `Deployments live in a SQL metadata store (sqlite://, postgres://); got a '${tracking.store.kind}' store`,
      { field: "store" },
    );
  return new ServingService(await SqlDeploymentStore.open(dialect), declared, registry);
}
