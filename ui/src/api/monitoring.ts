/** Monitoring's public REST routes (/api/v1/monitoring/…): monitors, stored results, alerts, ad-hoc drift. */

import type { Monitor } from "../../../src/monitoring/monitor-schema.js";
import type { WindowReport } from "../../../src/monitoring/report-types.js";
import type {
  DeploymentSummary,
  FeedbackStatus,
  MonitorStatus,
} from "../../../src/monitoring/service-types.js";
import type { AlertFilter, AlertRecord, MetricPoint } from "../../../src/monitoring/store.js";
import type { VariantComparison as ServerComparison } from "../../../src/monitoring/variant-types.js";
import type { WindowBounds } from "../../../src/monitoring/windows.js";
import { encodePath, query, request } from "./client.js";

const M = "/api/v1/monitoring";

export type { DriftResult } from "../../../src/monitoring/metrics/drift-types.js";
export type {
  DistributionSummary,
  FeatureReport,
  WindowReport,
} from "../../../src/monitoring/report-types.js";
export type {
  DeploymentSummary,
  FeedbackStatus,
  MonitorStatus,
} from "../../../src/monitoring/service-types.js";
export type { ActionOutcome, AlertRecord, MetricPoint, MonitorState } from "../../../src/monitoring/store.js";

/** A monitor as `gyre.config.ts` defines it (defaults filled in), as the monitors route answers it. */
export type MonitorDef = Monitor;
export type MonitorReference = Monitor["reference"];

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
  filter: Pick<AlertFilter, "deployment" | "state" | "limit">,
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
export function feedbackStatus(deployment: string, signal?: AbortSignal): Promise<FeedbackStatus> {
  return request(`${M}/feedback${query({ deployment })}`, { signal });
}

export async function runMonitor(name: string): Promise<void> {
  await request(`${M}/monitors/${encodeURIComponent(name)}/run`, { body: {} });
}

/** The monitor's window and reference as the drift route's query strings (`1h` / `5000`, `profile` / `first:N` / `a..b`). */
export function specsOf(m: Pick<MonitorDef, "window" | "reference">): { window: string; reference: string } {
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
