import type { FastifyInstance } from "fastify";
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

/** `/health`, `/version` and a Prometheus `/metrics` with per-route request counts and latencies. */
export function registerObservability(app: FastifyInstance, version: string): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "gyre_" });
  const requests = new Counter({
    name: "gyre_http_requests_total",
    help: "HTTP requests by method, route and status",
    labelNames: ["method", "route", "status"],
    registers: [registry],
  });
  const latency = new Histogram({
    name: "gyre_http_request_duration_seconds",
    help: "HTTP request latency by method and route",
    labelNames: ["method", "route"],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  // A callback hook: no promise per request.
  app.addHook("onResponse", (req, reply, done) => {
    const route = req.routeOptions.url ?? "unmatched";
    requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    latency.observe({ method: req.method, route }, reply.elapsedTime / 1000);
    done();
  });
  app.get("/health", async (_req, reply) => reply.type("text/plain").send("OK"));
  app.get("/version", async (_req, reply) => reply.type("text/plain").send(version));
  app.get("/metrics", async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  return registry;
}
