import { readFileSync } from "node:fs";
import { Command } from "commander";
import { registerArtifacts } from "./commands/artifacts.js";
import { registerData } from "./commands/data.js";
import { registerDemo } from "./commands/demo.js";
import { registerDeployments } from "./commands/deployments.js";
import { registerExperiments } from "./commands/experiments.js";
import { registerFeatures } from "./commands/features.js";
import { registerFeedback } from "./commands/feedback.js";
import { registerModelPackage } from "./commands/model-package.js";
import { registerModels } from "./commands/models.js";
import { registerMonitor } from "./commands/monitor.js";
import { registerPipeline } from "./commands/pipeline.js";
import { registerScheduler } from "./commands/pipeline-schedules.js";
import { registerPredict } from "./commands/predict.js";
import { registerRuns } from "./commands/runs.js";
import { registerServe } from "./commands/serve.js";
import { registerServer } from "./commands/server.js";
import { reportError } from "./errors.js";
import { examples } from "./options.js";

const VERSION = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/**
 * The `gyre` program: global options (accepted before or after the command) and one group per command.
 * Commander's usage errors are thrown (as CommanderError) instead of exiting, so `main` decides the exit code.
 */
function buildProgram(): Command {
  const program = new Command("gyre")
    .description("gyre: one self-hosted MLOps platform — tracking, artifacts and more")
    .version(VERSION, "-V, --version")
    .option(
      "--store <uri>",
      "metadata store: sqlite://path, postgres://…, or http://host:port of a gyre server",
    )
    .option("--artifacts <uri>", "artifact store, e.g. file://./.gyre/artifacts")
    .option("--config <file>", "configuration file (default: ./gyre.config.ts when present)")
    .option("--json", "print machine-readable JSON instead of tables")
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError("(run the command with --help for usage and examples)")
    .exitOverride()
    .addHelpText(
      "after",
      examples([
        "gyre server",
        "gyre experiments list --store http://127.0.0.1:5000",
        'gyre runs search --experiment flights --filter "metrics.auc > 0.7" --json',
      ]),
    );
  registerServer(program);
  registerExperiments(program);
  registerRuns(program);
  registerArtifacts(program);
  registerModelPackage(registerModels(program));
  registerPipeline(program);
  registerScheduler(program);
  registerData(program);
  registerFeatures(program);
  registerMonitor(program);
  registerFeedback(program);
  registerServe(program);
  registerDeployments(program);
  registerPredict(program);
  registerDemo(program);
  return program;
}

/**
 * Runs the CLI on `argv` (shaped like `process.argv`) and resolves with the process exit code: 0 on
 * success, a GyreError's category code (not found 4, invalid argument 2, …), 2 for usage errors, else 1.
 */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (e) {
    return reportError(e);
  }
}
