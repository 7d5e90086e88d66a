import type { FastifyInstance } from "fastify";
import { Gauge, type Registry } from "prom-client";
import { z } from "zod";
import {
  MAX_FEEDBACK_ITEMS,
  type MonitoringService,
  type MonitorRun,
  parseCompare,
  parseReferenceSpec,
  parseWindow,
  publicMonitor,
} from "../../monitoring/index.js";
import type { RouteTable } from "../routes.js";
import { API_PREFIX } from "./tracking-routes.js";

const feedbackBody = z
  .object({
    deployment: z.string().min(1),
    items: z.array(z.unknown()).min(1).max(MAX_FEEDBACK_ITEMS).optional(),
  })
  .loose();

const timeQuery = z.union([
  z.coerce.number().int().min(0),
  z.iso.datetime({ offset: true }).transform((t) => Date.parse(t)),
]);

/** A run without per-feature summaries (those are for reports). */
function runSummary(run: MonitorRun): unknown {
  return {
    ...run,
    report: { ...run.report, features: run.report.features.map(({ summary: _s, ...f }) => f) },
  };
}

/**
 * Monitoring over HTTP: ground-truth feedback, monitors and their runs, alerts, stored metric time series;
 * Prometheus gauges of the latest drift scores and alert states on the server's /metrics.
 */
export function registerNativeMonitoring(
  app: FastifyInstance,
  routes: RouteTable,
  svc: MonitoringService,
  metrics: Registry,
): void {
  const tag = "monitoring";
  const base = `${API_PREFIX}/monitoring`;
  routes.add(app, {
    method: "POST",
    url: `${base}/feedback`,
    summary:
      "Ground truth for logged predictions: one item or many under `items`, by request_id [+ row_index] or entity_key + timestamp",
    tag,
    body: feedbackBody,
    handler: async ({ body }) => {
      const { deployment, items, ...single } = body;
      return svc.ingestFeedback(deployment, items ?? [single]);
    },
  });
  routes.add(app, {
    method: "GET",
    url: `${base}/feedback`,
    summary: "Stored feedback of a deployment: totals and the oldest unmatched items",
    tag,
    query: z.object({ deployment: z.string().min(1) }),
    handler: async ({ query }) => svc.feedbackStatus(query.deployment),
  });
  routes.add(app, {
    method: "GET",
    url: `${base}/monitors`,
    summary: "Monitors defined in gyre.config.ts with their last run and firing alerts",
    tag,
    // Webhook URLs and header values can be credentials: the API shows where alerts go, not the secrets.
    handler: async () => ({
      monitors: (await svc.status()).map((s) => ({ ...s, monitor: publicMonitor(s.monitor) })),
    }),
  });
  routes.add(app, {
    method: "POST",
    url: `${base}/monitors/:name/run`,
    summary: "Runs a monitor now: evaluates its window, stores results, updates alerts and runs actions",
    tag,
    params: z.object({ name: z.string().min(1) }),
    handler: async ({ params }) => runSummary(await svc.run(params.name)),
  });
  routes.add(app, {
    method: "GET",
    url: `${base}/alerts`,
    summary: "Alerts, most recent first",
    tag,
    query: z.object({
      deployment: z.string().optional(),
      monitor: z.string().optional(),
      state: z.enum(["firing", "resolved"]).optional(),
      limit: z.coerce.number().int().positive().max(1000).optional(),
    }),
    handler: async ({ query }) => ({ alerts: await svc.alerts(query) }),
  });
  routes.add(app, {
    method: "GET",
    url: `${base}/results`,
    summary: "Stored metric values per window (drift, data quality, performance), newest window first",
    tag,
    query: z.object({
      deployment: z.string().optional(),
      monitor: z.string().optional(),
      feature: z.string().optional(),
      metric: z.string().optional(),
      from: timeQuery.optional(),
      to: timeQuery.optional(),
      limit: z.coerce.number().int().positive().max(10_000).optional(),
    }),
    handler: async ({ query }) => ({ results: await svc.results(query) }),
  });
  routes.add(app, {
    method: "GET",
    url: `${base}/deployments`,
    summary:
      "Deployments with a prediction log or a monitor: their monitors, firing alerts and last evaluation",
    tag,
    handler: async () => ({ deployments: await svc.deployments() }),
  });
  routes.add(app, {
    method: "GET",
    url: `${base}/deployments/:deployment/drift`,
    summary: "Drift, data quality and binned distributions of one window, computed now and not stored",
    tag,
    params: z.object({ deployment: z.string().min(1) }),
    query: z.object({
      window: z.string().min(1).default("1h").describe("a duration (1h) or a row count (5000)"),
      reference: z.string().min(1).default("profile").describe("profile | first:<N> | <from>..<to>"),
      features: z.string().optional().describe("comma-separated feature keys"),
    }),
    handler: async ({ params, query }) =>
      svc.evaluate(
        params.deployment,
        parseWindow(query.window),
        parseReferenceSpec(query.reference),
        query.features?.split(","),
      ),
  });
  routes.add(app, {
    method: "GET",
    url: `${base}/deployments/:deployment/variants`,
    summary:
      "The deployment's variants (primary, canary/A/B, shadow) over one window: rows, latency, metrics on the labels so far, and a significance test of each against the primary",
    tag,
    params: z.object({ deployment: z.string().min(1) }),
    query: z.object({
      window: z
        .string()
        .min(1)
        .default("24h")
        .describe("a duration ending now (24h) or the last N served rows"),
      baseline: z.string().optional().describe("variant to test the others against (default: primary)"),
      prediction: z.string().optional().describe("output holding the prediction (default: the first)"),
      score: z.string().optional().describe("output holding the positive-class probability"),
      threshold: z.string().optional().describe("decision threshold on score"),
      task: z.string().optional().describe("classification | regression (default: inferred)"),
      positive: z.string().optional().describe("the positive class"),
      alpha: z.string().optional().describe("significance level (default 0.05)"),
      minLabels: z.string().optional().describe("fewest labelled rows per side for a test (default 30)"),
    }),
    handler: async ({ params, query }) => {
      const { window, options } = parseCompare(query);
      return svc.compareVariants(params.deployment, window, options);
    },
  });
  registerGauges(svc, metrics);
}

function registerGauges(svc: MonitoringService, metrics: Registry): void {
  new Gauge({
    name: "gyre_monitoring_drift_score",
    help: "Latest drift score (p-value for ks/chi2, distance otherwise) and data-quality shares per deployment, feature and metric",
    labelNames: ["deployment", "feature", "metric"],
    registers: [metrics],
    async collect() {
      this.reset();
      for (const g of await svc.gauges())
        this.set({ deployment: g.deployment, feature: g.feature, metric: g.metric }, g.value);
    },
  });
  new Gauge({
    name: "gyre_monitoring_alert_firing",
    help: "1 while an alert is firing, 0 once resolved, per deployment, monitor, feature and metric",
    labelNames: ["deployment", "monitor", "feature", "metric", "severity"],
    registers: [metrics],
    async collect() {
      this.reset();
      const seen = new Set<string>();
      // Newest first: the latest alert of each series decides its state.
      for (const a of await svc.alerts({ limit: 1000 })) {
        const labels = {
          deployment: a.deployment,
          monitor: a.monitor,
          feature: a.feature,
          metric: a.metric,
          severity: a.severity,
        };
        const key = JSON.stringify(labels);
        if (seen.has(key)) continue;
        seen.add(key);
        this.set(labels, a.state === "firing" ? 1 : 0);
      }
    },
  });
}
