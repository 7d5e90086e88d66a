import type { FastifyInstance, FastifyReply } from "fastify";
import { z } from "zod";
import {
  PIPELINE_RUN_STATUSES,
  type PipelineEvent,
  type PipelineService,
  watchRun,
} from "../../pipelines/index.js";
import type { RouteTable } from "../routes.js";
import { admitStream, type EventStreams, eventStreams, openEventStream, sseEvent } from "../sse.js";
import type {
  PipelineDetail,
  PipelineRunList,
  PipelineRunWithSteps,
  PipelineSummary,
} from "./pipeline-types.js";
import { API_PREFIX } from "./tracking-routes.js";

const runParams = z.object({ runId: z.string().min(1) });

/** The run without its (large) plan, with its steps. */
async function runStatus(svc: PipelineService, runId: string): Promise<PipelineRunWithSteps> {
  const { run, steps } = await svc.status(runId);
  const { plan: _plan, ...rest } = run;
  return { run: rest, steps };
}

/**
 * Pipelines over HTTP: registered pipelines, runs and their status, an HTTP trigger, and live run status as
 * Server-Sent Events. Open event streams are ended when the server closes.
 */
export function registerNativePipelines(
  app: FastifyInstance,
  routes: RouteTable,
  svc: PipelineService,
): void {
  const streams = eventStreams(app);
  const tag = "pipelines";
  routes.add(app, {
    method: "GET",
    url: `${API_PREFIX}/pipelines`,
    summary: "Pipelines this server knows (from gyre.config.ts), with their parameters and step count",
    tag,
    handler: async (): Promise<{ pipelines: PipelineSummary[] }> => ({
      pipelines: svc.pipelines().map((d) => ({
        name: d.name,
        params: d.params,
        steps: svc.plan(d.name).steps.length,
      })),
    }),
  });
  routes.add(app, {
    method: "GET",
    url: `${API_PREFIX}/pipelines/runs`,
    summary: "Pipeline runs, newest first",
    tag,
    query: z.object({
      pipeline: z.string().optional(),
      status: z.enum(PIPELINE_RUN_STATUSES).optional(),
      limit: z.coerce.number().int().positive().max(1000).optional(),
    }),
    handler: async ({ query }): Promise<PipelineRunList> => ({
      runs: (await svc.listRunsStartedBy(query)).map(({ plan: _plan, ...r }) => r),
    }),
  });
  routes.add(app, {
    method: "GET",
    url: `${API_PREFIX}/pipelines/runs/:runId`,
    summary: "A pipeline run and the state of each step",
    tag,
    params: runParams,
    handler: ({ params }) => runStatus(svc, params.runId),
  });
  routes.add(app, {
    method: "GET",
    url: `${API_PREFIX}/pipelines/runs/:runId/events`,
    summary: "Live status of a run as Server-Sent Events (event: run|step, data: JSON); ends with the run",
    tag,
    params: runParams,
    handler: ({ params, reply }) => streamRun(svc, params.runId, reply, streams),
  });
  registerRunControl(app, routes, svc);
  routes.add(app, {
    method: "GET",
    url: `${API_PREFIX}/pipelines/:name`,
    summary: "A pipeline this server knows, with its parameters and compiled plan (the DAG)",
    tag,
    params: z.object({ name: z.string().min(1) }),
    handler: async ({ params }): Promise<PipelineDetail> => {
      const plan = svc.plan(params.name);
      return { name: plan.name, description: plan.description, params: plan.params, plan };
    },
  });
  routes.add(app, {
    method: "POST",
    url: `${API_PREFIX}/pipelines/:name/runs`,
    summary: "Trigger a run of a pipeline this server knows; the payload's params become run parameters",
    tag,
    params: z.object({ name: z.string().min(1) }),
    body: z.object({
      params: z.record(z.string(), z.unknown()).optional(),
      noCache: z.boolean().optional(),
      noCacheSteps: z.array(z.string().min(1)).optional(),
      experiment: z.string().min(1).optional(),
      runName: z.string().min(1).optional(),
    }),
    handler: async ({ params, body, reply }) => {
      const handle = await svc.start(params.name, body);
      return reply.code(202).send({ runId: handle.runId });
    },
  });
  routes.add(app, {
    method: "POST",
    url: `${API_PREFIX}/pipelines/runs/:runId/resume`,
    summary:
      "Continue an interrupted, failed or cancelled run on this server; succeeded steps are not run again",
    tag,
    params: runParams,
    handler: async ({ params, reply }) => {
      const handle = await svc.resume(params.runId);
      return reply.code(202).send({ runId: handle.runId });
    },
  });
  routes.add(app, {
    method: "POST",
    url: `${API_PREFIX}/pipelines/runs/:runId/cancel`,
    summary: "Cancel a run: running steps are killed, pending steps never start",
    tag,
    params: runParams,
    handler: async ({ params, reply }) => {
      await svc.cancel(params.runId);
      return reply.code(202).send({ runId: params.runId, cancelRequested: true });
    },
  });
}

/** The plan a run was started with: what the UI's run page draws beyond status. */
function registerRunControl(app: FastifyInstance, routes: RouteTable, svc: PipelineService): void {
  const tag = "pipelines";
  routes.add(app, {
    method: "GET",
    url: `${API_PREFIX}/pipelines/runs/:runId/plan`,
    summary: "The compiled plan (DAG) a pipeline run was started with",
    tag,
    params: runParams,
    handler: async ({ params }) => (await svc.status(params.runId)).run.plan,
  });
}

function sse(e: PipelineEvent): string {
  return sseEvent(e.type, e);
}

/** Streams a run's status changes until the run ends, the client disconnects or the server closes. */
async function streamRun(
  svc: PipelineService,
  runId: string,
  reply: FastifyReply,
  streams: EventStreams,
): Promise<void> {
  admitStream(streams);
  const chunks: string[] = [];
  let write: (s: string) => void = (s) => {
    chunks.push(s);
  };
  // Throws PIPELINE_RUN_NOT_FOUND before anything is sent, so the client gets a plain 404.
  const watch = await watchRun(svc, runId, (e) => write(sse(e)));
  let stream: ReturnType<typeof openEventStream>;
  try {
    stream = openEventStream(reply, streams, () => watch.stop());
  } catch (e) {
    watch.stop();
    throw e;
  }
  write = stream.write;
  for (const c of chunks) write(c);
  void watch.done.then(stream.end);
}
