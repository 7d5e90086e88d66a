/**
 * Monitoring (C9): drift metrics over the prediction log, data quality, performance once labels arrive,
 * monitors and alerts that trigger pipelines. This file is the component's only door.
 */
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
