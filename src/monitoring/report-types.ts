/** What one evaluation of a window reports (types only, so the web UI can import them). */
import type { DriftResult } from "./metrics/drift-types.js";
import type { WindowBounds } from "./windows.js";

/** Where a reference comes from: the model package's profile, or a window of the prediction log. */
export type ReferenceSource = "profile" | "window";

/** Shares per bin (numeric) or per category (categorical, top 15 plus "other"). */
export type DistributionSummary =
  | { kind: "numeric"; edges: number[]; reference: number[]; current: number[] }
  | { kind: "categorical"; categories: string[]; reference: number[]; current: number[] };

/** Counts and shares (of the window's rows) for one feature. */
export interface FeatureQuality {
  rows: number;
  missing: number;
  missingShare: number;
  typeErrors: number;
  outOfRange: number;
  unseenCategories: { value: string; count: number }[];
  unseenCount: number;
}

/** One feature's outcome in a window. */
export interface FeatureReport {
  feature: string;
  source: "input" | "output";
  type: "numeric" | "categorical";
  drift: DriftResult[];
  /** True when any ok metric flags drift, null when none could be computed. */
  drifted: boolean | null;
  quality: FeatureQuality;
  summary: DistributionSummary | null;
}

/** The result of one evaluation. */
export interface WindowReport {
  deployment: string;
  evaluatedAt: number;
  window: { from: number | null; to: number | null; rows: number; bounds: WindowBounds };
  reference: { source: ReferenceSource; rows: number; model: string | null; version: string | null };
  status: "ok" | "not_enough_data";
  reason?: string;
  features: FeatureReport[];
  driftedFeatures: string[];
  unknownKeys: { key: string; count: number }[];
}
