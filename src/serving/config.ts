import { existsSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { GyreError } from "../core/errors.js";
import { importModule } from "../core/module.js";
import { normaliseDeployment } from "./spec.js";
import type { Deployment } from "./types.js";

const servingSchema = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(0).max(65535),
  /** Processes serving the port (node:cluster); 1 serves in this process. */
  workers: z.number().int().min(1).max(256),
  /** Largest accepted request body in bytes; larger ones get 413. */
  bodyLimit: z.number().int().positive(),
  /** A request (headers and body) must arrive within this many ms, else 408; protects against slow clients. */
  requestTimeoutMs: z.number().int().positive(),
  /** Graceful shutdown waits this long for in-flight requests, ms, then closes the remaining connections. */
  shutdownTimeoutMs: z.number().int().min(0),
  /** How often aliases and stored deployments are re-read, ms. */
  pollIntervalMs: z.number().int().min(50),
  runtime: z.strictObject({
    intraOpThreads: z.number().int().min(0),
    interOpThreads: z.number().int().min(0),
  }),
  predictionLog: z.strictObject({
    enabled: z.boolean(),
    /** Most prediction rows queued in memory per process; more are dropped and counted. */
    capacity: z.number().int().positive(),
    flushIntervalMs: z.number().int().min(10),
    /** Also POST every flush to this endpoint as a batch of CloudEvents (see log/http-sink.ts). */
    http: z
      .strictObject({
        url: z.url({ protocol: /^https?$/, error: "an http:// or https:// URL" }),
        headers: z.record(z.string(), z.string()).default({}),
        timeoutMs: z.number().int().positive().default(5000),
        retries: z.number().int().min(0).max(10).default(2),
      })
      .optional(),
  }),
  /** Where downloaded model packages are kept while loaded. */
  cacheDir: z.string().min(1),
});

/** Settings of `gyre serve` (the `serving` export of gyre.config.ts, then flags). */
export type ServingConfig = z.infer<typeof servingSchema>;

/** What `gyre.config.ts` may export as `serving` (every field optional). */
export type ServingConfigInput = Partial<Omit<ServingConfig, "runtime" | "predictionLog">> & {
  runtime?: Partial<ServingConfig["runtime"]>;
  predictionLog?: Partial<z.input<typeof servingSchema>["predictionLog"]>;
};

/** Defaults: port 8080, one worker per core, ORT with one thread per call, log queue of 100,000 rows. */
export function servingDefaults(): ServingConfig {
  return {
    host: "127.0.0.1",
    port: 8080,
    workers: availableParallelism(),
    bodyLimit: 16 * 1024 * 1024,
    requestTimeoutMs: 30_000,
    shutdownTimeoutMs: 10_000,
    pollIntervalMs: 1000,
    runtime: { intraOpThreads: 1, interOpThreads: 1 },
    predictionLog: { enabled: true, capacity: 100_000, flushIntervalMs: 1000 },
    cacheDir: join(tmpdir(), "gyre-serving"),
  };
}

/** Defaults → `over` layers (later wins, undefined leaves a value), validated. Throws CONFIG_INVALID naming the key. */
export function resolveServingConfig(...over: (ServingConfigInput | undefined)[]): ServingConfig {
  const merged: Record<string, unknown> = { ...servingDefaults() };
  for (const layer of over) {
    for (const [k, v] of Object.entries(layer ?? {})) {
      if (v === undefined) continue;
      const prev = merged[k];
      merged[k] =
        typeof v === "object" && v !== null && typeof prev === "object"
          ? { ...prev, ...Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)) }
          : v;
    }
  }
  const res = servingSchema.safeParse(merged);
  if (res.success) return res.data;
  const issue = res.error.issues[0]!;
  const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
  const field = ["serving", ...issue.path.map(String), ...keys.slice(0, 1)].join(".");
  throw new GyreError("CONFIG_INVALID", `Invalid configuration '${field}': ${issue.message}`, { field });
}

/**
 * The `deployments` (array or record) and `serving` named exports of a config module such as gyre.config.ts,
 * loaded through tsx. A missing file gives none. Throws CONFIG_INVALID / SERVING_DEPLOYMENT_INVALID naming the entry.
 */
export async function loadServingModule(
  file: string,
): Promise<{ deployments: Deployment[]; serving: ServingConfigInput }> {
  if (!existsSync(file)) return { deployments: [], serving: {} };
  const mod = await importModule(file, "config");
  const listed = mod.deployments ?? [];
  const specs = Array.isArray(listed)
    ? listed
    : typeof listed === "object" && listed !== null
      ? Object.values(listed)
      : null;
  if (!specs)
    throw new GyreError("CONFIG_INVALID", `'deployments' in ${file} must be an array of deployments`, {
      field: "deployments",
    });
  const deployments = specs.map((s, i) => normaliseDeployment(s, "config", `deployments[${i}]`));
  const names = new Set<string>();
  for (const d of deployments) {
    if (names.has(d.name))
      throw new GyreError(
        "SERVING_DEPLOYMENT_INVALID",
        `Deployment '${d.name}' is declared twice in ${file}`,
        { field: "deployments" },
      );
    names.add(d.name);
  }
  return { deployments, serving: (mod.serving ?? {}) as ServingConfigInput };
}
