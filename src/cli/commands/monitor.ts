import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { GyreError } from "../../core/index.js";
import {
  type AlertRecord,
  htmlReport,
  type MonitorRun,
  markdownReport,
  parseReferenceSpec,
  parseWindow,
  type WindowReport,
} from "../../monitoring/index.js";
import { examples, parseCount } from "../options.js";
import { emit, formatTime, printTable } from "../output.js";
import { withMonitoring } from "./monitor-service.js";
import { registerVariants } from "./monitor-variants.js";

const score = (v: number | null) =>
  v === null ? "-" : Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(2);

function printReport(r: WindowReport): void {
  process.stdout.write(
    `${r.deployment}: window ${formatTime(r.window.from)} → ${formatTime(r.window.to)} (${r.window.rows} rows), reference ${r.reference.source} (${r.reference.rows} rows)\n`,
  );
  if (r.status !== "ok") process.stdout.write(`not enough data: ${r.reason}\n`);
  const rows = r.features.flatMap((f) =>
    f.drift.map((d) => [
      f.feature,
      d.method,
      d.status === "ok" ? score(d.score) : d.status,
      String(d.threshold),
      d.drifted === null ? "-" : d.drifted ? "DRIFT" : "ok",
      `${f.quality.missing}/${f.quality.outOfRange}/${f.quality.unseenCount}/${f.quality.typeErrors}`,
    ]),
  );
  printTable(["FEATURE", "METRIC", "SCORE", "THRESHOLD", "DRIFT", "MISSING/RANGE/UNSEEN/TYPE"], rows, "  ");
}

function printAlerts(alerts: AlertRecord[]): void {
  printTable(
    ["ID", "STATE", "SEVERITY", "MONITOR", "DEPLOYMENT", "FEATURE", "METRIC", "VALUE", "COUNT", "LAST"],
    alerts.map((a) => [
      a.id.slice(0, 8),
      a.state,
      a.severity,
      a.monitor,
      a.deployment,
      a.feature,
      a.metric,
      score(a.value),
      String(a.occurrences),
      formatTime(a.lastTime),
    ]),
  );
}

function runJson(run: MonitorRun): unknown {
  return {
    ...run,
    report: { ...run.report, features: run.report.features.map(({ summary: _s, ...f }) => f) },
  };
}

function registerRun(monitor: Command): void {
  monitor
    .command("run <monitor>")
    .description("Run a monitor now: evaluate its window, store results, update alerts and run their actions")
    .addHelpText(
      "after",
      examples(["gyre monitor run flights-drift", "gyre monitor run flights-drift --json"]),
    )
    .action(async (name: string, _o, cmd: Command) => {
      await withMonitoring(cmd, async (svc) => {
        const run = await svc.run(name);
        emit(cmd, runJson(run), () => {
          printReport(run.report);
          if (run.performance) {
            const m = Object.entries(run.performance.metrics)
              .map(([k, v]) => `${k}=${score(v)}`)
              .join(" ");
            process.stdout.write(
              `performance: ${run.performance.labelled} labelled of ${run.performance.predictions}; ${m || "no labels yet"}\n`,
            );
          }
          const changed = [...run.alerts.fired, ...run.alerts.resolved];
          process.stdout.write(
            `alerts: ${run.alerts.fired.length} fired, ${run.alerts.ongoing.length} ongoing, ${run.alerts.resolved.length} resolved\n`,
          );
          if (changed.length > 0) printAlerts(changed);
        });
      });
    });
}

function registerReport(monitor: Command): void {
  monitor
    .command("report <deployment>")
    .description(
      "Write a self-contained HTML report (distribution overlays, drift table, performance over time) and a markdown summary",
    )
    .option("--window <window>", "current window: a duration (1h, 30m) or a row count (5000)", "1h")
    .option("--reference <ref>", "profile | first:<N> | <from>..<to>", "profile")
    .option("--out <dir>", "directory for report.html and report.md", "monitoring-report")
    .option(
      "--monitor <name>",
      "include this monitor's stored history (default: all monitors of the deployment)",
    )
    .addHelpText(
      "after",
      examples([
        "gyre monitor report flights --window 1h",
        "gyre monitor report flights --window 5000 --reference first:20000 --out reports/",
      ]),
    )
    .action(
      async (
        deployment: string,
        o: { window: string; reference: string; out: string; monitor?: string },
        cmd: Command,
      ) => {
        await withMonitoring(cmd, async (svc) => {
          const report = await svc.evaluate(
            deployment,
            parseWindow(o.window),
            parseReferenceSpec(o.reference),
          );
          const history = await svc.results({
            deployment,
            ...(o.monitor ? { monitor: o.monitor } : {}),
            limit: 5000,
          });
          const input = {
            title: `gyre monitoring — ${deployment}`,
            report,
            history,
            generatedAt: Date.now(),
          };
          const dir = resolve(o.out);
          mkdirSync(dir, { recursive: true });
          const html = htmlReport(input);
          writeFileSync(join(dir, "report.html"), html);
          writeFileSync(join(dir, "report.md"), markdownReport(input));
          const out = {
            html: join(dir, "report.html"),
            markdown: join(dir, "report.md"),
            bytes: Buffer.byteLength(html),
            drifted: report.driftedFeatures,
          };
          emit(cmd, out, () =>
            process.stdout.write(
              `wrote ${out.html} (${out.bytes} bytes) and ${out.markdown}; drifted: ${report.driftedFeatures.join(", ") || "none"}\n`,
            ),
          );
        });
      },
    );
}

