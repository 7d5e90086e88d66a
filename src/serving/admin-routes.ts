import type { FastifyInstance } from "fastify";
import { GyreError } from "../core/errors.js";
import type { DataPlane } from "./plane.js";
import type { ServingService, TrafficChange } from "./service.js";
import type { Deployment } from "./types.js";

/** URL prefix of the serving server's native management API. */
export const SERVING_API = "/api/v1/deployments";

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A deployment as the API shows it: definition plus what this process serves for each variant. */
export function deploymentView(d: Deployment, plane: DataPlane | null): Record<string, unknown> {
  let live: ReturnType<DataPlane["get"]> | null = null;
  try {
    live = plane?.get(d.name) ?? null;
  } catch {
    live = null;
  }
  return {
    name: d.name,
    origin: d.origin,
    spec: d.spec,
    ready: live?.ready ?? false,
    variants: live?.status() ?? [],
  };
}

/**
 * `GET/POST /api/v1/deployments`, `GET/DELETE /api/v1/deployments/:name`, `PATCH …/:name/traffic`: the same
 * operations as `gyre deployments`, through the service; changes apply at once in this process and within one
 * poll interval in the others.
 */
export function registerDeploymentAdmin(
  app: FastifyInstance,
  service: ServingService,
  plane: DataPlane,
  sync: () => Promise<void>,
): void {
  app.get(SERVING_API, async () => ({
    deployments: (await service.list()).map((d) => deploymentView(d, plane)),
  }));
  app.get<{ Params: { name: string } }>(`${SERVING_API}/:name`, async (req) =>
    deploymentView(await service.get(req.params.name), plane),
  );
  app.post(SERVING_API, async (req, reply) => {
    const d = await service.create(req.body);
    await sync();
    return reply.code(201).send(deploymentView(d, plane));
  });
  app.patch<{ Params: { name: string } }>(`${SERVING_API}/:name/traffic`, async (req) => {
    if (!isObject(req.body))
      throw new GyreError(
        "SERVING_DEPLOYMENT_INVALID",
        "The body must be a JSON object with model, canary, shadow or ab",
        { field: "body" },
      );
    const d = await service.setTraffic(req.params.name, req.body as TrafficChange);
    await sync();
    return deploymentView(d, plane);
  });
  app.delete<{ Params: { name: string } }>(`${SERVING_API}/:name`, async (req, reply) => {
    await service.delete(req.params.name);
    await sync();
    return reply.code(204).send();
  });
}
