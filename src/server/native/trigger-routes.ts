import type { FastifyInstance } from "fastify";
import { z } from "zod";
import {
  type AlertmanagerWebhook,
  alertmanagerEvents,
  type PipelineService,
  type PipelineTriggers,
  SEVERITIES,
  type TriggerEvent,
  type TriggerFiring,
  type TriggerSpec,
  triggersFor,
} from "../../pipelines/index.js";
import type { RouteTable } from "../routes.js";
import { API_PREFIX } from "./tracking-routes.js";

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const triggerSpec = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("dataset"), dataset: z.string().min(1) }),
  z.object({ kind: z.literal("git"), repo: z.string().min(1), branch: z.string().min(1).default("main") }),
  z.object({
    kind: z.literal("alert"),
    deployment: z.string().min(1).optional(),
    monitor: z.string().min(1).optional(),
    minSeverity: z.enum(SEVERITIES).optional(),
  }),
]);
/** A gyre alert (monitoring's shape) or an Alertmanager webhook (version 4). */
const alertBody = z.union([
  z.object({
    alerts: z
      .array(
        z.object({
          status: z.string(),
          labels: z.record(z.string(), z.string()),
          annotations: z.record(z.string(), z.string()).optional(),
          startsAt: z.string().optional(),
          fingerprint: z.string().optional(),
        }),
      )
      .max(1000),
  }),
  z.object({ id: z.string().min(1).max(500) }).catchall(z.unknown()),
]);

function firingView(f: TriggerFiring) {
  return { trigger: f.trigger, event: f.event, runId: f.run?.runId ?? null, error: f.error };
}

/** Event triggers over HTTP: manage them, and deliver alerts (gyre's or Alertmanager's webhook) that start runs. */
export function registerNativeTriggers(app: FastifyInstance, routes: RouteTable, svc: PipelineService): void {
  let opened: Promise<PipelineTriggers> | null = null;
  const triggers = () => {
    opened ??= triggersFor(svc);
    return opened;
  };
  const tag = "pipelines";
  const base = `${API_PREFIX}/pipelines/triggers`;
  routes.add(app, {
    method: "GET",
    url: base,
    summary: "Event triggers (dataset version, git commit, alert) of pipelines",
    tag,
    handler: async () => ({ triggers: await (await triggers()).list() }),
  });
  routes.add(app, {
    method: "POST",
    url: base,
    summary: "Add a trigger; what exists now (dataset versions, the branch head) counts as seen",
    tag,
    body: z.object({
      name: z.string().min(1),
      pipeline: z.string().min(1),
      on: triggerSpec,
      params: z.record(z.string(), z.unknown()).optional(),
    }),
    handler: async ({ body, reply }) => {
      const t = await (await triggers()).add({
        ...body,
        on: body.on as TriggerSpec,
        params: body.params as Record<string, never>,
      });
      return reply.code(201).send({ trigger: t });
    },
  });
  routes.add(app, {
    method: "DELETE",
    url: `${base}/:name`,
    summary: "Remove a trigger and its event history",
    tag,
    params: z.object({ name: z.string().min(1) }),
    handler: async ({ params }) => {
      await (await triggers()).remove(params.name);
      return {};
    },
  });
  routes.add(app, {
    method: "GET",
    url: `${base}/:name/events`,
    summary: "Events a trigger has seen, newest first, with the runs they started",
    tag,
    params: z.object({ name: z.string().min(1) }),
    query: z.object({ limit: z.coerce.number().int().positive().max(1000).optional() }),
    handler: async ({ params, query }) => ({
      events: await (await triggers()).events(params.name, query.limit),
    }),
  });
  routes.add(app, {
    method: "POST",
    url: `${base}/alerts`,
    summary:
      "Deliver alerts: a gyre alert {id, deployment, severity, …} or an Alertmanager webhook; matching triggers start runs once per alert",
    tag,
    body: alertBody,
    handler: async ({ body, reply }) => {
      const events: TriggerEvent[] =
        "alerts" in body
          ? alertmanagerEvents(body as AlertmanagerWebhook)
          : [{ key: body.id, payload: scalarsOf(body as Record<string, unknown>) }];
      const t = await triggers();
      const fired: TriggerFiring[] = [];
      for (const e of events) fired.push(...(await t.fire("alert", e)));
      return reply.code(202).send({ events: events.length, fired: fired.map(firingView) });
    },
  });
}

/** The scalar fields of an alert body (nested values are dropped: run parameters are scalars). */
function scalarsOf(body: Record<string, unknown>): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of Object.entries(body)) {
    const parsed = scalar.safeParse(v);
    if (parsed.success) out[k] = parsed.data;
  }
  return out;
}
