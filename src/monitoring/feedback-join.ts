/**
 * Joins ground truth to logged predictions with DuckDB: by request id + row index, or by entity key (the
 * latest prediction for that entity at or before the label's timestamp). Produces the performance of a window.
 */

import { labelClass } from "./feedback.js";
import type { PredictionLogReader } from "./log/reader.js";
import { canonicalJson } from "./metrics/config.js";
import { classificationMetrics, type PerformanceMetrics, regressionMetrics } from "./performance.js";
import type { FeedbackRecord } from "./store.js";
import type { WindowBounds } from "./windows.js";

const ALL_TIME: WindowBounds = { kind: "time", from: 0, to: 8.64e15 };

/** How to read predictions for performance: which output, which task, which class is positive. */
export interface PerformanceSpec {
  /** Output holding the prediction (default: the first output key). */
  prediction?: string;
  /** Output holding the positive-class probability, for ROC AUC. */
  score?: string;
  /** Decision threshold on `score` for a classifier that outputs one probability: predicted = score ≥ threshold. */
  threshold?: number;
  task?: "classification" | "regression";
  positive?: string;
}

export interface LoggedPrediction {
  key: string;
  entity: string | null;
  ts: number;
  outputs: Record<string, unknown>;
  variant: string;
  version: string;
  shadow: boolean;
  latencyMs: number | null;
}

/** The match keys of `records` that have a logged prediction anywhere in the deployment's log. */
export async function matchAgainstLog(
  reader: PredictionLogReader,
  deployment: string,
  records: FeedbackRecord[],
): Promise<Set<string>> {
  const matched = new Set<string>();
  const byRequest = records.filter((r) => r.requestId !== null);
  for (let i = 0; i < byRequest.length; i += 1000) {
    const chunk = byRequest.slice(i, i + 1000);
    const ids = [...new Set(chunk.map((r) => `'${r.requestId!.replaceAll("'", "''")}'`))].join(", ");
    const rows = await reader.query(
      deployment,
      ALL_TIME,
      `SELECT DISTINCT request_id, row_index FROM w WHERE request_id IN (${ids})`,
    );
    const seen = new Set(rows.map((r) => `req:${r.request_id}#${r.row_index}`));
    for (const r of chunk) if (seen.has(r.matchKey)) matched.add(r.matchKey);
  }
  const byEntity = records.filter((r) => r.entityKey !== null);
  if (byEntity.length > 0) {
    const index = entityIndex(await predictions(reader, deployment, ALL_TIME, { entitiesOnly: true }));
    for (const r of byEntity) if (latestAtOrBefore(index, r) !== null) matched.add(r.matchKey);
  }
  return matched;
}

/** Logged rows of a window, oldest first; `shadow` adds the shadow rows mirrored from the window's requests. */
export async function predictions(
  reader: PredictionLogReader,
  deployment: string,
  bounds: WindowBounds,
  options: { entitiesOnly?: boolean; shadow?: boolean } = {},
): Promise<LoggedPrediction[]> {
  const where = options.entitiesOnly ? " WHERE entity_key IS NOT NULL" : "";
  const rows = await reader.query(
    deployment,
    bounds,
    `SELECT request_id, row_index, entity_key, epoch_ms(ts)::DOUBLE AS ts, ${options.entitiesOnly ? "NULL" : "outputs"} AS outputs,
      variant, version, coalesce(shadow, false) AS shadow, latency_ms FROM w${where} ORDER BY ts`,
    { shadow: options.shadow ?? false },
  );
  return rows.map((r) => ({
    key: `req:${r.request_id}#${r.row_index}`,
    entity: r.entity_key === null ? null : canonicalJson(JSON.parse(String(r.entity_key))),
    ts: Number(r.ts),
    outputs: r.outputs === null ? {} : (JSON.parse(String(r.outputs)) as Record<string, unknown>),
    variant: String(r.variant ?? "primary"),
    version: String(r.version ?? ""),
    shadow: r.shadow === true,
    latencyMs: r.latency_ms === null || r.latency_ms === undefined ? null : Number(r.latency_ms),
  }));
}

function entityIndex(preds: LoggedPrediction[]): Map<string, LoggedPrediction[]> {
  const index = new Map<string, LoggedPrediction[]>();
  for (const p of preds) {
    if (p.entity === null) continue;
    const list = index.get(p.entity) ?? [];
    list.push(p);
    index.set(p.entity, list);
  }
  return index;
}

function latestAtOrBefore(
  index: Map<string, LoggedPrediction[]>,
  r: FeedbackRecord,
): LoggedPrediction | null {
  const list = index.get(canonicalJson(r.entityKey));
  if (!list) return null;
  let best: LoggedPrediction | null = null;
  for (const p of list) if (p.ts <= r.ts! && (best === null || p.ts >= best.ts)) best = p;
  return best;
}

/** Performance of one window: labelled pairs, metrics, and how much feedback is still unmatched overall. */
export interface WindowPerformance {
  predictions: number;
  labelled: number;
  task: "classification" | "regression" | null;
  metrics: PerformanceMetrics;
}

/** A logged prediction with its ground truth. */
export interface LabelledPair {
  pred: LoggedPrediction;
  label: unknown;
}

