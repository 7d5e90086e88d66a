import type { Command } from "commander";
import { loadConfig } from "../../core/config.js";
import { type DemoSummary, runDemo } from "../demo/loop-demo.js";

interface DemoFlags {
  quick?: boolean;
  fresh?: boolean;
  port?: string;
  json?: boolean;
  store?: string;
  artifacts?: string;
  config?: string;
}

function human(s: DemoSummary): string {
  const metric = (k: string) => (s.best.metrics[k] ?? Number.NaN).toFixed(4);
  const g = s.gate;
  const lines = [
    "",
    "gyre demo — summary",
    `  experiment ${s.experimentId}: sweep run ${s.sweepRunId} with ${s.runs} nested training runs`,
    `  search:   ${s.searchFilter}`,
    `            matched ${s.matched} runs, best first`,
    `  best:     ${s.best.runName} (${s.best.runId})`,
    `            ROC AUC ${metric("eval_roc_auc")}, accuracy ${metric("eval_accuracy")}, log loss ${metric("eval_log_loss")} on March`,
    `  model:    ${s.model.name} v${s.model.version} ${s.model.status}, flavor ${s.model.flavor} (package verified, graph loaded)`,
    `  gate:     ${g.metric} ${g.candidate.toFixed(4)} vs ${g.against} ${g.champion.toFixed(4)} → ${g.promoted ? "promoted" : "not promoted"}`,
    `  champion: v${s.champion.version} (alias moved ${s.champion.moves} time${s.champion.moves === 1 ? "" : "s"} so far)`,
    "  stages:",
    ...s.stages.map((st) => `    ${st.name.padEnd(52)} ${st.seconds.toFixed(1).padStart(6)} s`),
    "",
    "Where to look next:",
    `  npx gyre runs search --experiment ${s.experimentId} --filter "metrics.eval_roc_auc > 0.6" --order-by "metrics.eval_roc_auc DESC"`,
    `  npx gyre models alias history ${s.model.name} champion`,
    `  npx gyre models lineage ${s.model.name} ${s.model.version}`,
    "  npx gyre server    # then point MLflow clients at it: export MLFLOW_TRACKING_URI=http://127.0.0.1:5000",
    "",
    "Not yet in the demo: pipelines, feature store, serving and monitoring (see README, 'Not done yet').",
  ];
  return lines.join("\n");
}

/** `gyre demo`: runs the part of the MLOps loop that exists today on real flight data. */
export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("Run the part of the MLOps loop that exists today, on real flight-delay data")
    .option("--quick", "fewer runs and epochs (finishes in seconds)")
    .option("--fresh", "soft-delete the demo experiment first and start the sweep over")
    .option("--port <port>", "port for the demo's tracking server (0 = any free port)", "0")
    .option("--json", "print the summary as JSON")
    .addHelpText(
      "after",
      "\nExamples:\n  $ gyre demo\n  $ gyre demo --quick --json\n  $ gyre demo --fresh --store sqlite://./demo.db",
    )
    .action(async (_opts: DemoFlags, cmd: Command) => {
      const flags = cmd.optsWithGlobals<DemoFlags>();
      const overrides: { store?: string; artifacts?: string } = {};
      if (flags.store) overrides.store = flags.store;
      if (flags.artifacts) overrides.artifacts = flags.artifacts;
      const config = await loadConfig({ file: flags.config, flags: overrides });
      const say = (line: string) => process.stderr.write(`${line}\n`);
      const summary = await runDemo(
        config,
        { quick: Boolean(flags.quick), fresh: Boolean(flags.fresh), port: Number(flags.port ?? 0) },
        say,
      );
      process.stdout.write(flags.json ? `${JSON.stringify(summary, null, 2)}\n` : `${human(summary)}\n`);
    });
}
