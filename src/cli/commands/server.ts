import { resolve } from "node:path";
import type { Command } from "commander";
import { GyreError, type UserConfig } from "../../core/index.js";
import type { Deployment } from "../../serving/index.js";
import { cliConfig, globalOptions } from "../context.js";
import { examples, parseCount } from "../options.js";
import { emit, redactUri } from "../output.js";
import { featureDefinitions } from "./features-service.js";
import { monitorDefinitions } from "./monitor-service.js";
import { pipelineDefinitions } from "./pipeline-service.js";

interface ServerOptions {
  host?: string;
  port?: number;
  bodyLimit?: number;
  servingUrl?: string[];
  /** False with --no-scheduler. */
  scheduler: boolean;
}

/** Only the flags that were given, so that config-file and environment values still apply to the rest. */
function serverFlags(opts: ServerOptions): UserConfig {
  const server: NonNullable<UserConfig["server"]> = {};
  if (opts.host !== undefined) server.host = opts.host;
  if (opts.port !== undefined) server.port = opts.port;
  if (opts.bodyLimit !== undefined) server.bodyLimit = opts.bodyLimit;
  return { server };
}

function checkUrl(url: string, from: string): string {
  if (/^https?:\/\/[^/]+/.test(url) && URL.canParse(url)) return url.replace(/\/+$/, "");
  throw new GyreError(
    "CONFIG_INVALID",
    `Invalid serving URL '${url}' (${from}): expected http://host:port of \`gyre serve\``,
    { field: "serving-url" },
  );
}

/**
 * Deployments declared in gyre.config.ts and the serving data planes to read live stats from: --serving-url,
 * else GYRE_SERVING_URL (comma-separated), else where the config's `serving` export makes `gyre serve` listen.
 */
async function servingDefinitions(
  cmd: Command,
  flag: string[] | undefined,
): Promise<{ deployments: Deployment[]; servingUrls: string[] }> {
  const serving = await import("../../serving/index.js");
  const module = await serving.loadServingModule(resolve(globalOptions(cmd).config ?? "gyre.config.ts"));
  const env = process.env.GYRE_SERVING_URL;
  let urls: string[];
  if (flag?.length) urls = flag.map((u) => checkUrl(u, "--serving-url"));
  else if (env) urls = env.split(",").map((u) => checkUrl(u.trim(), "GYRE_SERVING_URL"));
  else {
    const { host, port } = serving.resolveServingConfig(module.serving);
    const local = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
    urls = [`http://${local.includes(":") ? `[${local}]` : local}:${port}`];
  }
  return { deployments: module.deployments, servingUrls: urls };
}

/** Resolves with the first SIGINT or SIGTERM; a second one then ends the process the default way. */
function untilStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve(signal);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

async function serve(opts: ServerOptions, cmd: Command): Promise<void> {
  const config = await cliConfig(cmd, serverFlags(opts));
  const { startServer } = await import("../../server/index.js");
  const serving = await servingDefinitions(cmd, opts.servingUrl);
  const server = await startServer(config, {
    pipelines: await pipelineDefinitions(cmd, undefined),
    ...(await featureDefinitions(cmd)),
    monitors: await monitorDefinitions(cmd),
    ...serving,
    scheduler: opts.scheduler && {
      onError: (e, name) => process.stderr.write(`schedule ${name}: ${(e as Error).message}\n`),
    },
  });
  const store = redactUri(config.store);
  const artifacts = redactUri(config.artifacts);
  emit(cmd, { url: server.url, store, artifacts }, () => {
    process.stdout.write(`gyre server listening on ${server.url} (store ${store}, artifacts ${artifacts})\n`);
    process.stdout.write(`Point MLflow clients at it:  export MLFLOW_TRACKING_URI=${server.url}\n`);
    const pipelines = server.pipelines.pipelines().length;
    const scheduler = server.scheduler ? "scheduler on" : "scheduler off";
    process.stdout.write(`Pipelines: ${pipelines} from the config, ${scheduler}.\n`);
    process.stdout.write(`Live deployment stats from ${serving.servingUrls.join(", ")}/metrics.\n`);
    process.stdout.write("Press Ctrl+C to stop.\n");
  });
  const signal = await untilStopSignal();
  process.stderr.write(`${signal}: stopping gyre server after in-flight requests finish…\n`);
  await server.close();
}

/**
 * `gyre server`: the tracking server (MLflow REST 2.0, native /api/v1, health and metrics), pipelines over HTTP
 * (from gyre.config.ts) and, unless --no-scheduler, the pipeline scheduler.
 */
export function registerServer(program: Command): void {
  program
    .command("server")
    .description(
      "Serve tracking over HTTP: MLflow REST 2.0, the native /api/v1 API (pipelines too), /health and /metrics; runs the scheduler",
    )
    .option("--host <host>", "interface to listen on (default 127.0.0.1; 0.0.0.0 for all)")
    .option("--port <port>", "port to listen on, 0 for any free port (default 5000)", parseCount)
    .option("--body-limit <bytes>", "largest accepted request body in bytes (default 64 MiB)", parseCount)
    .option("--no-scheduler", "do not fire pipeline schedules or resume orphaned runs in this server")
    .option(
      "--serving-url <url...>",
      "`gyre serve` data planes whose /metrics feed the Deployments page (default: GYRE_SERVING_URL, else the config's serving host:port, http://127.0.0.1:8080)",
    )
    .addHelpText(
      "after",
      examples([
        "gyre server",
        "gyre server --store postgres://gyre@db/gyre --artifacts file:///srv/gyre --host 0.0.0.0 --port 8080",
        "gyre server --port 0 --json   # any free port; prints {url, store, artifacts}",
        "gyre server --no-scheduler    # serve only; schedules fire elsewhere (`gyre pipeline scheduler`)",
        "gyre server --serving-url http://10.0.0.5:8080 http://10.0.0.6:8080   # live stats of two replicas",
      ]),
    )
    .action(serve);
}
