/**
 * Monitoring (C9): drift metrics over the prediction log, data quality, performance once labels arrive,
 * monitors and alerts that trigger pipelines. This file is the component's only door.
 */

export type { ActionContext, AlertChanges, Finding, PipelineTrigger } from "./alerts.js";
export {
  type EvaluateOptions,
  evaluateWindow,
  type FeatureReport,
  type PackageInfo,
  type PackageLookup,
  parseReferenceSpec,
  type ReferenceSpec,
  type WindowReport,
} from "./evaluate.js";
export { feedbackBody, feedbackItem, MAX_FEEDBACK_ITEMS } from "./feedback.js";
export type { PerformanceSpec, WindowPerformance } from "./feedback-join.js";
export { checkDeployment, loggedDeployments, logRootOf, pruneLog } from "./log/layout.js";
export { featureKey, type LogFeature, PredictionLogReader, type WindowData } from "./log/reader.js";
export { chi2Contingency, chi2GoodnessOfFit, chi2Sf } from "./metrics/chi2.js";
export * from "./metrics/columns.js";
export * from "./metrics/config.js";
export {
  binCounts,
  jensenShannon,
  PSI_EPSILON,
  psi,
  quantileEdges,
  wasserstein1,
  wassersteinBinned,
} from "./metrics/distances.js";
export { computeDrift, type DriftResult, stdOf } from "./metrics/drift.js";
export { kstwoSf, smirnovSf } from "./metrics/kolmogorov.js";
export { KS_MAX_EXACT_N, type KsResult, ks2samp, ksStatistic } from "./metrics/ks.js";
export { numericColumn, quantileSorted, searchSorted, sortFloat64 } from "./metrics/sort.js";
export {
  type NumericPair,
  type NumericPairResult,
  numericColumns,
  numericDrift,
  type SortPoolOptions,
  type SortPoolStatus,
  sortPoolStatus,
} from "./metrics/sort-pool.js";
export {
  type AlertAction,
  defineMonitor,
  loadMonitors,
  type Monitor,
  type MonitorInput,
  monitorSchema,
  parseMonitor,
  publicMonitor,
  redactUrl,
} from "./monitors.js";
export { infoOf, registryLookup } from "./package-lookup.js";
export { classificationMetrics, type PerformanceMetrics, regressionMetrics, rocAuc } from "./performance.js";
export type { FeatureQuality } from "./quality.js";
export {
  type DeploymentSummary,
  type FeedbackResult,
  type GaugeSample,
  MonitoringService,
  type MonitoringServiceOptions,
  type MonitorRun,
} from "./service.js";
export type * from "./store.js";
export type { DistributionSummary } from "./summary.js";
export {
  type CompareOptions,
  type CompareText,
  parseCompare,
  type VariantComparison,
  type VariantStats,
  type VariantTest,
} from "./variants.js";
export {
  parseDuration,
  parseWindow,
  timeWindowsBetween,
  type WindowBounds,
  type WindowSpec,
  windowBounds,
  windowSchema,
} from "./windows.js";

import { GyreError } from "../core/errors.js";
import { sqlDialectOf, type TrackingService } from "../metadata/index.js";
import type { RegistryClient } from "../registry/index.js";
import type { ActionContext } from "./alerts.js";
import type { PackageLookup } from "./evaluate.js";
import { logRootOf } from "./log/layout.js";
import type { Monitor } from "./monitors.js";
import { registryLookup } from "./package-lookup.js";
import { MonitoringService } from "./service.js";

/** Options of `monitoringFor`. */
export interface MonitoringForOptions {
  /** Artifact store URI (`file://dir`) whose root holds `predictions/`. */
  artifacts: string;
  /** Where model packages are looked up; without it profile references and evaluation metrics are unavailable. */
  registry?: RegistryClient;
  lookup?: PackageLookup;
  monitors?: Monitor[];
  actions?: ActionContext;
  now?: () => number;
}

/**
 * Monitoring over the same database as `tracking`'s metadata store (monitoring tables migrated on first use).
 * Throws CONFIG_INVALID when the store is not SQL-backed or the artifact store is not file://.
 */
export async function monitoringFor(
  tracking: TrackingService,
  options: MonitoringForOptions,
): Promise<MonitoringService> {
  const dialect = sqlDialectOf(tracking.store);
  if (!dialect) {
    throw new GyreError(
      "CONFIG_INVALID",
      `Monitoring needs a SQL metadata store (sqlite://, postgres://); got a '${tracking.store.kind}' store`,
      {
        field: "store",
      },
    );
  }
  const logRoot = logRootOf(options.artifacts);
  const { SqlMonitoringStore } = await import("./sql/sql-monitoring-store.js");
  const store = await SqlMonitoringStore.open(dialect);
  const lookup =
    options.lookup ??
    (options.registry ? registryLookup(options.registry, tracking.artifacts) : async () => null);
  return new MonitoringService({
    logRoot,
    store,
    lookup,
    ...(options.monitors ? { monitors: options.monitors } : {}),
    ...(options.actions ? { actions: options.actions } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
}
export { alertDelivery, pipelineTrigger } from "./pipeline-trigger.js";
export { htmlReport, markdownReport, type ReportInput } from "./report/report.js";
