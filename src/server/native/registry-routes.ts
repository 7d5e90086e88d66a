import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { RegistryService } from "../../registry/index.js";
import { int64, list } from "../mlflow/schemas.js";
import type { RouteTable } from "../routes.js";
import { API_PREFIX } from "./tracking-routes.js";

type Add = RouteTable["add"];

async function ok(p: Promise<unknown>): Promise<Record<string, never>> {
  await p;
  return {};
}

const tag = z.object({ key: z.string().min(1), value: z.string() });
const model = z.object({ name: z.string().min(1) });
const version = z.object({ name: z.string().min(1), version: z.string().min(1) });
const search = z.object({
  filter: z.string().optional(),
  maxResults: int64.optional(),
  orderBy: list(z.string()).optional(),
  pageToken: z.string().optional(),
});
const flag = z.preprocess((v) => v === "true" || v === "1" || v === true, z.boolean());

/** gyre's native registry API: one route per RegistryClient method, camelCase JSON, plus lineage. */
export function registerNativeRegistry(app: FastifyInstance, routes: RouteTable, r: RegistryService): void {
  const add: Add = (a, spec) => routes.add(a, { ...spec, url: API_PREFIX + spec.url });
  registerModels(app, add, r);
  registerModelTags(app, add, r);
  registerVersions(app, add, r);
  registerVersionTags(app, add, r);
  registerAliases(app, add, r);
  add(app, {
    method: "GET",
    url: "/lineage/model-versions/:name/:version",
    summary: "Upstream lineage of a model version: run, datasets, git commit",
    tag: "lineage",
    params: version,
    handler: ({ params }) => r.lineage(params.name, params.version),
  });
  add(app, {
    method: "GET",
    url: "/lineage/datasets/:digest/model-versions",
    summary: "Model versions whose run consumed the dataset with this digest",
    tag: "lineage",
    params: z.object({ digest: z.string().min(1) }),
    handler: async ({ params }) => ({ modelVersions: await r.versionsUsingDataset(params.digest) }),
  });
}

function registerModels(app: FastifyInstance, add: Add, r: RegistryService): void {
  const spec = { tag: "models" } as const;
  add(app, {
    ...spec,
    method: "POST",
    url: "/models",
    summary: "Create a registered model",
    body: z.object({ name: z.string(), description: z.string().optional(), tags: z.array(tag).optional() }),
    handler: ({ body }) =>
      r.createRegisteredModel(body.name, { description: body.description, tags: body.tags } as never),
  });
  add(app, {
    ...spec,
    method: "GET",
    url: "/models",
    summary: "Search registered models",
    query: search,
    handler: ({ query }) => r.searchRegisteredModels(query),
  });
  add(app, {
    ...spec,
    method: "GET",
    url: "/models/:name",
    summary: "Get a registered model",
    params: model,
    handler: ({ params }) => r.getRegisteredModel(params.name),
  });
  add(app, {
    ...spec,
    method: "PATCH",
    url: "/models/:name",
    summary: "Rename a registered model and/or change its description",
    params: model,
    body: z.object({ newName: z.string().optional(), description: z.string().optional() }),
    handler: async ({ params, body }) => {
      let current = params.name;
      if (body.newName !== undefined) current = (await r.renameRegisteredModel(current, body.newName)).name;
      if (body.description !== undefined)
        return r.updateRegisteredModel(current, { description: body.description });
      return r.getRegisteredModel(current);
    },
  });
  add(app, {
    ...spec,
    method: "DELETE",
    url: "/models/:name",
    summary: "Delete a registered model with its versions and aliases (alias history is kept)",
    params: model,
    handler: ({ params }) => ok(r.deleteRegisteredModel(params.name)),
  });
}

function registerModelTags(app: FastifyInstance, add: Add, r: RegistryService): void {
  const spec = { tag: "models" } as const;
  add(app, {
    ...spec,
    method: "PUT",
    url: "/models/:name/tags/:key",
    summary: "Set a registered model tag",
    params: z.object({ name: z.string(), key: z.string() }),
    body: z.object({ value: z.string() }),
    handler: ({ params, body }) => ok(r.setRegisteredModelTag(params.name, params.key, body.value)),
  });
  add(app, {
    ...spec,
    method: "DELETE",
    url: "/models/:name/tags/:key",
    summary: "Delete a registered model tag",
    params: z.object({ name: z.string(), key: z.string() }),
    handler: ({ params }) => ok(r.deleteRegisteredModelTag(params.name, params.key)),
  });
  add(app, {
    ...spec,
    method: "GET",
    url: "/models/:name/latest-versions",
    summary: "Latest version per stage",
    params: model,
    query: z.object({ stages: list(z.string()).optional() }),
    handler: async ({ params, query }) => ({
      modelVersions: await r.getLatestVersions(params.name, query.stages),
    }),
  });
}

