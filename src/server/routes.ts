import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from "fastify";
import { z } from "zod";
import { GyreError } from "../core/errors.js";

/** Input of a route after validation. */
export interface RouteInput<B, Q, P> {
  body: B;
  query: Q;
  params: P;
  req: FastifyRequest;
  reply: FastifyReply;
}

/** One HTTP route: its zod schemas validate the input once at the boundary and feed the OpenAPI document. */
export interface RouteSpec<B = unknown, Q = unknown, P = unknown> {
  method: HTTPMethods | HTTPMethods[];
  url: string;
  summary: string;
  tag: string;
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  params?: z.ZodType<P>;
  /** Raw-body routes (artifact uploads) document their body as bytes and parse nothing. */
  rawBody?: boolean;
  handler(input: RouteInput<B, Q, P>): Promise<unknown>;
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): GyreError {
  const field = issue.path
    .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join("");
  let value: unknown = input;
  for (const p of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[p as PropertyKey];
  const message =
    value === undefined || value === null || value === ""
      ? `Missing value for required parameter '${field}'. See the API docs for more information about request parameters.`
      : `Invalid value ${JSON.stringify(value)} for parameter '${field}' supplied: ${issue.message}`;
  return new GyreError("REQUEST_INVALID", message, { field });
}

const fastPaths = new WeakMap<z.ZodType, (data: unknown) => unknown>();

/**
 * Gives `schema` a hand-written fast path for large, common inputs (a 1000-metric log-batch). `fast`
 * must return exactly what the schema would, or undefined for anything it does not recognise, which
 * then goes through the schema: errors are always the schema's own. Returns `schema`.
 */
export function withFastPath<T extends z.ZodType>(
  schema: T,
  fast: (data: unknown) => z.output<T> | undefined,
): T {
  fastPaths.set(schema, fast);
  return schema;
}

/** Validates `data` with `schema`; throws REQUEST_INVALID naming the first bad field. */
export function parseInput<T>(schema: z.ZodType<T>, data: unknown): T {
  const fast = fastPaths.get(schema)?.(data);
  if (fast !== undefined) return fast as T;
  const res = schema.safeParse(data ?? {});
  if (res.success) return res.data;
  const issue = res.error.issues[0]!;
  if (issue.path.length === 0) {
    throw new GyreError("REQUEST_INVALID", `The request must be a JSON object: ${issue.message}`, {
      field: "body",
    });
  }
  throw describeIssue(issue, data ?? {});
}

/** Registers routes on a Fastify instance and remembers them for `/api/v1/openapi.json`. */
export class RouteTable {
  readonly specs: RouteSpec[] = [];

  add<B, Q, P>(app: FastifyInstance, spec: RouteSpec<B, Q, P>): void {
    this.specs.push(spec as RouteSpec);
    app.route({
      method: spec.method,
      url: spec.url,
      handler: async (req, reply) => {
        const input = {
          body: spec.body ? parseInput(spec.body, req.body) : (req.body as B),
          query: spec.query ? parseInput(spec.query, req.query) : (req.query as Q),
          params: spec.params ? parseInput(spec.params, req.params) : (req.params as P),
          req,
          reply,
        };
        return spec.handler(input);
      },
    });
  }

  /** OpenAPI 3.1 document of every registered route. */
  openapi(info: { title: string; version: string }, prefix: string): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const s of this.specs.filter((x) => x.url.startsWith(prefix))) {
      const path = s.url.replace(/:([A-Za-z_]+)/g, "{$1}").replace(/\*$/, "{path}");
      const methods = Array.isArray(s.method) ? s.method : [s.method];
      for (const m of methods) {
        paths[path] ??= {};
        paths[path][m.toLowerCase()] = operation(s);
      }
    }
    return { openapi: "3.1.0", info, paths };
  }
}

function schemaOf(t: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(t, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
}

function operation(s: RouteSpec): Record<string, unknown> {
  const parameters: Record<string, unknown>[] = [];
  for (const [where, t] of [
    ["path", s.params],
    ["query", s.query],
  ] as const) {
    const props = t ? ((schemaOf(t).properties ?? {}) as Record<string, unknown>) : {};
    for (const [name, schema] of Object.entries(props))
      parameters.push({ name, in: where, required: where === "path", schema });
  }
  if (s.url.endsWith("*"))
    parameters.push({ name: "path", in: "path", required: true, schema: { type: "string" } });
  const op: Record<string, unknown> = {
    summary: s.summary,
    tags: [s.tag],
    parameters,
    responses: {
      "200": { description: "OK" },
      default: { description: "Error: { error: { code, message, field } }" },
    },
  };
  if (s.body)
    op.requestBody = { required: true, content: { "application/json": { schema: schemaOf(s.body) } } };
  if (s.rawBody)
    op.requestBody = {
      required: true,
      content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } },
    };
  return op;
}
