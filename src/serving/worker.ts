/**
 * Entry module of a serving cluster worker (forked by `startCluster` for `gyre serve --workers N`): its one
 * argument is the JSON of {@link WorkerSpec}, already resolved by the primary, so every worker serves the
 * same configuration. Shuts down gracefully when the primary asks or goes away.
 */
import { announceWorker, clusterMetrics } from "./cluster.js";
import type { ServingConfig } from "./config.js";
import { type StartServingOptions, startServing } from "./server.js";
import type { Deployment } from "./types.js";

/** What the primary hands each worker. */
export interface WorkerSpec {
  config: StartServingOptions["config"];
  serving: ServingConfig;
  deployments: Deployment[];
}

const spec = JSON.parse(process.argv[2] ?? "{}") as WorkerSpec;
let aggregate: (() => Promise<{ contentType: string; text: string }>) | null = null;
const running = await startServing({
  config: spec.config,
  serving: spec.serving,
  deployments: spec.deployments,
  metrics: async (local) =>
    aggregate
      ? aggregate()
      : { contentType: local.registry.contentType, text: await local.registry.metrics() },
});
aggregate = clusterMetrics(running.metrics);
let stopping: Promise<void> | null = null;
const stop = () => {
  stopping ??= running.close();
  return stopping;
};
// Ctrl+C reaches every process of the terminal's group; the primary coordinates the shutdown.
process.on("SIGINT", () => {});
process.on("SIGTERM", () => {});
process.on("disconnect", () => void stop().finally(() => process.exit(0)));
announceWorker(running.url, stop);