/** `gyre monitor list|run|status|report|variants|prune|alerts`. */
export function registerMonitor(program: Command): void {
  const monitor = program
    .command("monitor")
    .description(
      "Monitoring: drift, data quality and performance over the prediction log; alerts that retrain",
    )
    .addHelpText(
      "after",
      examples([
        "gyre monitor list",
        "gyre monitor run flights-drift",
        "gyre monitor report flights --window 1h",
        "gyre monitor variants flights --window 24h",
        "gyre monitor alerts --state firing",
      ]),
    );
  monitor
    .command("list")
    .description("Monitors defined in gyre.config.ts")
    .addHelpText("after", examples(["gyre monitor list", "gyre monitor list --json"]))
    .action(async (_o, cmd: Command) => {
      await withMonitoring(cmd, async (svc) => {
        const monitors = svc.monitors();
        emit(cmd, { monitors }, () =>
          printTable(
            ["NAME", "DEPLOYMENT", "WINDOW", "REFERENCE", "SCHEDULE", "ACTIONS"],
            monitors.map((m) => [
              m.name,
              m.deployment,
              `${m.window.type} ${m.window.size}`,
              m.reference.type,
              m.schedule ? JSON.stringify(m.schedule) : "manual",
              m.alert.actions.map((a) => a.type).join(","),
            ]),
          ),
        );
      });
    });
  registerRun(monitor);
  monitor
    .command("status")
    .description("Each monitor's last run and firing alerts")
    .addHelpText("after", examples(["gyre monitor status", "gyre monitor status --json"]))
    .action(async (_o, cmd: Command) => {
      await withMonitoring(cmd, async (svc) => {
        const status = await svc.status();
        emit(cmd, { monitors: status }, () =>
          printTable(
            ["MONITOR", "DEPLOYMENT", "LAST RUN", "STATUS", "FIRING"],
            status.map((s) => [
              s.monitor.name,
              s.monitor.deployment,
              formatTime(s.state?.lastRunTime),
              s.state?.lastStatus ?? "never run",
              s.firing.map((a) => `${a.feature}/${a.metric}`).join(", ") || "-",
            ]),
          ),
        );
      });
    });
  registerReport(monitor);
  registerVariants(monitor);
  monitor
    .command("prune <deployment>")
    .description("Delete whole hours of a deployment's prediction log older than a duration (retention)")
    .requiredOption("--older-than <duration>", "e.g. 30d, 12h")
    .addHelpText("after", examples(["gyre monitor prune flights --older-than 30d"]))
    .action(async (deployment: string, o: { olderThan: string }, cmd: Command) => {
      await withMonitoring(cmd, async (svc) => {
        const res = svc.prune(deployment, o.olderThan);
        emit(cmd, res, () =>
          process.stdout.write(
            `removed ${res.removed.length} hour partition(s) of ${deployment} before ${formatTime(res.before)}\n`,
          ),
        );
      });
    });
  monitor
    .command("alerts")
    .description("Alerts, most recent first")
    .option("--deployment <name>", "only this deployment")
    .option("--monitor <name>", "only this monitor")
    .option("--state <state>", "firing or resolved")
    .option("--limit <n>", "at most this many", parseCount, 50)
    .addHelpText(
      "after",
      examples(["gyre monitor alerts", "gyre monitor alerts --state firing --deployment flights --json"]),
    )
    .action(
      async (o: { deployment?: string; monitor?: string; state?: string; limit: number }, cmd: Command) => {
        if (o.state !== undefined && o.state !== "firing" && o.state !== "resolved") {
          throw new GyreError("MONITOR_INVALID", `--state must be firing or resolved, not '${o.state}'`, {
            field: "state",
          });
        }
        await withMonitoring(cmd, async (svc) => {
          const alerts = await svc.alerts({
            ...(o.deployment ? { deployment: o.deployment } : {}),
            ...(o.monitor ? { monitor: o.monitor } : {}),
            ...(o.state ? { state: o.state as "firing" | "resolved" } : {}),
            limit: o.limit,
          });
          emit(cmd, { alerts }, () => printAlerts(alerts));
        });
      },
    );
}
