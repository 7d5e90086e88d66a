import { basename } from "node:path";
import type { Readable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { safeArtifactPath } from "../../artifacts/index.js";
import type { TrackingService } from "../../metadata/index.js";
import type { RouteTable } from "../routes.js";
import { mlflowFileInfo } from "./serialize.js";

const TEXT_EXTENSIONS = new Set(
  "txt log err cfg conf cnf cf ini properties prop hocon toml yaml yml xml json js py py3 csv tsv md rst".split(
    " ",
  ),
);

const MIME: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  svg: "image/svg+xml",
  html: "text/html",
  pdf: "application/pdf",
  parquet: "application/octet-stream",
};

/** MLflow's guess: text/plain for code, config and data text files, else by extension. */
export function guessMime(path: string): string {
  const name = basename(path);
  if (name === "MLmodel" || name === "MLproject") return "text/plain";
  const ext = name.includes(".") ? name.split(".").pop()!.toLowerCase() : "";
  if (TEXT_EXTENSIONS.has(ext)) return "text/plain";
  return MIME[ext] ?? "application/octet-stream";
}

/**
 * The MLflow artifacts proxy (`/api/2.0/mlflow-artifacts/artifacts/...`): the Python client's
 * `mlflow-artifacts:/` URIs upload, download, list and delete through it. Uploads into a run's root
 * are also recorded in the run's artifact listing (size, sha256).
 */
export function registerMlflowArtifacts(app: FastifyInstance, routes: RouteTable, t: TrackingService): void {
  const store = t.artifacts;
  for (const prefix of ["/api/2.0/mlflow-artifacts", "/ajax-api/2.0/mlflow-artifacts"]) {
    routes.add(app, {
      method: "PUT",
      url: `${prefix}/artifacts/*`,
      summary: "Upload an artifact (raw body)",
      tag: "mlflow-artifacts",
      rawBody: true,
      handler: async ({ req }) => {
        const path = safeArtifactPath((req.params as { "*": string })["*"], "path", false);
        const res = await store.put(path, (req.body ?? req.raw) as Readable);
        await t.recordProxiedArtifact(path, res.size, res.sha256);
        return {};
      },
    });
    routes.add(app, {
      method: "GET",
      url: `${prefix}/artifacts/*`,
      summary: "Download an artifact",
      tag: "mlflow-artifacts",
      handler: async ({ req, reply }) => {
        const path = safeArtifactPath((req.params as { "*": string })["*"], "path", false);
        const stream = await store.get(path);
        reply.header("Content-Type", guessMime(path));
        reply.header("Content-Disposition", `attachment; filename=${basename(path)}`);
        reply.header("X-Content-Type-Options", "nosniff");
        return reply.send(stream);
      },
    });
    routes.add(app, {
      method: "GET",
      url: `${prefix}/artifacts`,
      summary: "List artifacts under a path",
      tag: "mlflow-artifacts",
      query: z.object({ path: z.string().optional() }),
      handler: async ({ query }) => {
        const dir = safeArtifactPath(query.path ?? "");
        const files = await store.list(dir);
        return files.length > 0 ? { files: files.map((f) => mlflowFileInfo(f, basename(f.path))) } : {};
      },
    });
    routes.add(app, {
      method: "DELETE",
      url: `${prefix}/artifacts/*`,
      summary: "Delete an artifact or directory",
      tag: "mlflow-artifacts",
      handler: async ({ req }) => {
        await store.delete(safeArtifactPath((req.params as { "*": string })["*"], "path", false));
        return {};
      },
    });
    routes.add(app, {
      method: "POST",
      url: `${prefix}/mpu/*`,
      summary: "Multipart upload (not supported: clients fall back to PUT)",
      tag: "mlflow-artifacts",
      handler: async ({ reply }) =>
        reply.code(501).send({
          error_code: "NOT_IMPLEMENTED",
          message: "Multipart upload is not supported for the current artifact repository",
        }),
    });
  }
}