function registerVersions(app: FastifyInstance, add: Add, r: RegistryService): void {
  const spec = { tag: "models" } as const;
  add(app, {
    ...spec,
    method: "POST",
    url: "/models/:name/versions",
    summary: "Register a new model version",
    params: model,
    body: z.object({
      source: z.string(),
      runId: z.string().optional(),
      runLink: z.string().optional(),
      description: z.string().optional(),
      tags: z.array(tag).optional(),
      userId: z.string().optional(),
    }),
    handler: ({ params, body }) => r.createModelVersion({ ...body, name: params.name }),
  });
  add(app, {
    ...spec,
    method: "GET",
    url: "/model-versions",
    summary: "Search model versions",
    query: search,
    handler: ({ query }) => r.searchModelVersions(query),
  });
  add(app, {
    ...spec,
    method: "GET",
    url: "/models/:name/versions/:version",
    summary: "Get a model version",
    params: version,
    handler: ({ params }) => r.getModelVersion(params.name, params.version),
  });
  add(app, {
    ...spec,
    method: "PATCH",
    url: "/models/:name/versions/:version",
    summary: "Change a model version's description",
    params: version,
    body: z.object({ description: z.string() }),
    handler: ({ params, body }) => r.updateModelVersion(params.name, params.version, body),
  });
  add(app, {
    ...spec,
    method: "DELETE",
    url: "/models/:name/versions/:version",
    summary: "Delete a model version (refused while an alias points at it, unless force=true)",
    params: version,
    query: z.object({ force: flag.optional() }),
    handler: ({ params, query }) =>
      ok(r.deleteModelVersion(params.name, params.version, { force: query.force })),
  });
}

function registerVersionTags(app: FastifyInstance, add: Add, r: RegistryService): void {
  const spec = { tag: "models" } as const;
  add(app, {
    ...spec,
    method: "PUT",
    url: "/models/:name/versions/:version/tags/:key",
    summary: "Set a model version tag",
    params: z.object({ name: z.string(), version: z.string(), key: z.string() }),
    body: z.object({ value: z.string() }),
    handler: ({ params, body }) =>
      ok(r.setModelVersionTag(params.name, params.version, params.key, body.value)),
  });
  add(app, {
    ...spec,
    method: "DELETE",
    url: "/models/:name/versions/:version/tags/:key",
    summary: "Delete a model version tag",
    params: z.object({ name: z.string(), version: z.string(), key: z.string() }),
    handler: ({ params }) => ok(r.deleteModelVersionTag(params.name, params.version, params.key)),
  });
  add(app, {
    ...spec,
    method: "GET",
    url: "/models/:name/versions/:version/download-uri",
    summary: "Where a model version's files are",
    params: version,
    handler: async ({ params }) => ({
      artifactUri: await r.getModelVersionDownloadUri(params.name, params.version),
    }),
  });
}

function registerAliases(app: FastifyInstance, add: Add, r: RegistryService): void {
  const spec = { tag: "models" } as const;
  const params = z.object({ name: z.string().min(1), alias: z.string().min(1) });
  const who = { reason: z.string().optional(), userId: z.string().optional() };
  add(app, {
    ...spec,
    method: "GET",
    url: "/models/:name/aliases/:alias",
    summary: "Resolve an alias to its model version",
    params,
    handler: ({ params }) => r.getModelVersionByAlias(params.name, params.alias),
  });
  add(app, {
    ...spec,
    method: "PUT",
    url: "/models/:name/aliases/:alias",
    summary: "Set or move an alias (recorded in its history with who, when and why)",
    params,
    body: z.object({ version: z.union([z.string(), z.number()]), ...who }),
    handler: ({ params, body }) => ok(r.setAlias(params.name, params.alias, body.version, body)),
  });
  add(app, {
    ...spec,
    method: "DELETE",
    url: "/models/:name/aliases/:alias",
    summary: "Delete an alias (recorded in its history)",
    params,
    query: z.object(who),
    handler: ({ params, query }) => ok(r.deleteAlias(params.name, params.alias, query)),
  });
  add(app, {
    ...spec,
    method: "GET",
    url: "/models/:name/aliases/:alias/history",
    summary: "An alias's history up to `at` (ms since the epoch) and the version it pointed to then",
    params,
    query: z.object({ at: int64.optional() }),
    handler: ({ params, query }) => r.aliasHistory(params.name, params.alias, { at: query.at }),
  });
}
