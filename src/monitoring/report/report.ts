/**
 * The monitoring report: a self-contained HTML page (inline CSS and SVG, binned summaries only, so it stays
 * small however many rows the window holds) and a markdown summary for CI comments and chat.
 */
import type { WindowReport } from "../evaluate.js";
import type { MetricPoint } from "../store.js";
import { esc, fmt, lineSvg, overlaySvg } from "./svg.js";

/** What a report shows: the latest evaluation and stored metric history. */
export interface ReportInput {
  title: string;
  report: WindowReport;
  /** Stored points (performance and drift over time); newest first is fine. */
  history: MetricPoint[];
  generatedAt: number;
}

const iso = (t: number | null) => (t === null ? "—" : new Date(t).toISOString().replace(".000Z", "Z"));

function driftRows(r: WindowReport): string[][] {
  return r.features.flatMap((f) =>
    f.drift.map((d) => [
      f.feature,
      f.type,
      d.method,
      d.status === "ok" ? fmt(d.score) : d.status.replaceAll("_", " "),
      fmt(d.threshold),
      d.drifted === null ? "—" : d.drifted ? "DRIFT" : "ok",
      String(f.quality.missing),
      String(f.quality.outOfRange),
      String(f.quality.unseenCount),
      String(f.quality.typeErrors),
    ]),
  );
}

const HEAD = [
  "feature",
  "type",
  "metric",
  "score",
  "threshold",
  "drift",
  "missing",
  "out of range",
  "unseen",
  "type errors",
];

/** Markdown summary: window, drifted features, the drift table and latest performance. */
export function markdownReport(input: ReportInput): string {
  const r = input.report;
  const lines = [
    `# ${input.title}`,
    "",
    `Deployment **${r.deployment}**, window ${iso(r.window.from)} → ${iso(r.window.to)} (${r.window.rows} rows), reference: ${r.reference.source} (${r.reference.rows} rows${r.reference.version ? `, model ${r.reference.model} v${r.reference.version}` : ""}).`,
    "",
    r.status === "ok"
      ? `**${r.driftedFeatures.length} of ${r.features.length} features drifted**${r.driftedFeatures.length ? `: ${r.driftedFeatures.join(", ")}` : ""}.`
      : `**Not enough data**: ${r.reason ?? ""}`,
    "",
    `| ${HEAD.join(" | ")} |`,
    `| ${HEAD.map(() => "---").join(" | ")} |`,
    ...driftRows(r).map((row) => `| ${row.join(" | ")} |`),
  ];
  const perf = latestPerformance(input.history);
  if (perf.length > 0) {
    lines.push(
      "",
      "## Performance (latest window with labels)",
      "",
      ...perf.map((p) => `- ${p.metric}: ${fmt(p.value)} (${p.rows} labelled)`),
    );
  }
  if (r.unknownKeys.length > 0)
    lines.push(
      "",
      `Inputs not in the schema: ${r.unknownKeys.map((k) => `${k.key} (${k.count})`).join(", ")}`,
    );
  return `${lines.join("\n")}\n`;
}

function latestPerformance(history: MetricPoint[]): MetricPoint[] {
  const perf = history.filter((p) => p.feature === "_performance" && p.value !== null);
  const end = Math.max(...perf.map((p) => p.windowEnd));
  return perf.filter((p) => p.windowEnd === end);
}

/** The HTML report: one file, no scripts, no external resources. */
export function htmlReport(input: ReportInput): string {
  const r = input.report;
  const table = `<table><thead><tr>${HEAD.map((h) => `<th>${h}</th>`).join("")}</tr></thead><tbody>${driftRows(
    r,
  )
    .map(
      (row) =>
        `<tr${row[5] === "DRIFT" ? ' class="drift"' : ""}>${row.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`,
    )
    .join("")}</tbody></table>`;
  const overlays = r.features
    .filter((f) => f.summary)
    .map(
      (f) =>
        `<figure><figcaption>${esc(f.feature)}${f.drifted ? ' <b class="badge">drift</b>' : ""}</figcaption>${overlaySvg(f.summary!, `${f.feature}: reference vs current`)}</figure>`,
    )
    .join("");
  const perf = performanceChart(input.history);
  const status =
    r.status === "ok"
      ? `<p class="summary"><b>${r.driftedFeatures.length}</b> of ${r.features.length} features drifted${r.driftedFeatures.length ? `: ${esc(r.driftedFeatures.join(", "))}` : ""}.</p>`
      : `<p class="summary">Not enough data: ${esc(r.reason ?? "")}</p>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(input.title)}</title><style>${CSS}</style></head><body>
<h1>${esc(input.title)}</h1>
<p>Deployment <b>${esc(r.deployment)}</b> · window ${iso(r.window.from)} → ${iso(r.window.to)} (${r.window.rows} rows) · reference: ${r.reference.source} (${r.reference.rows} rows${r.reference.version ? `, ${esc(r.reference.model ?? "")} v${esc(r.reference.version)}` : ""}) · generated ${iso(input.generatedAt)}</p>
${status}
<h2>Drift and data quality</h2>${table}
<h2>Distributions <small><span class="ref">■</span> reference <span class="cur">■</span> current</small></h2><div class="grid">${overlays}</div>
<h2>Performance over time</h2>${perf || "<p>No labelled windows yet: send ground truth to POST /api/v1/monitoring/feedback or <code>gyre feedback</code>.</p>"}
</body></html>
`;
}

function performanceChart(history: MetricPoint[]): string {
  const perf = history.filter((p) => p.feature === "_performance" && p.value !== null);
  const metrics = [...new Set(perf.map((p) => p.metric))].sort();
  if (metrics.length === 0) return "";
  const series = metrics.map((m) => ({
    name: m,
    points: perf.filter((p) => p.metric === m).map((p) => ({ t: p.windowEnd, v: p.value! })),
  }));
  return lineSvg(series, "performance per window");
}

const CSS = `body{font:14px system-ui,sans-serif;margin:24px;color:#111827;max-width:1200px}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #e5e7eb;padding:4px 8px;text-align:left}
tr.drift td{background:#fef2f2}.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(370px,1fr));gap:12px}
figure{margin:0;border:1px solid #e5e7eb;padding:6px}figcaption{font-weight:600}svg text{font-size:9px;fill:#374151}
.badge{color:#b91c1c}.ref{color:#9ca3af}.cur{color:#2563eb}.summary{font-size:16px}`;
