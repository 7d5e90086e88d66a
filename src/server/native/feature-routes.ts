import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { FeatureStore, OnlineResponse } from "../../features/index.js";
import { type RouteTable, withFastPath } from "../routes.js";
import { API_PREFIX } from "./tracking-routes.js";

/** Most entity rows one online request may ask for; larger lookups belong in a training set. */
const MAX_ENTITY_ROWS = 10_000;

const keyValue = z.union([z.string(), z.number()]);

/** Either gyre's row-oriented request or Feast's feature-server shape (`entities` as columns). */
const onlineBody = z
  .object({
    entityRows: z.array(z.record(z.string(), keyValue)).max(MAX_ENTITY_ROWS).optional(),
    entities: z.record(z.string(), z.array(keyValue).max(MAX_ENTITY_ROWS)).optional(),
    features: z.array(z.string().min(1)).max(1000).optional(),
    featureService: z.string().min(1).optional(),
    feature_service: z.string().min(1).optional(),
    full_feature_names: z.boolean().optional(),
  })
  .refine((b) => (b.entityRows === undefined) !== (b.entities === undefined), {
    message: "give either entityRows (gyre) or entities (Feast), not both",
    path: ["entityRows"],
  });

type OnlineBody = z.infer<typeof onlineBody>;

const isKey = (v: unknown) => typeof v === "string" || (typeof v === "number" && Number.isFinite(v));

/** The common small request (a few rows, a feature list) checked by hand; anything else goes through zod. */
withFastPath(onlineBody, (data) => {
  const b = data as Record<string, unknown> | null;
  if (!b || typeof b !== "object" || Object.keys(b).some((k) => k !== "entityRows" && k !== "features"))
    return undefined;
  const { entityRows, features } = b as { entityRows?: unknown; features?: unknown };
  if (
    !Array.isArray(entityRows) ||
    entityRows.length > 100 ||
    !Array.isArray(features) ||
    features.length > 1000
  )
    return undefined;
  for (const row of entityRows) {
    if (!row || typeof row !== "object" || Array.isArray(row)) return undefined;
    for (const v of Object.values(row)) if (!isKey(v)) return undefined;
  }
  for (const f of features) if (typeof f !== "string" || f === "") return undefined;
  return { entityRows, features } as OnlineBody;
});

/** Feast's `entities: {key: [v1, v2]}` as rows; all columns must have the same length. */
function rowsOf(entities: Record<string, Array<string | number>>): Array<Record<string, string | number>> {
  const cols = Object.entries(entities);
  const n = cols[0]?.[1].length ?? 0;
  return Array.from({ length: n }, (_, i) => Object.fromEntries(cols.map(([k, v]) => [k, v[i]!])));
}

/** Feast's FieldStatus names for gyre's statuses. */
const FEAST_STATUS = { PRESENT: "PRESENT", MISSING: "NOT_FOUND", OUTSIDE_TTL: "OUTSIDE_MAX_AGE" } as const;

/** Feast's response: one result per feature (column-major), statuses and ISO event timestamps. */
function feastShape(res: OnlineResponse, full: boolean) {
  return {
    metadata: {
      feature_names: res.featureNames.map((n) => (full ? n.replace(":", "__") : (n.split(":")[1] ?? n))),
    },
    results: res.featureNames.map((_, j) => ({
      values: res.results.map((r) => r.values[j]),
      statuses: res.results.map((r) => FEAST_STATUS[r.statuses[j]!]),
      event_timestamps: res.results.map((r) => {
        const t = r.eventTimestamps[j];
        return new Date(t ?? 0).toISOString();
      }),
    })),
  };
}

async function online(fs: FeatureStore, body: OnlineBody) {
  const featureService = body.featureService ?? body.feature_service;
  const req = {
    entityRows: body.entityRows ?? rowsOf(body.entities ?? {}),
    ...(body.features ? { features: body.features } : {}),
    ...(featureService ? { featureService } : {}),
  };
  const res = await fs.getOnlineFeatures(req);
  return body.entities ? feastShape(res, body.full_feature_names ?? false) : res;
}

/**
 * The feature server: online lookups (gyre's shape and Feast's `get-online-features` shape), applied
 * definitions, view statistics and training-set manifests.
 */
export function registerNativeFeatures(app: FastifyInstance, routes: RouteTable, fs: FeatureStore): void {
  const tag = "features";
  routes.add(app, {
    method: "POST",
    url: `${API_PREFIX}/features/online`,
    summary:
      "Latest feature values per entity row with per-feature status and event time (also accepts Feast's shape)",
    tag,
    body: onlineBody,
    handler: ({ body }) => online(fs, body),
  });
  routes.add(app, {
    method: "GET",
    url: `${API_PREFIX}/features/definitions`,
    summary: "Applied feature definitions (entities, sources, views, services) and the registry revision",
    tag,
    handler: () => fs.list(),
  });
  routes.add(app, {
    method: "GET",
    url: `${API_PREFIX}/features/definitions/:name`,
    summary: "One applied definition by name",
    tag,
    params: z.object({ name: z.string().min(1) }),
    handler: ({ params }) => fs.describe(params.name),
  });
  routes.add(app, {
    method: "GET",
    url: `${API_PREFIX}/features/views/:name/stats`,
    summary: "Row count, null rates, min/max/mean or top values and online freshness of a feature view",
    tag,
    params: z.object({ name: z.string().min(1) }),
    handler: ({ params }) => fs.stats(params.name),
  });
  routes.add(app, {
    method: "GET",
    url: `${API_PREFIX}/features/training-sets/:id`,
    summary: "The manifest of a saved training set (views, versions, time range, schema, digest)",
    tag,
    params: z.object({ id: z.string().min(1) }),
    handler: ({ params }) => fs.getTrainingSet(params.id),
  });
}
