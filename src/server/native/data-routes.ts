import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { type DataService, dataFor } from "../../data/index.js";
import type { TrackingService } from "../../metadata/index.js";
import type { RouteTable } from "../routes.js";
import { API_PREFIX } from "./tracking-routes.js";

const name = z.object({ name: z.string().min(1) });

/** Versioned datasets over HTTP (read only: files are registered with `gyre data register`). */
export function registerNativeData(
  app: FastifyInstance,
  routes: RouteTable,
  tracking: TrackingService,
): void {
  let opened: Promise<DataService> | null = null;
  const data = () => {
    opened ??= dataFor(tracking);
    return opened;
  };
  const tag = "data";
  routes.add(app, {
    method: "GET",
    url: `${API_PREFIX}/datasets`,
    summary: "Datasets, each with its latest version (schema, profile, validation)",
    tag,
    handler: async () => ({ datasets: await (await data()).datasets() }),
  });
  routes.add(app, {
    method: "GET",
    url: `${API_PREFIX}/datasets/:name/versions`,
    summary: "Every version of a dataset, newest first",
    tag,
    params: name,
    handler: async ({ params }) => ({ versions: await (await data()).versions(params.name) }),
  });
  routes.add(app, {
    method: "GET",
    url: `${API_PREFIX}/datasets/:name/versions/:version`,
    summary: "One version of a dataset",
    tag,
    params: name.extend({ version: z.coerce.number().int().positive() }),
    handler: async ({ params }) => ({ version: await (await data()).get(params.name, params.version) }),
  });
}
