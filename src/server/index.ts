import type { FastifyInstance } from "fastify";
import { openArtifactStore } from "../artifacts/index.js";
import type { GyreConfig } from "../core/config.js";
import { GyreError } from "../core/errors.js";
import { type FeatureDefinition, type FeatureStore, featuresFor } from "../features/index.js";
import { openMetadataStore, sqlDialectOf, TrackingService } from "../metadata/index.js";
import {
  alertDelivery,
  type Monitor,
  type MonitoringService,
  monitoringFor,
  pipelineTrigger,
} from "../monitoring/index.js";
import {
  type PipelineDef,
  type PipelineScheduler,
  type PipelineService,
  pipelinesFor,
  type SchedulerOptions,
  schedulerFor,
  triggersFor,
} from "../pipelines/index.js";
import { type RegistryService, type RegistryServiceOptions, registryFor } from "../registry/index.js";
import { type Deployment, LiveStats, type ServingService, servingFor } from "../serving/index.js";
import { buildApp } from "./app.js";

export type { AppOptions } from "./app.js";
export { buildApp, VERSION } from "./app.js";

export interface RunningServer {
  app: FastifyInstance;
  /** e.g. http://127.0.0.1:5000 */
  url: string;
  tracking: TrackingService;
  registry: RegistryService;
  /** Pipelines over the same database: runs started here are driven by this process. */
  pipelines: PipelineService;
  /** The feature store, when started with `features`. */
  features: FeatureStore | null;
  /** Monitoring over the prediction log (null when the artifact store is not file://). */
  monitoring: MonitoringService | null;
  /** The schedule runner, when started with `scheduler`. */
  scheduler: PipelineScheduler | null;
  /** Deployments (read-only here) over the same database. */
  deployments: ServingService | null;
  /** Stops accepting connections, lets in-flight requests finish, then closes the stores. */
  close(): Promise<void>;
}

/** What the server's registry is built with beyond the config, e.g. the model-package validator. */
export interface ServerOptions {
  registry?: Pick<RegistryServiceOptions, "validator" | "defaultUser">;
  /** Pipelines the server can run (HTTP trigger, schedules); stored runs are served regardless. */
  pipelines?: PipelineDef[];
  /** Fires schedules and resumes orphaned runs inside the server (off unless given; `gyre server` turns it on). */
  scheduler?: boolean | SchedulerOptions;
  /** Serves the feature store (online lookups, definitions, stats) with these code definitions registered. */
  features?: FeatureDefinition[];
  /** Directory relative feature-source paths resolve against (default: the current directory). */
  featuresDir?: string;
  /** Monitors from gyre.config.ts; with `scheduler` they run on their schedules inside the server. */
  monitors?: Monitor[];
  /** Directory of the built web UI served at `/` (default: this package's ui/dist); false serves none. */
  ui?: string | false;
  /** Deployments declared in gyre.config.ts (stored ones are read from the database). */
  deployments?: Deployment[];
  /** Base URLs of the serving data planes (`gyre serve`) whose /metrics give live requests/s and latency. */
  servingUrls?: string[];
}

/** How often the server checks whether a monitor is due, ms. */
const MONITOR_TICK_MS = 30_000;

/**
 * Opens the stores named in `config` and serves them on `config.server.host:port` (port 0 = any free port).
 * The registry lives in the metadata database and refuses local-path sources outside a run (MLflow's rule).
 */
export async function startServer(config: GyreConfig, options: ServerOptions = {}): Promise<RunningServer> {
  if (/^https?:/.test(config.store)) {
    throw new GyreError(
      "CONFIG_INVALID",
      "`gyre server` needs a database store (sqlite://, postgres://), not another server",
      {
        field: "store",
      },
    );
  }
  const [store, artifacts] = await Promise.all([
    openMetadataStore(config.store),
    openArtifactStore(config.artifacts),
  ]);
  const tracking = new TrackingService(store, artifacts);
  const registry = await registryFor(tracking, { ...options.registry, restrictLocalSources: true });
  const pipelines = await pipelinesFor(tracking, { trackingUri: config.store });
  pipelines.register(...(options.pipelines ?? []));
  const features = options.features
    ? (
        await featuresFor(tracking, config, options.featuresDir ? { projectDir: options.featuresDir } : {})
      ).register(options.features)
    : null;
  // The monitors' `log` action writes through the server's logger (bound once the app exists).
  let logger: FastifyInstance["log"] | null = null;
  const monitoring = config.artifacts.startsWith("file:")
    ? await monitoringFor(tracking, {
        artifacts: config.artifacts,
        registry,
        monitors: options.monitors ?? [],
        actions: {
          trigger: pipelineTrigger(pipelines, tracking),
          deliver: alertDelivery(await triggersFor(pipelines)),
          log: ({ msg, ...entry }) => logger?.warn(entry, String(msg ?? "monitoring alert")),
        },
      })
    : null;
  const deployments = sqlDialectOf(store)
    ? await servingFor(tracking, registry, options.deployments ?? [])
    : null;
  const live = options.servingUrls?.length ? new LiveStats({ urls: options.servingUrls }) : null;
  const app = await buildApp({
    tracking,
    registry,
    pipelines,
    config,
    ui: options.ui,
    ...(deployments ? { deployments: { service: deployments, live } } : {}),
    ...(features ? { features } : {}),
    ...(monitoring ? { monitoring } : {}),
  });
  logger = app.log;
  await app.listen({ host: config.server.host, port: config.server.port });
  const scheduler = options.scheduler
    ? await schedulerFor(pipelines, options.scheduler === true ? {} : options.scheduler)
    : null;
  await scheduler?.start();
  const monitorTimer =
    options.scheduler && monitoring
      ? setInterval(() => {
          monitoring
            .tick((monitor, e) => app.log.error({ err: e, monitor }, "monitor run failed"))
            .catch(() => undefined);
        }, MONITOR_TICK_MS).unref()
      : null;
  const addr = app.server.address();
  const port = typeof addr === "object" && addr ? addr.port : config.server.port;
  const host = config.server.host.includes(":") ? `[${config.server.host}]` : config.server.host;
  return {
    app,
    url: `http://${host}:${port}`,
    tracking,
    registry,
    pipelines,
    features,
    monitoring,
    scheduler,
    deployments,
    async close() {
      scheduler?.stop();
      if (monitorTimer) clearInterval(monitorTimer);
      await app.close();
      await features?.close();
      await monitoring?.close();
      await pipelines.close();
      await registry.close();
      await tracking.close();
    },
  };
}
