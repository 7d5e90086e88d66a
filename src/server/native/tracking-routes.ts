import type { Readable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { TrackingService } from "../../metadata/index.js";
import { metricToWire, RUN_STATUSES, runToWire } from "../../metadata/index.js";
import { guessMime } from "../mlflow/artifact-routes.js";
import { double, int64, list, viewType } from "../mlflow/schemas.js";
import type { RouteTable } from "../routes.js";

export const API_PREFIX = "/api/v1";

/** Awaits a write and answers with an empty JSON object. */
async function ok(p: Promise<unknown>): Promise<Record<string, never>> {
  await p;
  return {};
}

const tag = z.object({ key: z.string().min(1), value: z.string() });
const runParams = z.object({ runId: z.string().min(1) });
const expParams = z.object({ experimentId: z.string().min(1) });
const metric = z.object({
  key: z.string().min(1),
  value: double,
  timestamp: int64,
  step: int64.optional().default(0),
});
const paging = {
  maxResults: int64.optional(),
  pageToken: z.string().optional(),
};
const search = {
  filter: z.string().optional(),
  viewType: viewType.optional(),
  orderBy: list(z.string()).optional(),
  ...paging,
};

/** gyre's native tracking API: one route per TrackingClient method, camelCase JSON. */
export function registerNativeTracking(app: FastifyInstance, routes: RouteTable, t: TrackingService): void {
  const add: RouteTable["add"] = (a, spec) => routes.add(a, { ...spec, url: API_PREFIX + spec.url });
  add(app, {
    method: "POST",
    url: "/experiments",
    summary: "Create an experiment",
    tag: "experiments",
    body: z.object({
      name: z.string(),
      artifactLocation: z.string().optional(),
      tags: z.array(tag).optional(),
    }),
    handler: ({ body }) =>
      t.createExperiment(body.name, { artifactLocation: body.artifactLocation, tags: body.tags } as never),
  });
  add(app, {
    method: "GET",
    url: "/experiments",
    summary: "Search experiments",
    tag: "experiments",
    query: z.object(search),
    handler: ({ query }) => t.searchExperiments(query),
  });
  add(app, {
    method: "GET",
    url: "/experiments/:experimentId",
    summary: "Get an experiment",
    tag: "experiments",
    params: expParams,
    handler: ({ params }) => t.getExperiment(params.experimentId),
  });
  add(app, {
    method: "GET",
    url: "/experiments-by-name/:name",
    summary: "Get an experiment by name (null when absent)",
    tag: "experiments",
    params: z.object({ name: z.string().min(1) }),
    handler: async ({ params }) => ({ experiment: await t.getExperimentByName(params.name) }),
  });
  add(app, {
    method: "PATCH",
    url: "/experiments/:experimentId",
    summary: "Rename an experiment",
    tag: "experiments",
    params: expParams,
    body: z.object({ name: z.string() }),
    handler: ({ params, body }) => t.renameExperiment(params.experimentId, body.name),
  });
  add(app, {
    method: "DELETE",
    url: "/experiments/:experimentId",
    summary: "Delete an experiment and its runs (restorable)",
    tag: "experiments",
    params: expParams,
    handler: ({ params }) => ok(t.deleteExperiment(params.experimentId)),
  });
  add(app, {
    method: "POST",
    url: "/experiments/:experimentId/restore",
    summary: "Restore a deleted experiment",
    tag: "experiments",
    params: expParams,
    handler: ({ params }) => ok(t.restoreExperiment(params.experimentId)),
  });
  add(app, {
    method: "PUT",
    url: "/experiments/:experimentId/tags/:key",
    summary: "Set an experiment tag",
    tag: "experiments",
    params: z.object({ experimentId: z.string(), key: z.string() }),
    body: z.object({ value: z.string() }),
    handler: ({ params, body }) => ok(t.setExperimentTag(params.experimentId, params.key, body.value)),
  });
  registerRuns(app, add, t);
}

function registerRuns(app: FastifyInstance, add: RouteTable["add"], t: TrackingService): void {
  add(app, {
    method: "POST",
    url: "/runs",
    summary: "Create a run",
    tag: "runs",
    body: z.object({
      experimentId: z.string().default("0"),
      runName: z.string().optional(),
      userId: z.string().optional(),
      startTime: int64.optional(),
      tags: z.array(tag).optional(),
      parentRunId: z.string().optional(),
    }),
    handler: async ({ body }) => runToWire(await t.createRun(body)),
  });
  add(app, {
    method: "GET",
    url: "/runs/:runId",
    summary: "Get a run",
    tag: "runs",
    params: runParams,
    handler: async ({ params }) => runToWire(await t.getRun(params.runId)),
  });
  add(app, {
    method: "PATCH",
    url: "/runs/:runId",
    summary: "Update status, end time or name",
    tag: "runs",
    params: runParams,
    body: z.object({
      status: z.enum(RUN_STATUSES).optional(),
      endTime: int64.optional(),
      runName: z.string().optional(),
    }),
    handler: ({ params, body }) => t.updateRun(params.runId, body),
  });
  add(app, {
    method: "DELETE",
    url: "/runs/:runId",
    summary: "Delete a run (restorable)",
    tag: "runs",
    params: runParams,
    handler: ({ params }) => ok(t.deleteRun(params.runId)),
  });
  add(app, {
    method: "POST",
    url: "/runs/:runId/restore",
    summary: "Restore a run",
    tag: "runs",
    params: runParams,
    handler: ({ params }) => ok(t.restoreRun(params.runId)),
  });
  add(app, {
    method: "POST",
    url: "/runs/search",
    summary: "Search runs across experiments",
    tag: "runs",
    body: z.object({ experimentIds: z.array(z.string()), ...search }),
    handler: async ({ body }) => {
      const page = await t.searchRuns(body);
      return { items: page.items.map(runToWire), nextPageToken: page.nextPageToken };
    },
  });
  add(app, {
    method: "POST",
    url: "/runs/:runId/log-batch",
    summary: "Log metrics, params and tags atomically",
    tag: "runs",
    params: runParams,
    body: z.object({
      metrics: z.array(metric).optional(),
      params: z.array(tag).optional(),
      tags: z.array(tag).optional(),
    }),
    handler: ({ params, body }) => ok(t.logBatch(params.runId, body)),
  });
  add(app, {
    method: "DELETE",
    url: "/runs/:runId/tags/:key",
    summary: "Delete a run tag",
    tag: "runs",
    params: z.object({ runId: z.string(), key: z.string() }),
    handler: ({ params }) => ok(t.deleteTag(params.runId, params.key)),
  });
  add(app, {
    method: "POST",
    url: "/runs/:runId/inputs",
    summary: "Log dataset inputs",
    tag: "runs",
    params: runParams,
    body: z.object({
      datasetInputs: z.array(
        z.object({
          tags: z.array(tag).default([]),
          dataset: z.object({
            name: z.string(),
            digest: z.string(),
            sourceType: z.string(),
            source: z.string(),
            schema: z.string().nullish(),
            profile: z.string().nullish(),
          }),
        }),
      ),
    }),
    handler: ({ params, body }) => ok(t.logInputs(params.runId, body.datasetInputs)),
  });
  add(app, {
    method: "GET",
    url: "/runs/:runId/metrics/:key/history",
    summary: "Metric history, ordered by step then timestamp",
    tag: "runs",
    params: z.object({ runId: z.string(), key: z.string() }),
    query: z.object(paging),
    handler: async ({ params, query }) => {
      const page = await t.getMetricHistory(params.runId, params.key, query);
      return { items: page.items.map(metricToWire), nextPageToken: page.nextPageToken };
    },
  });
}

/** Run artifact routes; registered in the raw-body scope so uploads stream whatever their content type. */
export function registerNativeArtifacts(app: FastifyInstance, routes: RouteTable, t: TrackingService): void {
  const add: RouteTable["add"] = (a, spec) => routes.add(a, { ...spec, url: API_PREFIX + spec.url });
  add(app, {
    method: "GET",
    url: "/runs/:runId/artifacts",
    summary: "List a directory of a run's artifacts",
    tag: "artifacts",
    params: runParams,
    query: z.object({ path: z.string().optional(), recorded: z.enum(["true", "false"]).optional() }),
    handler: async ({ params, query }) =>
      query.recorded === "true"
        ? { records: await t.artifactRecords(params.runId, query.path ?? "") }
        : { files: await t.listArtifacts(params.runId, query.path ?? "") },
  });
  add(app, {
    method: "PUT",
    url: "/runs/:runId/artifacts/*",
    summary: "Upload a file into the run's artifacts (raw body); returns size and sha256",
    tag: "artifacts",
    rawBody: true,
    handler: ({ req }) => {
      const p = req.params as { runId: string; "*": string };
      return t.uploadArtifact(p.runId, p["*"], (req.body ?? req.raw) as Readable);
    },
  });
  add(app, {
    method: "GET",
    url: "/runs/:runId/artifacts/*",
    summary: "Download a file from the run's artifacts",
    tag: "artifacts",
    handler: async ({ req, reply }) => {
      const p = req.params as { runId: string; "*": string };
      const stream = await t.downloadArtifact(p.runId, p["*"]);
      reply.header("Content-Type", guessMime(p["*"]));
      return reply.send(stream);
    },
  });
}
