import { readFileSync } from "node:fs";
import Fastify, { type FastifyError, type FastifyInstance, LogController } from "fastify";
import type { GyreConfig } from "../core/config.js";
import { GyreError, isGyreError } from "../core/errors.js";
import { parseLenientJson } from "../core/json.js";
import { lazyChildLogger } from "../core/request-log.js";
import type { FeatureStore } from "../features/index.js";
import type { TrackingService } from "../metadata/index.js";
import type { MonitoringService } from "../monitoring/index.js";
import type { PipelineService } from "../pipelines/index.js";
import type { RegistryService } from "../registry/index.js";
import { registerMlflowArtifacts } from "./mlflow/artifact-routes.js";
import { registerMlflowRegistry } from "./mlflow/registry-routes.js";
import { registerMlflowTracking } from "./mlflow/tracking-routes.js";
import { registerNativeData } from "./native/data-routes.js";
import { type DeploymentsApi, registerNativeDeployments } from "./native/deployment-routes.js";
import { registerNativeFeatures } from "./native/feature-routes.js";
import { registerNativeMonitoring } from "./native/monitoring-routes.js";
import { registerNativePipelines } from "./native/pipeline-routes.js";
import { registerNativeRegistry } from "./native/registry-routes.js";
import { API_PREFIX, registerNativeArtifacts, registerNativeTracking } from "./native/tracking-routes.js";
import { registerNativeTriggers } from "./native/trigger-routes.js";
import { registerObservability } from "./observability.js";
import { RouteTable } from "./routes.js";
import { registerUi } from "./ui.js";

export const VERSION: string = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

export interface AppOptions {
  tracking: TrackingService;
  registry: RegistryService;
  /** Serves `/api/v1/pipelines…` when given. */
  pipelines?: PipelineService;
  /** Serves `/api/v1/features…` (the online feature server) when given. */
  features?: FeatureStore;
  /** Serves `/api/v1/monitoring…` and monitoring gauges on /metrics when given. */
  monitoring?: MonitoringService;
  /** Serves `/api/v1/deployments…` (read-only, with live stats from the serving data planes) when given. */
  deployments?: DeploymentsApi;
  config: Pick<GyreConfig, "server" | "logLevel">;
  /** Directory of the built web UI served at `/` (default ui/dist of this package); false serves none. */
  ui?: string | false;
}

function isMlflowRoute(url: string): boolean {
  return /^\/(ajax-)?api\/2\.0\//.test(url);
}

/** Converts anything thrown into a GyreError; unexpected errors become INTERNAL (details go to the log only). */
function toGyreError(err: unknown): GyreError {
  if (isGyreError(err)) return err;
  const fe = err as FastifyError;
  if (fe.code === "FST_ERR_CTP_BODY_TOO_LARGE" || fe.statusCode === 413) {
    return new GyreError(
      "REQUEST_TOO_LARGE",
      "Request body is larger than the server's limit; send smaller batches",
      {
        field: "body",
      },
    );
  }
  if (typeof fe.statusCode === "number" && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new GyreError("REQUEST_INVALID", `Malformed request: ${fe.message}`, { field: "body" });
  }
  if (err instanceof SyntaxError)
    return new GyreError("REQUEST_INVALID", `Malformed JSON body: ${err.message}`, { field: "body" });
  return new GyreError("INTERNAL", "Internal server error", { cause: err });
}

/**
 * Builds the gyre HTTP server: MLflow REST 2.0 (tracking, model registry, artifact proxy), the native `/api/v1`
 * API with its OpenAPI document, health, version and Prometheus metrics. Routes are thin; all logic
 * is in the services.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    // Logs go to stderr so that stdout stays the CLI's (e.g. `gyre server --json`).
    logger: { level: options.config.logLevel, stream: process.stderr },
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyChildLogger,
    bodyLimit: options.config.server.bodyLimit,
    routerOptions: { maxParamLength: 1000 },
  });
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) => {
    try {
      done(null, body === "" ? {} : parseLenientJson(body as string));
    } catch (e) {
      done(
        new GyreError("REQUEST_INVALID", `Malformed JSON body: ${(e as Error).message}`, { field: "body" }),
        undefined,
      );
    }
  });
  app.setErrorHandler((err, req, reply) => {
    const e = toGyreError(err);
    // A client that hung up mid-request is not a server fault: note it at debug level only.
    const disconnected = (err as NodeJS.ErrnoException).code === "ECONNRESET" || req.raw.destroyed;
    if (e.category === "internal")
      req.log[disconnected ? "debug" : "error"]({ err, reqId: req.id }, "request failed");
    const status = e.httpStatus;
    if (isMlflowRoute(req.url))
      return reply.code(status).send({ error_code: e.mlflowCode, message: e.message });
    const body = {
      code: e.code,
      message: e.message,
      field: e.field,
      details: e.details,
      requestId: status >= 500 ? req.id : undefined,
    };
    return reply.code(status).send({ error: body });
  });
  const uiFallback = options.ui === false ? null : await registerUi(app, options.ui);
  app.setNotFoundHandler((req, reply) => {
    if (uiFallback?.(req, reply)) return reply;
    const e = new GyreError(
      "ENDPOINT_NOT_FOUND",
      `No route ${req.method} ${req.url.split("?")[0]}; see ${API_PREFIX}/openapi.json`,
    );
    if (isMlflowRoute(req.url)) return reply.code(404).send({ error_code: e.mlflowCode, message: e.message });
    return reply.code(404).send({ error: { code: e.code, message: e.message } });
  });

  const routes = new RouteTable();
  const metrics = registerObservability(app, VERSION);
  registerMlflowTracking(app, routes, options.tracking);
  registerNativeTracking(app, routes, options.tracking);
  registerMlflowRegistry(app, routes, options.registry);
  registerNativeRegistry(app, routes, options.registry);
  registerNativeData(app, routes, options.tracking);
  if (options.pipelines) {
    registerNativeTriggers(app, routes, options.pipelines);
    registerNativePipelines(app, routes, options.pipelines);
  }
  if (options.features) registerNativeFeatures(app, routes, options.features);
  if (options.deployments) registerNativeDeployments(app, routes, options.deployments);
  if (options.monitoring) registerNativeMonitoring(app, routes, options.monitoring, metrics);
  await app.register(async (raw) => {
    // Artifact uploads stream their body as it is, whatever its content type (JSON files included).
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser("*", (_req, payload, done) => done(null, payload));
    registerMlflowArtifacts(raw, routes, options.tracking);
    registerNativeArtifacts(raw, routes, options.tracking);
  });
  app.get(`${API_PREFIX}/openapi.json`, async () =>
    routes.openapi({ title: "gyre", version: VERSION }, API_PREFIX),
  );
  return app;
}
