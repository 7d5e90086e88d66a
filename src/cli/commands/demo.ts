import type { Command } from "commander";
import { loadConfig } from "../../core/config.js";
import { type DemoSummary, runDemo } from "../demo/loop-demo.js";

interface DemoFlags {
  quick?: boolean;
  fresh?: boolean;
  serve?: boolean;
  port?: string;
  json?: boolean;
  store?: string;
  artifacts?: string;
  config?: string;
}

const f4 = (x: number | null | undefined) => (x === null || x === undefined ? "–" : x.toFixed(4));

function replayLines(s: DemoSummary): string[] {
  const r = s.replay;
  const errors = Object.entries(r.errors).map(([k, n]) => `${n} ${k}`);
  const lines = [
    `  replay:     ${r.days} days of April–June, ${r.requests} requests (${r.answered} answered${errors.length ? `; ${errors.join(", ")}` : ""}), ${r.feedback} labels matched`,
    ...r.byVersion.map(
      (v) => `              v${v.version}: ${v.requests} predictions, live ROC AUC ${f4(v.rocAuc)}`,
    ),
    `  monitoring: ${r.monitorRuns} monitor runs; drift in ${r.driftedFeatures.length ? r.driftedFeatures.join(", ") : "nothing"}`,
  ];
  const first = r.alerts[0];
  if (first)
    lines.push(
      `  alerts:     ${r.alerts.length}, first on ${first.day}: ${first.feature} ${first.metric} ${f4(first.value)} (threshold ${f4(first.threshold)})` +
        (first.triggered ? ` → started flights-train run ${first.triggered}` : ""),
    );
  else
    lines.push(
      `  alerts:     none new${r.ongoingAlerts ? `; ${r.ongoingAlerts} still firing from an earlier run (their actions wait for the cooldown)` : ""}`,
    );
  const t = r.retraining;
  if (t)
    lines.push(
      `  retraining: log loss ${f4(t.candidateLogLoss)} vs ${t.against} ${f4(t.championLogLoss)} on ${t.evalFrom} → ${t.until} → ${t.version ? `v${t.version} (${t.alias})` : "gate failed, nothing registered"}`,
    );
  for (const k of r.canaries)
    lines.push(
      `  canary:     v${k.version} at ${k.percent} % from ${k.startDay}: ${k.reason || "still running at the end of the replay"}`,
    );
  return lines;
}

function human(s: DemoSummary): string {
  const t = s.training;
  const lines = [
    "",
    "gyre demo — summary",
    `  workspace:  ${s.workspace.store} (${s.workspace.reused ? "continued" : "new"})`,
    `  dataset:    ${s.dataset.name} v${s.dataset.version}, ${s.dataset.rows.toLocaleString("en-US")} rows, ${s.dataset.valid ? "valid" : "INVALID"}`,
    `  features:   ${s.features.views.join(", ")}; ${s.features.materializedRows} rows online up to ${s.features.until}`,
    `  training:   log loss ${f4(t.candidateLogLoss)} on March vs ${t.against} ${f4(t.championLogLoss)} (ROC AUC ${f4(t.candidateRocAuc)}) → ${t.version ? `v${t.version} (${t.alias})` : "not registered"}`,
    ...replayLines(s),
    `  champion:   v${s.champion.before ?? "–"} before → v${s.champion.after ?? "–"} now`,
    "  stages:",
    ...s.stages.map((st) => `    ${st.name.padEnd(64)} ${st.seconds.toFixed(1).padStart(6)} s`),
    `    ${"total".padEnd(64)} ${s.stages
      .reduce((a, st) => a + st.seconds, 0)
      .toFixed(1)
      .padStart(6)} s`,
    "",
    "Where to look next:",
    "  npx gyre demo --serve     # the same, then leaves the server and the UI running",
    `  npx gyre server --store ${s.workspace.store} --artifacts ${s.workspace.artifacts}   # then open http://127.0.0.1:5000`,
    "  npx gyre models alias history flights champion",
    "  npx gyre pipeline list    # in examples/flights: the project this demo drives",
    "",
  ];
  return lines.join("\n");
}

function untilStopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

/** `gyre demo`: drives the flights project (examples/flights) through the whole MLOps loop. */
export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description(
      "Run the whole MLOps loop on 3 million real flights: dataset → features → training → gate → serving → replay → drift → retraining → canary",
    )
    .option("--quick", "a sample (every third day, fewer flights, smaller training set): about a minute")
    .option("--fresh", "delete the demo's workspace first and start over")
    .option("--serve", "leave the gyre server (API + UI) and serving running afterwards (Ctrl+C stops them)")
    .option("--port <port>", "port of the gyre server (0 = any free port; default 5000 with --serve)")
    .option("--json", "print the summary as JSON")
    .addHelpText(
      "after",
      "\nExamples:\n  $ gyre demo\n  $ gyre demo --quick --json\n  $ gyre demo --serve     # then open the printed UI URL\n  $ gyre demo --fresh --store sqlite://./demo/gyre.db --artifacts file://./demo/artifacts",
    )
    .action(async (_opts: DemoFlags, cmd: Command) => {
      const flags = cmd.optsWithGlobals<DemoFlags>();
      const overrides: { store?: string; artifacts?: string } = {};
      if (flags.store) overrides.store = flags.store;
      if (flags.artifacts) overrides.artifacts = flags.artifacts;
      const config = await loadConfig({ file: flags.config, flags: overrides });
      const say = (line: string) => process.stderr.write(`${line}\n`);
      const port = flags.port !== undefined ? Number(flags.port) : flags.serve ? 5000 : 0;
      const { summary, stop } = await runDemo(
        config,
        { quick: Boolean(flags.quick), fresh: Boolean(flags.fresh), serve: Boolean(flags.serve), port },
        say,
      );
      process.stdout.write(flags.json ? `${JSON.stringify(summary, null, 2)}\n` : `${human(summary)}\n`);
      if (flags.serve) {
        say(
          `Serving: UI and API at ${summary.serverUrl}, models at ${summary.servingUrl}. Press Ctrl+C to stop.`,
        );
        await untilStopSignal();
        await stop();
      }
    });
}
