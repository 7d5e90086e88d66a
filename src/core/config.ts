import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { GyreError } from "./errors.js";
import { importModule } from "./module.js";

const serverSchema = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(0).max(65535),
    /** Largest accepted request body in bytes; larger bodies get 413. */
    bodyLimit: z.number().int().positive(),
  })
  .strict();

const configSchema = z
  .object({
    /** Metadata store URI: `sqlite://path`, `postgres://…`, `memory://`, or `http://host:port` of a gyre server. */
    store: z.string().min(1),
    /** Artifact store URI: `file://dir` or `http://host:port` of a gyre server. */
    artifacts: z.string().min(1),
    /** Online feature store URI: `sqlite://path` (default: `online.db` beside a SQLite metadata store). */
    onlineStore: z.string().min(1).optional(),
    server: serverSchema,
    logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]),
  })
  .strict();

/** The validated, frozen configuration that is passed down from start-up. */
export type GyreConfig = Readonly<z.infer<typeof configSchema>> & {
  readonly server: Readonly<z.infer<typeof serverSchema>>;
};

/** What `gyre.config.ts` may export (everything optional; later layers override earlier ones). */
export type UserConfig = Partial<Omit<z.infer<typeof configSchema>, "server">> & {
  server?: Partial<z.infer<typeof serverSchema>>;
};

/** Identity helper that gives `gyre.config.ts` type checking. */
export function defineConfig(config: UserConfig): UserConfig {
  return config;
}

export const DEFAULTS: GyreConfig = Object.freeze({
  store: "sqlite://./.gyre/gyre.db",
  artifacts: "file://./.gyre/artifacts",
  server: Object.freeze({ host: "127.0.0.1", port: 5000, bodyLimit: 64 * 1024 * 1024 }),
  logLevel: "info",
});

export interface LoadConfigOptions {
  /** Directory holding `gyre.config.ts`; defaults to the current directory. */
  cwd?: string;
  /** Environment to read `GYRE_*` variables from; defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  /** Command-line flags, the last layer. */
  flags?: UserConfig;
  /** Explicit config file path; when given it must exist. */
  file?: string;
}

function fromEnv(env: Record<string, string | undefined>): UserConfig {
  const out: UserConfig = {};
  if (env.GYRE_STORE) out.store = env.GYRE_STORE;
  if (env.GYRE_ARTIFACTS) out.artifacts = env.GYRE_ARTIFACTS;
  if (env.GYRE_ONLINE_STORE) out.onlineStore = env.GYRE_ONLINE_STORE;
  if (env.GYRE_LOG_LEVEL) out.logLevel = env.GYRE_LOG_LEVEL as GyreConfig["logLevel"];
  const server: NonNullable<UserConfig["server"]> = {};
  if (env.GYRE_HOST) server.host = env.GYRE_HOST;
  if (env.GYRE_PORT) server.port = Number(env.GYRE_PORT);
  if (Object.keys(server).length > 0) out.server = server;
  return out;
}

/** Overlays `over` on `base`; undefined values (at any depth) leave the base value in place. */
function merge(base: UserConfig, over: UserConfig | undefined): UserConfig {
  if (!over) return base;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    const prev = out[k];
    const nested = v !== null && typeof v === "object" && prev !== null && typeof prev === "object";
    out[k] = nested ? merge(prev as UserConfig, v as UserConfig) : v;
  }
  return out as UserConfig;
}

async function fromFile(path: string): Promise<UserConfig> {
  const mod = await importModule(path, "config");
  // Outside an ESM package the file loads as CommonJS, which wraps `export default` once more.
  let config: unknown = mod.default ?? {};
  if (config && typeof config === "object" && "default" in config)
    config = (config as { default: unknown }).default;
  return config as UserConfig;
}

/**
 * Reads configuration once: defaults → `gyre.config.ts` → `GYRE_*` environment → flags.
 * Validates strictly and returns a frozen object. Throws CONFIG_INVALID naming the offending key.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<GyreConfig> {
  const cwd = options.cwd ?? process.cwd();
  const file = options.file ? resolve(cwd, options.file) : resolve(cwd, "gyre.config.ts");
  if (options.file && !existsSync(file)) {
    throw new GyreError("CONFIG_INVALID", `Config file ${file} does not exist`, { field: "config" });
  }
  let merged = merge({}, DEFAULTS as UserConfig);
  if (existsSync(file)) merged = merge(merged, await fromFile(file));
  merged = merge(merged, fromEnv(options.env ?? process.env));
  merged = merge(merged, options.flags);
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
    const field = [...issue.path, ...keys.slice(0, 1)].join(".") || "config";
    throw new GyreError("CONFIG_INVALID", `Invalid configuration '${field}': ${issue.message}`, { field });
  }
  const cfg = parsed.data;
  return Object.freeze({ ...cfg, server: Object.freeze({ ...cfg.server }) });
}