/** `feedback` joined to `preds` (one variant's rows): by request id + row index, or by entity key and time. */
export function joinLabels(preds: LoggedPrediction[], feedback: FeedbackRecord[]): LabelledPair[] {
  const byKey = new Map(preds.map((p) => [p.key, p]));
  const index = entityIndex(preds);
  const pairs: LabelledPair[] = [];
  for (const f of feedback) {
    const pred = f.requestId !== null ? byKey.get(f.matchKey) : latestAtOrBefore(index, f);
    if (pred) pairs.push({ pred, label: f.label });
  }
  return pairs;
}

/**
 * The metrics of labelled pairs, and each pair's outcome for significance tests: 1/0 for a right/wrong class
 * (classification), the absolute error (regression), null where the pair has no usable prediction or label.
 */
export interface ScoredPairs {
  task: "classification" | "regression" | null;
  metrics: PerformanceMetrics;
  outcomes: (number | null)[];
}

/** The task of `pairs` under `spec` (given, or inferred from labels and predicted values). */
export function taskOf(pairs: LabelledPair[], spec: PerformanceSpec): "classification" | "regression" | null {
  if (pairs.length === 0) return null;
  const name = spec.prediction ?? Object.keys(pairs[0]!.pred.outputs)[0] ?? "";
  return (
    spec.task ??
    inferTask(
      pairs.map((p) => p.label),
      pairs.map((p) => p.pred.outputs[name]),
    )
  );
}

/** Scores `pairs` as `task` (the same task for every variant compared, so their metrics are comparable). */
export function scorePairs(
  pairs: LabelledPair[],
  spec: PerformanceSpec,
  task = taskOf(pairs, spec),
): ScoredPairs {
  if (pairs.length === 0 || task === null) return { task: null, metrics: {}, outcomes: [] };
  const name = spec.prediction ?? Object.keys(pairs[0]!.pred.outputs)[0] ?? "";
  const values = pairs.map((p) => p.pred.outputs[name]);
  if (task === "regression") {
    const both = pairs.map((p, i) => [scalarOf(values[i]), Number(p.label)] as const);
    const ok = both.filter(([a, b]) => a !== null && Number.isFinite(b));
    return {
      task,
      metrics: regressionMetrics(
        ok.map((x) => x[0]!),
        ok.map((x) => x[1]),
      ),
      outcomes: both.map(([a, b]) => (a !== null && Number.isFinite(b) ? Math.abs(a - b) : null)),
    };
  }
  const scores = spec.score
    ? pairs.map((p) => scalarOf(p.pred.outputs[spec.score!]))
    : probabilityScores(values);
  const actual = pairs.map((p) => labelClass(p.label));
  const predicted =
    spec.threshold !== undefined && scores
      ? thresholded(scores, spec.threshold, actual, spec.positive)
      : values.map(classOf);
  const metrics = classificationMetrics(predicted, actual, {
    ...(spec.positive ? { positive: spec.positive } : {}),
    ...(scores ? { scores } : {}),
  });
  return { task, metrics, outcomes: predicted.map((p, i) => (p === actual[i] ? 1 : 0)) };
}

/** Joins `feedback` to the served predictions of one window and computes the metrics. */
export async function windowPerformance(
  reader: PredictionLogReader,
  deployment: string,
  bounds: WindowBounds,
  feedback: FeedbackRecord[],
  spec: PerformanceSpec,
): Promise<WindowPerformance> {
  const preds = await predictions(reader, deployment, bounds);
  const pairs = joinLabels(preds, feedback);
  const { task, metrics } = scorePairs(pairs, spec);
  return { predictions: preds.length, labelled: pairs.length, task, metrics };
}

function scalarOf(v: unknown): number | null {
  const x = Array.isArray(v) && v.length === 1 ? v[0] : v;
  return typeof x === "number" && Number.isFinite(x) ? x : typeof x === "boolean" ? Number(x) : null;
}

/** A class from an output: scalars by their text; probability vectors by their argmax index. */
function classOf(v: unknown): string {
  if (Array.isArray(v) && v.length > 1) {
    let best = 0;
    v.forEach((x, i) => {
      if (Number(x) > Number(v[best])) best = i;
    });
    return String(best);
  }
  return labelClass(Array.isArray(v) ? v[0] : v);
}

/**
 * Classes of a binary classifier that outputs one probability: the positive class (default "1") where the
 * score reaches `threshold`, the other class seen in the labels (default "0") elsewhere.
 */
function thresholded(
  scores: readonly (number | null)[],
  threshold: number,
  actual: readonly string[],
  positive = "1",
): string[] {
  const negative = actual.find((c) => c !== positive) ?? "0";
  return scores.map((s) => (s === null ? "" : s >= threshold ? positive : negative));
}

/** Two-class probability vectors give the positive class's probability (index 1) as the score. */
function probabilityScores(values: unknown[]): (number | null)[] | undefined {
  if (!values.every((v) => Array.isArray(v) && v.length === 2)) return undefined;
  return values.map((v) => Number((v as unknown[])[1]));
}

function inferTask(labels: unknown[], values: unknown[]): "classification" | "regression" {
  if (!labels.every((l) => typeof l === "number")) return "classification";
  const fractional = (x: unknown) => typeof x === "number" && !Number.isInteger(x);
  return labels.some(fractional) ||
    values.some((v) => fractional(Array.isArray(v) && v.length === 1 ? v[0] : v))
    ? "regression"
    : "classification";
}
