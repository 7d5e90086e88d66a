/**
 * Monitoring (C9): drift metrics over the prediction log, data quality, performance once labels arrive,
 * monitors and alerts that trigger pipelines. This file is the component's only door.
 */

export {
  type EvaluateOptions,
  evaluateWindow,
  type FeatureReport,
  type PackageInfo,
  type PackageLookup,
  type ReferenceSpec,
  type WindowReport,
} from "./evaluate.js";
export { checkDeployment, loggedDeployments, logRootOf } from "./log/layout.js";
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
export type { FeatureQuality } from "./quality.js";
export type { DistributionSummary } from "./summary.js";
export {
  parseDuration,
  parseWindow,
  timeWindowsBetween,
  type WindowBounds,
  type WindowSpec,
  windowBounds,
  windowSchema,
} from "./windows.js";
