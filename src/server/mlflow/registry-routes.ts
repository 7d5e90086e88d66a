import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { GyreError, isGyreError } from "../../core/errors.js";
import type { RegistryService } from "../../registry/index.js";
import { parseInput, type RouteTable } from "../routes.js";
import { mlflowModelVersion, mlflowRegisteredModel } from "./registry-serialize.js";
import { id, int64, kv, list } from "./schemas.js";
import { MLFLOW_PREFIXES } from "./tracking-routes.js";

type Add = RouteTable["add"];
type Input = { query: unknown; body: unknown };

/** GET requests carry query parameters, the others a JSON body; DELETE clients send either. */
const both = (req: Input): Record<string, unknown> => ({ ...(req.body as object), ...(req.query as object) });

const name = z.string().min(1);
const search = z.object({
  filter: z.string().optional(),
  max_results: int64.optional(),
  order_by: list(z.string()).optional(),
  page_token: z.string().optional(),
});
const nameOnly = z.object({ name });
const nameVersion = z.object({ name, version: id });
const ok = async (p: Promise<unknown>) => {
  await p;
  return {};
};

/**
 * MLflow model-registry REST API (mlflow/protos/model_registry.proto) under both `/api/2.0/mlflow` and
 * `/ajax-api/2.0/mlflow`: methods, field names, response shapes and error codes as MLflow's server has them.
 * Stage transitions (deprecated in MLflow) are not offered; every version reports `current_stage: "None"`.
 */
export function registerMlflowRegistry(app: FastifyInstance, routes: RouteTable, r: RegistryService): void {
  for (const prefix of MLFLOW_PREFIXES) {
    const add: Add = (a, spec) => routes.add(a, { ...spec, url: prefix + spec.url, tag: "mlflow-registry" });
    registerModelRoutes(app, add, r);
    registerModelQueries(app, add, r);
    registerAliasRoutes(app, add, r);
    registerVersionRoutes(app, add, r);
    registerVersionQueries(app, add, r);
  }
}

function registerModelRoutes(app: FastifyInstance, add: Add, r: RegistryService): void {
  const spec = { tag: "mlflow-registry" } as const;
  add(app, {
    ...spec,
    method: "POST",
    url: "/registered-models/create",
    summary: "Create a registered model",
    body: z.object({ name, tags: z.array(kv).optional(), description: z.string().optional() }),
    handler: async ({ body }) => {
      const opts = {
        tags: body.tags ?? [],
        ...(body.description !== undefined ? { description: body.description } : {}),
      };
      return { registered_model: mlflowRegisteredModel(await r.createRegisteredModel(body.name, opts)) };
    },
  });
  add(app, {
    ...spec,
    method: "GET",
    url: "/registered-models/get",
    summary: "Get a registered model",
    query: nameOnly,
    handler: async ({ query }) => ({
      registered_model: mlflowRegisteredModel(await r.getRegisteredModel(query.name)),
    }),
  });
  add(app, {
    ...spec,
    method: "POST",
    url: "/registered-models/rename",
    summary: "Rename a registered model",
    body: z.object({ name, new_name: name }),
    handler: async ({ body }) => ({
      registered_model: mlflowRegisteredModel(await r.renameRegisteredModel(body.name, body.new_name)),
    }),
  });
  add(app, {
    ...spec,
    method: "PATCH",
    url: "/registered-models/update",
    summary: "Update a registered model's description",
    body: z.object({ name, description: z.string().optional() }),
    handler: async ({ body }) => ({
      registered_model: mlflowRegisteredModel(
        await r.updateRegisteredModel(body.name, { description: body.description ?? "" }),
      ),
    }),
  });
  add(app, {
    ...spec,
    method: "DELETE",
    url: "/registered-models/delete",
    summary: "Delete a registered model with its versions and aliases",
    handler: ({ req }) => ok(r.deleteRegisteredModel(parseInput(nameOnly, both(req)).name)),
  });
}

function registerModelQueries(app: FastifyInstance, add: Add, r: RegistryService): void {
  const spec = { tag: "mlflow-registry" } as const;
  add(app, {
    ...spec,
    method: "GET",
    url: "/registered-models/search",
    summary: "Search registered models",
    query: search,
    handler: async ({ query }) => {
      const res = await r.searchRegisteredModels({
        filter: query.filter,
        maxResults: query.max_results,
        orderBy: query.order_by,
        pageToken: query.page_token,
      });
      return {
        registered_models: res.items.length > 0 ? res.items.map(mlflowRegisteredModel) : undefined,
        next_page_token: res.nextPageToken ?? undefined,
      };
    },
  });
  add(app, {
    ...spec,
    method: "POST",
    url: "/registered-models/set-tag",
    summary: "Set a registered model tag",
    body: z.object({ name, key: z.string().min(1), value: z.string().optional().default("") }),
    handler: ({ body }) => ok(r.setRegisteredModelTag(body.name, body.key, body.value)),
  });
  add(app, {
    ...spec,
    method: "DELETE",
    url: "/registered-models/delete-tag",
    summary: "Delete a registered model tag",
    handler: ({ req }) => {
      const q = parseInput(z.object({ name, key: z.string().min(1) }), both(req));
      return ok(r.deleteRegisteredModelTag(q.name, q.key));
    },
  });
  add(app, {
    ...spec,
    method: ["POST", "GET"],
    url: "/registered-models/get-latest-versions",
    summary: "Latest version per stage (every version is in stage None)",
    handler: async ({ req }) => {
      const q = parseInput(z.object({ name, stages: list(z.string()).optional() }), both(req));
      const versions = await r.getLatestVersions(q.name, q.stages ?? []);
      return { model_versions: versions.length > 0 ? versions.map(mlflowModelVersion) : undefined };
    },
  });
}

