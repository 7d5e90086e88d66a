import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import Fastify, { type FastifyError, type FastifyInstance, LogController } from "fastify";
import { GyreError, isGyreError } from "../core/errors.js";
import { lazyChildLogger } from "../core/request-log.js";
import { registerDeploymentAdmin } from "./admin-routes.js";
import type { ServingConfig } from "./config.js";
import { registerMlflowScoring } from "./mlflow/routes.js";
import type { DataPlane } from "./plane.js";
import type { ServingService } from "./service.js";
import { registerV2 } from "./v2/routes.js";

export interface ServingAppOptions {
  plane: DataPlane;
  service: ServingService;
  config: ServingConfig;
  logLevel: string;
  version: string;
  /** Prometheus text of this process (or, in a cluster, of all workers). */
  metrics: () => Promise<{ contentType: string; text: string }>;
  /** Re-reads deployments and aliases now (after a management call). */
  sync: () => Promise<void>;
  draining: () => boolean;
}

const MEDIA_TYPES = "Types: ['text/csv', 'application/json']";

/** Converts anything thrown into a GyreError; unexpected errors become INTERNAL. */
function toGyreError(err: unknown): GyreError {
  if (isGyreError(err)) return err;
  const fe = err as FastifyError;
  if (fe.code === "FST_ERR_CTP_BODY_TOO_LARGE" || fe.statusCode === 413) {
    return new GyreError(
      "REQUEST_TOO_LARGE",
      "Request body is larger than the server's limit (serving.bodyLimit); send smaller batches",
      { field: "body" },
    );
  }
  if (fe.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE" || fe.statusCode === 415) {
    return new GyreError(
      "SERVING_UNSUPPORTED_MEDIA_TYPE",
      `This predictor only supports the following content types: ${MEDIA_TYPES}`,
      { field: "content-type" },
    );
  }
  if (typeof fe.statusCode === "number" && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new GyreError("SERVING_INPUT_FORMAT", `Malformed request: ${fe.message}`, { field: "body" });
  }
  return new GyreError("INTERNAL", "Internal server error", { cause: err });
}

function mlflowCode(e: GyreError): string {
  if (e.category === "invalid_argument" || e.category === "failed_precondition") return "BAD_REQUEST";
  return e.mlflowCode;
}

/** The serving HTTP app: OIP v2, MLflow scoring, the deployments API and Prometheus `/metrics`, with each protocol's error body. */
export async function buildServingApp(o: ServingAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: o.logLevel, stream: process.stderr },
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyChildLogger,
    bodyLimit: o.config.bodyLimit,
    // Node checks request deadlines every `connectionsCheckingInterval` (30 s by default): check often enough
    // that a client dripping its body is cut off (408) close to `requestTimeoutMs`.
    serverFactory: (handler) =>
      createServer(
        {
          requestTimeout: o.config.requestTimeoutMs,
          connectionsCheckingInterval: Math.min(1000, o.config.requestTimeoutMs),
          keepAliveTimeout: 5000,
        },
        handler,
      ),
    genReqId: (req) => {
      const given = req.headers["x-request-id"];
      return typeof given === "string" && given.length > 0 && given.length <= 128 ? given : randomUUID();
    },
    routerOptions: { maxParamLength: 500 },
  });
  app.addContentTypeParser("text/csv", { parseAs: "string" }, (_req, body, done) => done(null, body));
  // Set before the route runs, so every answer carries it (errors and 404s too); a callback hook costs
  // no promise per request.
  app.addHook("onRequest", (req, reply, done) => {
    reply.header("x-request-id", req.id);
    done();
  });
  app.setErrorHandler((err, req, reply) => {
    const e = toGyreError(err);
    if (e.category === "internal")
      req.log[req.raw.destroyed ? "debug" : "error"]({ err, reqId: req.id }, "request failed");
    const status = e.code === "SERVING_UNSUPPORTED_MEDIA_TYPE" ? 415 : e.httpStatus;
    const message =
      status >= 500 && e.category === "internal" ? `${e.message} (request id ${req.id})` : e.message;
    if (req.url.startsWith("/v2")) return reply.code(status).send({ error: message });
    if (req.url.startsWith("/api/"))
      return reply.code(status).send({ error: { code: e.code, message, field: e.field } });
    return reply.code(status).send({ error_code: mlflowCode(e), message });
  });
  app.setNotFoundHandler((req, reply) => {
    const message = `No route ${req.method} ${req.url.split("?")[0]}; serving answers /v2/…, /invocations, /ping, /health, /version, /metrics, /api/v1/deployments`;
    if (req.url.startsWith("/v2")) return reply.code(404).send({ error: message });
    return reply.code(404).send({ error_code: "ENDPOINT_NOT_FOUND", message });
  });
  const server = { name: "gyre", version: o.version, draining: o.draining };
  registerV2(app, o.plane, server);
  registerMlflowScoring(app, o.plane, server);
  registerDeploymentAdmin(app, o.service, o.plane, o.sync);
  app.get("/metrics", async (_req, reply) => {
    const m = await o.metrics();
    return reply.type(m.contentType).send(m.text);
  });
  return app;
}
