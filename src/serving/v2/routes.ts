import type { FastifyInstance, FastifyReply } from "fastify";
import { GyreError } from "../../core/errors.js";
import type { TensorSpec } from "../../registry/index.js";
import type { DataPlane } from "../plane.js";
import { V2_DATATYPES } from "../tensors.js";
import { decodeInferRequest, encodeInferResponse } from "./codec.js";

/** URL prefix of the Open Inference Protocol v2 REST routes. */
export const V2_PREFIX = "/v2";

interface ModelParams {
  name: string;
  version?: string;
}

function tensorMeta(t: TensorSpec) {
  return { name: t.name, datatype: V2_DATATYPES[t.dtype], shape: t.shape };
}

function versionOf(params: ModelParams): number | undefined {
  if (params.version === undefined) return undefined;
  if (!/^\d+$/.test(params.version))
    throw new GyreError(
      "SERVING_VERSION_NOT_SERVED",
      `Version '${params.version}' of model '${params.name}' is not served; versions are numbers`,
      { field: "version" },
    );
  return Number(params.version);
}

/** `{name, versions, platform, inputs, outputs}` of a deployment (or one of its versions). */
function modelMetadata(plane: DataPlane, params: ModelParams): Record<string, unknown> {
  const live = plane.get(params.name);
  const version = versionOf(params);
  const served =
    version !== undefined
      ? live.byVersion(version)
      : (live.served(live.definition.traffic.variants[0]!.name) ?? null);
  if (version !== undefined && !served)
    throw new GyreError(
      "SERVING_VERSION_NOT_SERVED",
      `Version ${version} of model '${params.name}' is not served`,
      { field: "version" },
    );
  if (!served) throw live.notReady();
  const versions = [
    ...new Set(
      live
        .status()
        .map((s) => s.version)
        .filter((v): v is number => v !== null),
    ),
  ].map(String);
  return {
    name: live.name,
    versions,
    platform: "onnxruntime_onnx",
    inputs: served.signature.inputs.map(tensorMeta),
    outputs: served.signature.outputs.map(tensorMeta),
  };
}

function modelReady(plane: DataPlane, params: ModelParams, reply: FastifyReply) {
  const live = plane.get(params.name);
  const version = versionOf(params);
  const ready = version !== undefined ? live.byVersion(version) !== null : live.ready;
  return reply.code(ready ? 200 : 400).send({ name: live.name, ready });
}

/**
 * The Open Inference Protocol v2 REST API (KServe, Triton, MLServer): health, server and model metadata,
 * model readiness, and inference with JSON tensors. Errors are `{"error": "..."}` (see app.ts).
 */
export function registerV2(
  app: FastifyInstance,
  plane: DataPlane,
  server: { name: string; version: string; draining: () => boolean },
): void {
  app.get("/v2/health/live", async () => ({ live: true }));
  app.get("/v2/health/ready", async (_req, reply) => {
    const ready = plane.ready && !server.draining();
    return reply.code(ready ? 200 : 400).send({ ready });
  });
  app.get("/v2", async () => ({ name: server.name, version: server.version, extensions: [] }));
  for (const base of ["/v2/models/:name", "/v2/models/:name/versions/:version"]) {
    app.get<{ Params: ModelParams }>(base, async (req) => modelMetadata(plane, req.params));
    app.get<{ Params: ModelParams }>(`${base}/ready`, async (req, reply) =>
      modelReady(plane, req.params, reply),
    );
    app.post<{ Params: ModelParams }>(`${base}/infer`, async (req) => {
      const request = decodeInferRequest(req.body, req.params.name, versionOf(req.params), req.id);
      const result = await plane.infer(request);
      const id = (req.body as { id?: string }).id;
      return encodeInferResponse(result, id);
    });
  }
}
