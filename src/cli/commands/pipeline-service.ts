import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import { GyreError } from "../../core/index.js";
import {
  HttpPipelineClient,
  LocalPipelineClient,
  loadPipelines,
  openPipelines,
  type PipelineClient,
  type PipelineDef,
  type PipelineService,
} from "../../pipelines/index.js";
import { cliConfig, globalOptions } from "../context.js";

/** Pipeline definitions: from `file`, else gyre.config.ts (or --config) when it exists; none for `null`. */
export async function pipelineDefinitions(
  cmd: Command,
  file: string | null | undefined,
): Promise<PipelineDef[]> {
  if (file === null) return [];
  if (file) return loadPipelines(resolve(file));
  const config = resolve(globalOptions(cmd).config ?? "gyre.config.ts");
  return existsSync(config) ? loadPipelines(config) : [];
}

/** Opens the pipeline service on the configured store with the pipelines of `file` registered, runs `fn`, closes it. */
export async function withPipelines<T>(
  cmd: Command,
  fn: (svc: PipelineService) => Promise<T>,
  file?: string | null,
): Promise<T> {
  const config = await cliConfig(cmd);
  if (/^https?:\/\//.test(config.store)) {
    throw new GyreError(
      "CONFIG_INVALID",
      "`gyre pipeline` drives runs itself: point --store at the database (sqlite://…, postgres://…), not a server",
      { field: "store" },
    );
  }
  const defs = await pipelineDefinitions(cmd, file);
  const svc = await openPipelines({ store: config.store, artifacts: config.artifacts });
  try {
    svc.register(...defs);
    return await fn(svc);
  } finally {
    await svc.close();
  }
}

/**
 * Runs `fn` with a pipeline client: a gyre server's when `--store` is http(s):// (it runs the pipelines of
 * its own gyre.config.ts), else a service over the database with the pipelines of `file` registered, whose
 * runs this process drives (`close` waits for them).
 */
export async function withPipelineClient<T>(
  cmd: Command,
  fn: (client: PipelineClient) => Promise<T>,
  file?: string | null,
): Promise<T> {
  const config = await cliConfig(cmd);
  if (/^https?:\/\//.test(config.store)) {
    if (file) {
      throw new GyreError(
        "CONFIG_INVALID",
        "--file defines pipelines locally; a server runs the pipelines of its own gyre.config.ts",
        { field: "file" },
      );
    }
    return fn(new HttpPipelineClient(config.store));
  }
  const defs = await pipelineDefinitions(cmd, file);
  const client = new LocalPipelineClient(
    await openPipelines({ store: config.store, artifacts: config.artifacts }),
  );
  try {
    client.service.register(...defs);
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** Commander parser for a repeatable `k=v`, collected into a record. */
export function parsePair(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf("=");
  if (eq <= 0) throw new InvalidArgumentError("expected name=value, e.g. --param epochs=3");
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}
