import type { FastifyInstance, FastifyReply } from "fastify";
import { z } from "zod";
import { isGyreError } from "../../core/errors.js";
import type { Deployment, DeploymentLive, LiveStats, ServingService } from "../../serving/index.js";
import type { RouteTable } from "../routes.js";
import { admitStream, type EventStreams, eventStreams, openEventStream, sseEvent } from "../sse.js";
import type {
  DeploymentDetail,
  DeploymentList,
  DeploymentLiveView,
  DeploymentView,
  LiveSummary,
} from "./deployment-types.js";
import { API_PREFIX } from "./tracking-routes.js";

/** What the server knows about deployments: the service over the metadata database, and the data planes' stats. */
export interface DeploymentsApi {
  service: ServingService;
  /** Requests/s and latency from the serving data planes; null when none is configured. */
  live: LiveStats | null;
}

/** How often an open event stream sends live figures (and the deployment when it changed), ms. */
const STREAM_INTERVAL_MS = 2000;

const flag = z.preprocess((v) => v === "true" || v === "1" || v === true, z.boolean());

/** A deployment as the API shows it: its definition and the version each variant (and shadow) resolves to now. */
async function view(service: ServingService, d: Deployment): Promise<DeploymentView> {
  return {
    name: d.name,
    origin: d.origin,
    description: d.description,
    stickyKey: d.traffic.stickyKey,
    features: d.features,
    batching: d.batching,
    variants: await service.resolve(d),
    spec: d.spec,
  };
}

/**
 * Live figures (with series unless `series` is false), the model of variants the data plane no longer serves
 * filled in from the definition.
 */
function liveOf(api: DeploymentsApi, name: string, d: Deployment, series = true): DeploymentLiveView {
  const live = api.live?.deployment(name, { series }) ?? {
    deployment: name,
    sources: [],
    time: null,
    windowMs: null,
    variants: [],
    series: [],
  };
  const models = new Map(
    [...d.traffic.variants, ...(d.traffic.shadow ? [{ name: "shadow", ref: d.traffic.shadow.ref }] : [])].map(
      (v) => [v.name, v.ref.model],
    ),
  );
  const variants = live.variants.map((v) => ({ ...v, model: v.model ?? models.get(v.variant) ?? null }));
  return { ...live, variants, configured: (api.live?.urls.length ?? 0) > 0 };
}

/** A one-line live summary for the deployments list: total requests/s, worst p99 and reachability. */
function summaryOf(live: DeploymentLive): LiveSummary {
  const rates = live.variants.filter((v) => v.variant !== "shadow");
  const rps = rates.some((v) => v.requestsPerSecond !== null)
    ? rates.reduce((a, v) => a + (v.requestsPerSecond ?? 0), 0)
    : null;
  const p99 = rates.map((v) => v.p99Ms).filter((p): p is number => p !== null);
  return {
    reachable: live.sources.some((s) => s.reachable),
    requests: rates.reduce((a, v) => a + v.requests, 0),
    requestsPerSecond: rps,
    p99Ms: p99.length > 0 ? Math.max(...p99) : null,
  };
}

async function detailOf(api: DeploymentsApi, d: Deployment): Promise<DeploymentDetail> {
  return { ...(await view(api.service, d)), timeline: await api.service.timeline(d.name) };
}

async function liveNow(api: DeploymentsApi, d: Deployment): Promise<DeploymentLiveView> {
  await api.live?.refresh();
  return liveOf(api, d.name, d);
}

/**
 * Streams a deployment as Server-Sent Events: `deployment` (split, versions, timeline) at once and whenever it
 * changes, `live` (figures) at once and every 2 s, `gone` when it is deleted (then the stream ends). Ends when
 * the client disconnects or the server closes. Throws SERVING_DEPLOYMENT_NOT_FOUND before anything is sent.
 */
async function streamDeployment(
  api: DeploymentsApi,
  name: string,
  reply: FastifyReply,
  streams: EventStreams,
): Promise<void> {
  admitStream(streams);
  const d = await api.service.get(name);
  let last = sseEvent("deployment", await detailOf(api, d));
  const first = await liveNow(api, d);
  const { write, end } = openEventStream(reply, streams, () => clearInterval(timer));
  write(last + sseEvent("live", first));
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const now = await api.service.get(name);
      const detail = sseEvent("deployment", await detailOf(api, now));
      if (detail !== last) write(detail);
      last = detail;
      write(sseEvent("live", await liveNow(api, now)));
    } catch (e) {
      if (!isGyreError(e) || e.code !== "SERVING_DEPLOYMENT_NOT_FOUND") throw e;
      write(sseEvent("gone", { message: e.message }));
      end();
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => {
    tick().catch((e: unknown) => reply.log.warn({ err: e }, "deployment stream update failed"));
  }, STREAM_INTERVAL_MS);
}

/**
 * Read-only deployments for the web UI and API clients: definitions (gyre.config.ts and the metadata
 * database) with resolved versions, the version timeline, and live requests/s and latency read from the
 * serving data planes' /metrics. Changes go through `gyre deployments` or the data plane's own API.
 */
export function registerNativeDeployments(
  app: FastifyInstance,
  routes: RouteTable,
  api: DeploymentsApi,
): void {
  const streams = eventStreams(app);
  const tag = "deployments";
  const base = `${API_PREFIX}/deployments`;
  const name = z.object({ name: z.string().min(1) });
  routes.add(app, {
    method: "GET",
    url: base,
    summary:
      "Deployments with their traffic split and resolved versions; `live=true` adds requests/s and p99",
    tag,
    query: z.object({ live: flag.optional() }),
    handler: async ({ query }): Promise<DeploymentList> => {
      const all = await api.service.list();
      if (query.live) await api.live?.refresh();
      const deployments = await Promise.all(
        all.map(async (d) => ({
          ...(await view(api.service, d)),
          ...(query.live ? { live: summaryOf(liveOf(api, d.name, d, false)) } : {}),
        })),
      );
      return { deployments, servingUrls: api.live?.urls ?? [] };
    },
  });
  routes.add(app, {
    method: "GET",
    url: `${base}/:name`,
    summary:
      "A deployment: traffic split, resolved versions and its version timeline (changes and alias moves)",
    tag,
    params: name,
    handler: async ({ params }) => detailOf(api, await api.service.get(params.name)),
  });
  routes.add(app, {
    method: "GET",
    url: `${base}/:name/events`,
    summary:
      "Server-Sent Events: `deployment` at once and on every change, `live` figures every 2 s, `gone` when deleted",
    tag,
    params: name,
    handler: ({ params, reply }) => streamDeployment(api, params.name, reply, streams),
  });
  routes.add(app, {
    method: "GET",
    url: `${base}/:name/live`,
    summary:
      "Requests/s, errors/s and p50/p99 latency per variant and version, now and over the last minutes, from the serving data planes",
    tag,
    params: name,
    handler: async ({ params }) => liveNow(api, await api.service.get(params.name)),
  });
}
