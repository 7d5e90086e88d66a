/** Monitoring's public REST routes (/api/v1/monitoring/…): monitors, stored results, alerts, ad-hoc drift. */
import type { VariantComparison as ServerComparison } from "../../../src/monitoring/variant-types.js";
import type { WindowBounds } from "../../../src/monitoring/windows.js";
import { encodePath, query, request } from "./client.js";

const M = "/api/v1/monitoring";

/** One stored metric value of one window (`feature` is `_performance` / `_quality` for those families). */
export interface MetricPoint {
  deployment: string;
  monitor: string;
  feature: string;
  metric: string;
  windowStart: number;
  windowEnd: number;
  evaluatedTime: number;
  rows: number;
  status: string;
  value: number | null;
  statistic: number | null;
  pValue: number | null;
  threshold: number | null;
  drifted: boolean | null;
}

export interface ActionOutcome {
  type: string;
  ok: boolean;
  at: number;
  detail: string;
  /** For pipeline actions and pipeline-side alert triggers: the pipeline run started. */
  runId?: string;
}

export interface AlertRecord {
  id: string;
  monitor: string;
  deployment: string;
  feature: string;
  metric: string;
  severity: "info" | "warning" | "critical";
  state: "firing" | "resolved";
  value: number | null;
  threshold: number | null;
  message: string;
  occurrences: number;
  firstTime: number;
  lastTime: number;
  resolvedTime: number | null;
  actions: ActionOutcome[];
}

export type MonitorReference =
  | { type: "profile" }
  | { type: "window"; from: string | number; to: string | number }
  | { type: "window"; first: number };

export interface MonitorDef {
  name: string;
  deployment: string;
  features?: string[];
  window: { type: "time"; size: string; slide?: string } | { type: "count"; size: number; slide?: number };
  reference: MonitorReference;
  schedule?: { everyMinutes: number } | { everyPredictions: number };
  alert: { severity: string; actions: Array<{ type: string; pipeline?: string }> };
  performance?: unknown;
}

export interface MonitorStatus {
  monitor: MonitorDef;
  state: { lastRunTime: number; lastRows: number; lastStatus: string } | null;
  firing: AlertRecord[];
}

export interface DriftResult {
  method: string;
  status: string;
  statistic: number | null;
  pValue: number | null;
  score: number | null;
  threshold: number;
  drifted: boolean | null;
  referenceCount: number;
  currentCount: number;
  reason?: string;
}

export type DistributionSummary =
  | { kind: "numeric"; edges: number[]; reference: number[]; current: number[] }
  | { kind: "categorical"; categories: string[]; reference: number[]; current: number[] };

export interface FeatureReport {
  feature: string;
  source: "input" | "output";
  type: "numeric" | "categorical";
  drift: DriftResult[];
  drifted: boolean | null;
  quality: { rows: number; missingShare: number; outOfRange: number; unseenCount: number };
  summary: DistributionSummary | null;
}

export interface WindowReport {
  deployment: string;
  evaluatedAt: number;
  window: { from: number | null; to: number | null; rows: number };
  reference: { source: string; rows: number; model: string | null; version: string | null };
  status: "ok" | "not_enough_data";
  reason?: string;
  features: FeatureReport[];
  driftedFeatures: string[];
}

export interface DeploymentSummary {
  deployment: string;
  logged: boolean;
  monitors: string[];
  firing: number;
  lastEvaluated: number | null;
}

export async function listDeployments(signal?: AbortSignal): Promise<DeploymentSummary[]> {
  return (await request<{ deployments: DeploymentSummary[] }>(`${M}/deployments`, { signal })).deployments;
}

export async function listMonitors(signal?: AbortSignal): Promise<MonitorStatus[]> {
  return (await request<{ monitors: MonitorStatus[] }>(`${M}/monitors`, { signal })).monitors;
}

/** Most stored values one page load asks for (newest first); a shorter period shows more of its history. */
export const RESULT_LIMIT = 10_000;

export async function listResults(
  deployment: string,
  from: number | undefined,
  signal?: AbortSignal,
): Promise<MetricPoint[]> {
  const q = query({ deployment, from, limit: RESULT_LIMIT });
  return (await request<{ results: MetricPoint[] }>(`${M}/results${q}`, { signal })).results;
}

export async function listAlerts(
  filter: { deployment?: string; state?: "firing" | "resolved"; limit?: number },
  signal?: AbortSignal,
): Promise<AlertRecord[]> {
  return (await request<{ alerts: AlertRecord[] }>(`${M}/alerts${query(filter)}`, { signal })).alerts;
}

/** Drift with binned distributions of one window, computed now (not stored). */
export function evaluateDrift(
  deployment: string,
  window: string,
  reference: string,
  signal?: AbortSignal,
): Promise<WindowReport> {
  return request(`${M}/deployments/${encodePath(deployment)}/drift${query({ window, reference })}`, {
    signal,
  });
}

/** Ground truth received for a deployment and how much of it matched a logged prediction. */
export function feedbackStatus(
  deployment: string,
  signal?: AbortSignal,
): Promise<{ total: number; matched: number; unmatched: { key: string; receivedTime: number }[] }> {
  return request(`${M}/feedback${query({ deployment })}`, { signal });
}

export async function runMonitor(name: string): Promise<void> {
  await request(`${M}/monitors/${encodeURIComponent(name)}/run`, { body: {} });
}

/** The monitor's window and reference as the drift route's query strings (`1h` / `5000`, `profile` / `first:N` / `a..b`). */
export function specsOf(m: MonitorDef): { window: string; reference: string } {
  const window = String(m.window.size);
  const r = m.reference;
  const reference =
    r.type === "profile" ? "profile" : "first" in r ? `first:${r.first}` : `${r.from}..${r.to}`;
  return { window, reference };
}

export type { VariantStats, VariantTest } from "../../../src/monitoring/variant-types.js";

/** A comparison as the variants route answers it: the server's type plus the window it covered. */
export type VariantComparison = ServerComparison & { window: WindowBounds };

/** The deployment's variants over the `window` up to now, with significance tests against the baseline. */
export function compareVariants(
  deployment: string,
  window: string,
  baseline: string,
  signal?: AbortSignal,
): Promise<VariantComparison> {
  return request(`${M}/deployments/${encodePath(deployment)}/variants${query({ window, baseline })}`, {
    signal,
  });
}
