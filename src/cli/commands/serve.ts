import { resolve } from "node:path";
import type { Command } from "commander";
import { cliConfig, globalOptions } from "../context.js";
import { examples, parseCount } from "../options.js";
import { emit, redactUri } from "../output.js";

interface ServeOptions {
  host?: string;
  port?: number;
  workers?: number;
  bodyLimit?: number;
  pollInterval?: number;
  threads?: number;
  /** False with --no-prediction-log. */
  predictionLog: boolean;
}

/** Resolves with the first SIGINT or SIGTERM. */
function untilStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((done) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      done(signal);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

async function serve(opts: ServeOptions, cmd: Command): Promise<void> {
  const config = await cliConfig(cmd);
  const serving = await import("../../serving/index.js");
  const file = resolve(globalOptions(cmd).config ?? "gyre.config.ts");
  const module = await serving.loadServingModule(file);
  const settings = serving.resolveServingConfig(module.serving, {
    host: opts.host,
    port: opts.port,
    workers: opts.workers,
    bodyLimit: opts.bodyLimit,
    pollIntervalMs: opts.pollInterval,
    runtime: opts.threads === undefined ? undefined : { intraOpThreads: opts.threads },
    predictionLog: opts.predictionLog ? undefined : { enabled: false },
  });
  const spec = {
    config: {
      store: config.store,
      artifacts: config.artifacts,
      logLevel: config.logLevel,
      ...(config.onlineStore ? { onlineStore: config.onlineStore } : {}),
    },
    serving: settings,
    deployments: module.deployments,
  };
  const running =
    settings.workers > 1
      ? await serving.startCluster({
          workers: settings.workers,
          spec,
          onWorkerExit: (pid, code) =>
            process.stderr.write(`serving worker ${pid} exited (${code}); starting another\n`),
        })
      : await serving.startServing(spec);
  const info = {
    url: running.url,
    workers: settings.workers,
    store: redactUri(config.store),
    deployments: module.deployments.map((d) => d.name),
  };
  emit(cmd, info, () => {
    process.stdout.write(
      `gyre serve listening on ${running.url} with ${settings.workers} worker(s) (store ${info.store})\n`,
    );
    process.stdout.write(`  Open Inference Protocol v2: ${running.url}/v2/models/<deployment>/infer\n`);
    process.stdout.write(
      `  MLflow scoring:             ${running.url}/invocations (or /deployments/<deployment>/invocations)\n`,
    );
    process.stdout.write(
      `  Deployments API: ${running.url}/api/v1/deployments   Metrics: ${running.url}/metrics\n`,
    );
    process.stdout.write("Press Ctrl+C to stop.\n");
  });
  const signal = await untilStopSignal();
  process.stderr.write(`${signal}: draining in-flight requests…\n`);
  await running.close();
}

/** `gyre serve`: model serving (OIP v2 + MLflow /invocations) on its own port, on all cores. */
export function registerServe(program: Command): void {
  program
    .command("serve")
    .description(
      "Serve the deployments of gyre.config.ts and the metadata store: Open Inference Protocol v2, MLflow /invocations, /metrics",
    )
    .option("--host <host>", "interface to listen on (default 127.0.0.1)")
    .option("--port <port>", "port to listen on, 0 for any free port (default 8080)", parseCount)
    .option("--workers <n>", "processes serving the port (default: one per core)", parseCount)
    .option(
      "--body-limit <bytes>",
      "largest request body in bytes (default 16 MiB); larger get 413",
      parseCount,
    )
    .option(
      "--poll-interval <ms>",
      "how often aliases and stored deployments are re-read (default 1000)",
      parseCount,
    )
    .option("--threads <n>", "ONNX Runtime threads per inference call (default 1)", parseCount)
    .option("--no-prediction-log", "do not write the prediction log")
    .addHelpText(
      "after",
      examples([
        "gyre serve",
        "gyre serve --port 9000 --workers 2",
        "gyre serve --config prod.config.ts --host 0.0.0.0",
        "gyre serve --port 0 --workers 1 --json   # prints {url, workers, store, deployments}",
      ]),
    )
    .action(serve);
}
