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

interface LoggedPrediction {
  key: string;
  entity: string | null;
  ts: number;
  outputs: Record<string, unknown>;
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
    const index = entityIndex(await predictions(reader, deployment, ALL_TIME, true));
    for (const r of byEntity) if (latestAtOrBefore(index, r) !== null) matched.add(r.matchKey);
  }
  return matched;
}

async function predictions(
  reader: PredictionLogReader,
  deployment: string,
  bounds: WindowBounds,
  entitiesOnly = false,
): Promise<LoggedPrediction[]> {
  const where = entitiesOnly ? " WHERE entity_key IS NOT NULL" : "";
  const rows = await reader.query(
    deployment,
    bounds,
    `SELECT request_id, row_index, entity_key, epoch_ms(ts)::DOUBLE AS ts, ${entitiesOnly ? "NULL" : "outputs"} AS outputs FROM w${where} ORDER BY ts`,
  );
  return rows.map((r) => ({
    key: `req:${r.request_id}#${r.row_index}`,
    entity: r.entity_key === null ? null : canonicalJson(JSON.parse(String(r.entity_key))),
    ts: Number(r.ts),
    outputs: r.outputs === null ? {} : (JSON.parse(String(r.outputs)) as Record<string, unknown>),
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

/** Joins `feedback` to the predictions of one window and computes the metrics. */
export async function windowPerformance(
  reader: PredictionLogReader,
  deployment: string,
  bounds: WindowBounds,
  feedback: FeedbackRecord[],
  spec: PerformanceSpec,
): Promise<WindowPerformance> {
  const preds = await predictions(reader, deployment, bounds);
  const byKey = new Map(preds.map((p) => [p.key, p]));
  const index = entityIndex(preds);
  const pairs: { pred: LoggedPrediction; label: unknown }[] = [];
  for (const f of feedback) {
    const pred = f.requestId !== null ? byKey.get(f.matchKey) : latestAtOrBefore(index, f);
    if (pred) pairs.push({ pred, label: f.label });
  }
  const base = { predictions: preds.length, labelled: pairs.length };
  if (pairs.length === 0) return { ...base, task: null, metrics: {} };
  const name = spec.prediction ?? Object.keys(pairs[0]!.pred.outputs)[0] ?? "";
  const values = pairs.map((p) => p.pred.outputs[name]);
  const task =
    spec.task ??
    inferTask(
      pairs.map((p) => p.label),
      values,
    );
  if (task === "regression") {
    const ok = pairs
      .map((p, i) => [scalarOf(values[i]), Number(p.label)] as const)
      .filter(([a, b]) => a !== null && Number.isFinite(b));
    return {
      ...base,
      task,
      metrics: regressionMetrics(
        ok.map((x) => x[0]!),
        ok.map((x) => x[1]),
      ),
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
  return { ...base, task, metrics };
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
