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
import { emit } from "../output.js";

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

/** Something that can be removed, paused and resumed by name (a schedule, a trigger). */
export interface Toggleable {
  remove(name: string): Promise<void>;
  setEnabled(name: string, enabled: boolean): Promise<unknown>;
}

/** `<group> remove|enable|disable <name>` for the things `open` returns; `what` describes each verb. */
export function registerToggles(
  group: Command,
  noun: string,
  open: (svc: PipelineService) => Promise<Toggleable>,
  what: { remove: string; enable: string; disable: string },
): void {
  for (const verb of ["remove", "enable", "disable"] as const) {
    group
      .command(`${verb} <name>`)
      .description(what[verb])
      .action(async (name: string, _o: unknown, cmd: Command) =>
        withPipelines(
          cmd,
          async (svc) => {
            const target = await open(svc);
            if (verb === "remove") await target.remove(name);
            else await target.setEnabled(name, verb === "enable");
            emit(cmd, { name, [verb]: true }, () => process.stdout.write(`${noun} ${name}: ${verb}d\n`));
          },
          null,
        ),
      );
  }
}
