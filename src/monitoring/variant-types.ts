/**
 * What a comparison of a deployment's variants answers (src/monitoring/variants.ts). Types only, with no
 * runtime imports, so that the web UI shares them.
 */
import type { PerformanceMetrics } from "./performance.js";

/** A variant's main metric against the baseline's. */
export interface VariantTest {
  baseline: string;
  metric: "accuracy" | "mae";
  /** This variant's metric minus the baseline's, on the rows the test used. */
  difference: number | null;
  test: "chi2_contingency" | "mcnemar" | "z" | "paired_z";
  paired: boolean;
  /** Labelled rows used: this variant's (unpaired) or requests labelled for both (paired). */
  n: number;
  statistic: number | null;
  pValue: number | null;
  /** pValue < alpha. */
  significant: boolean;
  /** Why there is no test, when there is none. */
  note?: string;
}

export interface VariantStats {
  variant: string;
  shadow: boolean;
  versions: string[];
  predictions: number;
  labelled: number;
  latencyMs: { p50: number | null; p99: number | null };
  task: "classification" | "regression" | null;
  metrics: PerformanceMetrics;
  /** Null for the baseline itself. */
  vsBaseline: VariantTest | null;
}

export interface VariantComparison {
  deployment: string;
  baseline: string | null;
  alpha: number;
  minLabels: number;
  variants: VariantStats[];
}
