import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { GyreError } from "../../core/errors.js";
import type { TrackingService } from "../../metadata/index.js";
import { parseInput, type RouteTable, withFastPath } from "../routes.js";
import { id, int64, kv, list, logBatch, metric, plainLogBatch, runRef, viewType } from "./schemas.js";
import { mlflowExperiment, mlflowFileInfo, mlflowMetrics, mlflowRun, mlflowRunInfo } from "./serialize.js";

export const MLFLOW_PREFIXES = ["/api/2.0/mlflow", "/ajax-api/2.0/mlflow"];

function runIdOf(b: { run_id?: string | undefined; run_uuid?: string | undefined }): string {
  const runId = b.run_id || b.run_uuid;
  if (!runId) {
    throw new GyreError(
      "REQUEST_INVALID",
      "Missing value for required parameter 'run_id'. See the API docs for more information about request parameters.",
      { field: "run_id" },
    );
  }
  return runId;
}

const searchRuns = z.object({
  experiment_ids: list(z.preprocess((v) => (typeof v === "number" ? String(v) : v), z.string())).optional(),
  filter: z.string().optional(),
  run_view_type: viewType.optional(),
  max_results: int64.optional(),
  order_by: list(z.string()).optional(),
  page_token: z.string().optional(),
});

const searchExperiments = z.object({
  max_results: int64.optional(),
  page_token: z.string().optional(),
  filter: z.string().optional(),
  order_by: list(z.string()).optional(),
  view_type: viewType.optional(),
});

const datasetInput = z.object({
  tags: z.array(kv).optional().default([]),
  dataset: z.object({
    name: z.string().min(1),
    digest: z.string().min(1),
    source_type: z.string().min(1),
    source: z.string().min(1),
    schema: z.string().optional(),
    profile: z.string().optional(),
  }),
});

/** 1000-metric batches skip zod when metrics hold plain JSON numbers and params/tags plain strings. */
const logBatchBody = withFastPath(logBatch, plainLogBatch);

/** MLflow REST API 2.0 tracking endpoints, registered under both `/api/2.0/mlflow` and `/ajax-api/2.0/mlflow`. */
export function registerMlflowTracking(app: FastifyInstance, routes: RouteTable, t: TrackingService): void {
  for (const prefix of MLFLOW_PREFIXES) {
    const add: RouteTable["add"] = (a, spec) =>
      routes.add(a, { ...spec, url: prefix + spec.url, tag: "mlflow" });
    const both = (req: { query: unknown; body: unknown }) => ({
      ...(req.body as object),
      ...(req.query as object),
    });

    add(app, {
      method: "POST",
      url: "/experiments/create",
      summary: "Create an experiment",
      tag: "mlflow",
      body: z.object({
        name: z.string().min(1),
        artifact_location: z.string().optional(),
        tags: z.array(kv).optional(),
      }),
      handler: async ({ body }) => {
        const opts: { artifactLocation?: string; tags?: { key: string; value: string }[] } = {
          tags: body.tags ?? [],
        };
        if (body.artifact_location) opts.artifactLocation = body.artifact_location;
        const exp = await t.createExperiment(body.name, opts);
        return { experiment_id: exp.experimentId };
      },
    });
    add(app, {
      method: "GET",
      url: "/experiments/get",
      summary: "Get an experiment",
      tag: "mlflow",
      query: z.object({ experiment_id: id }),
      handler: async ({ query }) => ({
        experiment: mlflowExperiment(await t.getExperiment(query.experiment_id)),
      }),
    });
    add(app, {
      method: "GET",
      url: "/experiments/get-by-name",
      summary: "Get an experiment by name",
      tag: "mlflow",
      query: z.object({ experiment_name: z.string().min(1) }),
      handler: async ({ query }) => {
        const exp = await t.getExperimentByName(query.experiment_name);
        if (!exp) {
          throw new GyreError(
            "TRACKING_EXPERIMENT_NOT_FOUND",
            `Could not find experiment with name '${query.experiment_name}'`,
            {
              field: "experiment_name",
            },
          );
        }
        return { experiment: mlflowExperiment(exp) };
      },
    });
    add(app, {
      method: ["POST", "GET"],
      url: "/experiments/search",
      summary: "Search experiments",
      tag: "mlflow",
      handler: async ({ req }) => {
        const q = parseInput(searchExperiments, both(req));
        const res = await t.searchExperiments({
          filter: q.filter,
          viewType: q.view_type,
          maxResults: q.max_results,
          orderBy: q.order_by,
          pageToken: q.page_token,
        });
        return {
          experiments: res.items.length > 0 ? res.items.map(mlflowExperiment) : undefined,
          next_page_token: res.nextPageToken ?? undefined,
        };
      },
    });
    add(app, {
      method: "POST",
      url: "/experiments/update",
      summary: "Rename an experiment",
      tag: "mlflow",
      body: z.object({ experiment_id: id, new_name: z.string().min(1) }),
      handler: async ({ body }) => {
        await t.renameExperiment(body.experiment_id, body.new_name);
        return {};
      },
    });
    for (const [verb, fn] of [
      ["delete", (x: string) => t.deleteExperiment(x)],
      ["restore", (x: string) => t.restoreExperiment(x)],
    ] as const) {
      add(app, {
        method: "POST",
        url: `/experiments/${verb}`,
        summary: `${verb} an experiment`,
        tag: "mlflow",
        body: z.object({ experiment_id: id }),
        handler: async ({ body }) => {
          await fn(body.experiment_id);
          return {};
        },
      });
    }
    add(app, {
      method: "POST",
      url: "/experiments/set-experiment-tag",
      summary: "Set an experiment tag",
      tag: "mlflow",
      body: z.object({ experiment_id: id, key: z.string().min(1), value: z.string().optional().default("") }),
      handler: async ({ body }) => {
        await t.setExperimentTag(body.experiment_id, body.key, body.value);
        return {};
      },
    });
    registerRunRoutes(app, add, t, both);
  }
}

