import type { Command } from "commander";
import {
  parseCompare,
  type VariantComparison,
  type VariantStats,
  type WindowBounds,
} from "../../monitoring/index.js";
import { examples } from "../options.js";
import { emit, formatTime, printTable } from "../output.js";
import { withMonitoring } from "./monitor-service.js";

const fixed = (v: number | null | undefined, digits = 4) =>
  v === null || v === undefined || !Number.isFinite(v) ? "-" : v.toFixed(digits);

function verdict(s: VariantStats): string {
  const t = s.vsBaseline;
  if (!t) return "baseline";
  if (t.pValue === null) return t.note ?? "-";
  const sign = (t.difference ?? 0) > 0 ? "+" : "";
  const what = `${t.metric} ${sign}${fixed(t.difference)}, p=${t.pValue < 1e-4 ? t.pValue.toExponential(1) : t.pValue.toFixed(4)} (${t.test})`;
  return t.significant ? `${what} SIGNIFICANT` : what;
}

function printComparison(c: VariantComparison & { window: WindowBounds }): void {
  const w = c.window;
  const range =
    w.kind === "time" ? `${formatTime(w.from)} → ${formatTime(w.to)}` : `last ${w.limit} served rows`;
  process.stdout.write(`${c.deployment}: ${range}; baseline ${c.baseline ?? "none"}, alpha ${c.alpha}\n`);
  const metric = (s: VariantStats) => {
    const m = s.metrics;
    if (s.task === "regression") return `mae ${fixed(m.mae)}, rmse ${fixed(m.rmse)}`;
    if (s.task === "classification")
      return `accuracy ${fixed(m.accuracy)}${m.roc_auc === undefined ? "" : `, auc ${fixed(m.roc_auc)}`}`;
    return "no labels yet";
  };
  printTable(
    ["VARIANT", "VERSIONS", "ROWS", "LABELLED", "P50 MS", "P99 MS", "METRICS", "VS BASELINE"],
    c.variants.map((s) => [
      s.shadow ? `${s.variant} (shadow)` : s.variant,
      s.versions.join(","),
      String(s.predictions),
      String(s.labelled),
      fixed(s.latencyMs.p50, 2),
      fixed(s.latencyMs.p99, 2),
      metric(s),
      verdict(s),
    ]),
  );
}

/** `gyre monitor variants <deployment>`: A/B, canary and shadow compared, with significance. */
export function registerVariants(monitor: Command): void {
  monitor
    .command("variants <deployment>")
    .description(
      "Compare a deployment's variants (primary, canary/A/B, shadow) over a window: rows, latency, metrics on the labels so far, and a significance test of each against the primary",
    )
    .option("--window <window>", "a duration ending now (24h, 30m) or the last N served rows", "24h")
    .option("--baseline <variant>", "variant to test the others against (default: primary, else the busiest)")
    .option("--prediction <output>", "output holding the prediction (default: the first)")
    .option("--score <output>", "output holding the positive-class probability (enables ROC AUC)")
    .option("--threshold <p>", "classify as positive where score ≥ p")
    .option("--task <task>", "classification | regression (default: inferred from labels and outputs)")
    .option("--positive <class>", "the positive class")
    .option("--alpha <level>", "significance level", "0.05")
    .option(
      "--min-labels <n>",
      "fewest labelled rows (or shared requests, for the shadow) per side for a test",
      "30",
    )
    .addHelpText(
      "after",
      examples([
        "gyre monitor variants flights",
        "gyre monitor variants flights --window 7d --score probability --threshold 0.5 --json",
      ]),
    )
    .action(async (deployment: string, o: Record<string, string | undefined>, cmd: Command) => {
      const { window, options } = parseCompare(o);
      await withMonitoring(cmd, async (svc) => {
        const c = await svc.compareVariants(deployment, window, options);
        emit(cmd, c, () => printComparison(c));
      });
    });
}