function registerAliasRoutes(app: FastifyInstance, add: Add, r: RegistryService): void {
  const spec = { tag: "mlflow-registry", url: "/registered-models/alias" } as const;
  add(app, {
    ...spec,
    method: "POST",
    summary: "Set (or move) an alias to a version",
    body: z.object({ name, alias: z.string(), version: id }),
    handler: ({ body }) => ok(r.setAlias(body.name, body.alias, body.version)),
  });
  add(app, {
    ...spec,
    method: "DELETE",
    summary: "Delete an alias",
    handler: ({ req }) => {
      const q = parseInput(z.object({ name, alias: z.string() }), both(req));
      return ok(r.deleteAlias(q.name, q.alias));
    },
  });
  add(app, {
    ...spec,
    method: "GET",
    summary: "Get the model version an alias points to",
    query: z.object({ name, alias: z.string().min(1) }),
    handler: async ({ query }) => {
      try {
        return { model_version: mlflowModelVersion(await r.getModelVersionByAlias(query.name, query.alias)) };
      } catch (e) {
        // MLflow answers a missing alias with INVALID_PARAMETER_VALUE (400); clients match on it.
        if (!isGyreError(e) || e.code !== "REGISTRY_ALIAS_NOT_FOUND") throw e;
        throw new GyreError("REGISTRY_INVALID_ALIAS", e.message, { field: "alias" });
      }
    },
  });
}

function registerVersionRoutes(app: FastifyInstance, add: Add, r: RegistryService): void {
  const spec = { tag: "mlflow-registry" } as const;
  add(app, {
    ...spec,
    method: "POST",
    url: "/model-versions/create",
    summary: "Create a model version",
    body: z.object({
      name,
      source: z.string().min(1),
      run_id: z.string().optional(),
      tags: z.array(kv).optional(),
      run_link: z.string().optional(),
      description: z.string().optional(),
    }),
    handler: async ({ body }) => {
      const v = await r.createModelVersion({
        name: body.name,
        source: body.source,
        runId: body.run_id,
        tags: body.tags,
        runLink: body.run_link,
        description: body.description,
      });
      return { model_version: mlflowModelVersion(v) };
    },
  });
  add(app, {
    ...spec,
    method: "GET",
    url: "/model-versions/get",
    summary: "Get a model version",
    query: nameVersion,
    handler: async ({ query }) => ({
      model_version: mlflowModelVersion(await r.getModelVersion(query.name, query.version)),
    }),
  });
  add(app, {
    ...spec,
    method: "PATCH",
    url: "/model-versions/update",
    summary: "Update a model version's description",
    body: z.object({ name, version: id, description: z.string().optional() }),
    handler: async ({ body }) => ({
      model_version: mlflowModelVersion(
        await r.updateModelVersion(body.name, body.version, { description: body.description ?? "" }),
      ),
    }),
  });
  add(app, {
    ...spec,
    method: "DELETE",
    url: "/model-versions/delete",
    summary: "Delete a model version (refused while an alias points at it)",
    handler: ({ req }) => {
      const q = parseInput(nameVersion, both(req));
      return ok(r.deleteModelVersion(q.name, q.version));
    },
  });
}

function registerVersionQueries(app: FastifyInstance, add: Add, r: RegistryService): void {
  const spec = { tag: "mlflow-registry" } as const;
  add(app, {
    ...spec,
    method: "GET",
    url: "/model-versions/search",
    summary: "Search model versions",
    query: search,
    handler: async ({ query }) => {
      const res = await r.searchModelVersions({
        filter: query.filter,
        // The proto's default; gyre pages through it like any other limit.
        maxResults: query.max_results ?? 200_000,
        orderBy: query.order_by,
        pageToken: query.page_token,
      });
      return {
        model_versions: res.items.length > 0 ? res.items.map(mlflowModelVersion) : undefined,
        next_page_token: res.nextPageToken ?? undefined,
      };
    },
  });
  add(app, {
    ...spec,
    method: "POST",
    url: "/model-versions/set-tag",
    summary: "Set a model version tag",
    body: z.object({ name, version: id, key: z.string().min(1), value: z.string().optional().default("") }),
    handler: ({ body }) => ok(r.setModelVersionTag(body.name, body.version, body.key, body.value)),
  });
  add(app, {
    ...spec,
    method: "DELETE",
    url: "/model-versions/delete-tag",
    summary: "Delete a model version tag",
    handler: ({ req }) => {
      const q = parseInput(z.object({ name, version: id, key: z.string().min(1) }), both(req));
      return ok(r.deleteModelVersionTag(q.name, q.version, q.key));
    },
  });
  add(app, {
    ...spec,
    method: "GET",
    url: "/model-versions/get-download-uri",
    summary: "Where a model version's files are",
    query: nameVersion,
    handler: async ({ query }) => ({
      artifact_uri: await r.getModelVersionDownloadUri(query.name, query.version),
    }),
  });
}