type Add = RouteTable["add"];

function registerRunRoutes(
  app: FastifyInstance,
  add: Add,
  t: TrackingService,
  both: (req: { query: unknown; body: unknown }) => Record<string, unknown>,
): void {
  add(app, {
    method: "POST",
    url: "/runs/create",
    summary: "Create a run",
    tag: "mlflow",
    body: z.object({
      experiment_id: id.optional(),
      user_id: z.string().optional(),
      run_name: z.string().optional(),
      start_time: int64.optional(),
      tags: z.array(kv).optional(),
    }),
    handler: async ({ body }) => {
      const run = await t.createRun({
        experimentId: body.experiment_id ?? "0",
        userId: body.user_id,
        runName: body.run_name,
        startTime: body.start_time,
        tags: body.tags,
      });
      const { inputs: _inputs, ...rest } = mlflowRun(run);
      return { run: rest };
    },
  });
  add(app, {
    method: "POST",
    url: "/runs/update",
    summary: "Update a run",
    tag: "mlflow",
    body: z.object({
      ...runRef,
      status: z.enum(["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"]).optional(),
      end_time: int64.optional(),
      run_name: z.string().optional(),
    }),
    handler: async ({ body }) => {
      const info = await t.updateRun(runIdOf(body), {
        status: body.status,
        endTime: body.end_time,
        runName: body.run_name,
      });
      return { run_info: mlflowRunInfo(info) };
    },
  });
  for (const [verb, fn] of [
    ["delete", (x: string) => t.deleteRun(x)],
    ["restore", (x: string) => t.restoreRun(x)],
  ] as const) {
    add(app, {
      method: "POST",
      url: `/runs/${verb}`,
      summary: `${verb} a run`,
      tag: "mlflow",
      body: z.object(runRef),
      handler: async ({ body }) => {
        await fn(runIdOf(body));
        return {};
      },
    });
  }
  add(app, {
    method: "GET",
    url: "/runs/get",
    summary: "Get a run",
    tag: "mlflow",
    query: z.object(runRef),
    handler: async ({ query }) => ({ run: mlflowRun(await t.getRun(runIdOf(query))) }),
  });
  add(app, {
    method: "POST",
    url: "/runs/search",
    summary: "Search runs (MLflow filter grammar plus OR and parentheses)",
    tag: "mlflow",
    body: searchRuns,
    handler: async ({ body }) => {
      const res = await t.searchRuns({
        experimentIds: body.experiment_ids ?? [],
        filter: body.filter,
        viewType: body.run_view_type,
        maxResults: body.max_results,
        orderBy: body.order_by,
        pageToken: body.page_token,
      });
      return {
        runs: res.items.length > 0 ? res.items.map(mlflowRun) : undefined,
        next_page_token: res.nextPageToken ?? undefined,
      };
    },
  });
  registerLogRoutes(app, add, t, both);
}

