import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { GyreError } from "../../core/errors.js";
import type { DataPlane } from "../plane.js";
import type { InferRequest } from "../types.js";
import { decodeInvocationsCsv, decodeInvocationsJson, encodePredictions } from "./codec.js";

/** The deployment `/invocations` answers for: `?deployment=`, the `x-gyre-deployment` header, or the only one. */
function targetOf(plane: DataPlane, req: FastifyRequest): string {
  const query = (req.query as { deployment?: string }).deployment;
  const header = req.headers["x-gyre-deployment"];
  const named = query ?? (typeof header === "string" ? header : undefined);
  if (named) return named;
  const all = plane.list();
  if (all.length === 1) return all[0]!.name;
  const names = all.map((d) => d.name).join(", ") || "none";
  throw new GyreError(
    "SERVING_DEPLOYMENT_NOT_FOUND",
    `This server serves ${all.length} deployments (${names}); name one with POST /deployments/<name>/invocations or ?deployment=<name>`,
    { field: "deployment" },
  );
}

async function invoke(plane: DataPlane, deployment: string, req: FastifyRequest, reply: FastifyReply) {
  const type = (req.headers["content-type"] ?? "application/json").split(";")[0]!.trim().toLowerCase();
  let request: InferRequest;
  let format: string;
  const routingKey = req.headers["x-gyre-routing-key"];
  const base = {
    deployment,
    requestId: req.id,
    protocol: "invocations" as const,
    ...(typeof routingKey === "string" ? { routingKey } : {}),
  };
  if (type === "text/csv") {
    const live = plane.get(deployment);
    const served = live.served(live.definition.traffic.variants[0]!.name);
    if (!served) throw live.notReady();
    request = { ...base, inputs: decodeInvocationsCsv(String(req.body ?? ""), served.signature) };
    format = "csv";
  } else {
    const decoded = decodeInvocationsJson(req.body);
    request = { ...base, inputs: decoded.inputs };
    format = decoded.format;
  }
  const result = await plane.infer(request);
  reply.header("x-gyre-model-version", String(result.version)).header("x-gyre-variant", result.variant);
  return encodePredictions(result, format);
}

/**
 * MLflow's scoring-server protocol (`mlflow models serve`): `POST /invocations` with JSON (`dataframe_split`,
 * `dataframe_records`, `instances`, `inputs`) or CSV, `GET /ping`, `/health`, `/version`. Errors are
 * `{"error_code": "BAD_REQUEST", "message": ...}` (see app.ts). `/deployments/<name>/invocations` picks a deployment.
 */
export function registerMlflowScoring(
  app: FastifyInstance,
  plane: DataPlane,
  server: { version: string; draining: () => boolean },
): void {
  const ping = async (_req: FastifyRequest, reply: FastifyReply) => {
    const ready = plane.ready && !server.draining();
    return reply
      .code(ready ? 200 : 503)
      .type("application/json")
      .send("\n");
  };
  app.get("/ping", ping);
  app.get("/health", ping);
  app.get("/version", async (_req, reply) => reply.type("text/plain").send(server.version));
  app.post("/invocations", async (req, reply) => invoke(plane, targetOf(plane, req), req, reply));
  app.post<{ Params: { name: string } }>("/deployments/:name/invocations", async (req, reply) =>
    invoke(plane, req.params.name, req, reply),
  );
}