function registerLogRoutes(
  app: FastifyInstance,
  add: Add,
  t: TrackingService,
  both: (req: { query: unknown; body: unknown }) => Record<string, unknown>,
): void {
  add(app, {
    method: "POST",
    url: "/runs/log-metric",
    summary: "Log a metric",
    tag: "mlflow",
    body: z.object({ ...runRef, ...metric.shape }),
    handler: async ({ body }) => {
      await t.logBatch(runIdOf(body), {
        metrics: [{ key: body.key, value: body.value, timestamp: body.timestamp, step: body.step }],
      });
      return {};
    },
  });
  for (const [url, summary, log] of [
    ["/runs/log-parameter", "Log a param", (r: string, k: string, v: string) => t.logParam(r, k, v)],
    ["/runs/set-tag", "Set a run tag", (r: string, k: string, v: string) => t.setTag(r, k, v)],
  ] as const) {
    add(app, {
      method: "POST",
      url,
      summary,
      tag: "mlflow",
      body: z.object({ ...runRef, key: z.string().min(1), value: z.string().optional().default("") }),
      handler: async ({ body }) => {
        await log(runIdOf(body), body.key, body.value);
        return {};
      },
    });
  }
  add(app, {
    method: "POST",
    url: "/runs/delete-tag",
    summary: "Delete a run tag",
    tag: "mlflow",
    body: z.object({ ...runRef, key: z.string().min(1) }),
    handler: async ({ body }) => {
      await t.deleteTag(runIdOf(body), body.key);
      return {};
    },
  });
  add(app, {
    method: "POST",
    url: "/runs/log-batch",
    summary: "Log metrics, params and tags in one transaction",
    tag: "mlflow",
    body: logBatchBody,
    handler: async ({ body }) => {
      await t.logBatch(runIdOf(body), { metrics: body.metrics, params: body.params, tags: body.tags });
      return {};
    },
  });
  add(app, {
    method: "POST",
    url: "/runs/log-inputs",
    summary: "Log dataset inputs",
    tag: "mlflow",
    body: z.object({ ...runRef, datasets: z.array(datasetInput).optional() }),
    handler: async ({ body }) => {
      const inputs = (body.datasets ?? []).map((d) => ({
        tags: d.tags,
        dataset: {
          name: d.dataset.name,
          digest: d.dataset.digest,
          sourceType: d.dataset.source_type,
          source: d.dataset.source,
          schema: d.dataset.schema ?? null,
          profile: d.dataset.profile ?? null,
        },
      }));
      await t.logInputs(runIdOf(body), inputs);
      return {};
    },
  });
  add(app, {
    method: "GET",
    url: "/metrics/get-history",
    summary: "Full history of one metric",
    tag: "mlflow",
    handler: async ({ req }) => {
      const q = parseInput(
        z.object({
          ...runRef,
          metric_key: z.string().min(1),
          max_results: int64.optional(),
          page_token: z.string().optional(),
        }),
        both(req),
      );
      const res = await t.getMetricHistory(runIdOf(q), q.metric_key, {
        maxResults: q.max_results || undefined,
        pageToken: q.page_token,
      });
      return {
        metrics: res.items.length > 0 ? mlflowMetrics(res.items) : undefined,
        next_page_token: res.nextPageToken ?? undefined,
      };
    },
  });
  add(app, {
    method: "GET",
    url: "/artifacts/list",
    summary: "List a run's artifacts",
    tag: "mlflow",
    query: z.object({ ...runRef, path: z.string().optional(), page_token: z.string().optional() }),
    handler: async ({ query }) => {
      const runId = runIdOf(query);
      const run = await t.getRun(runId);
      const files = await t.listArtifacts(runId, query.path ?? "");
      return {
        root_uri: run.info.artifactUri,
        files: files.length > 0 ? files.map((f) => mlflowFileInfo(f)) : undefined,
      };
    },
  });
}
