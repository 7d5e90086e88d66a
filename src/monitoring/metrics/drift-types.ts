/** Drift results (types only, so the web UI can import them). */
import type { DriftMethod } from "./methods.js";

/** The outcome of one metric on one feature. `score` is the p-value for tests, the distance otherwise. */
export interface DriftResult {
  method: DriftMethod;
  fingerprint: string;
  status: "ok" | "not_enough_data" | "not_applicable";
  statistic: number | null;
  pValue: number | null;
  score: number | null;
  threshold: number;
  drifted: boolean | null;
  referenceCount: number;
  currentCount: number;
  /** True when computed from the reference's histogram rather than raw values (a profile reference). */
  binned: boolean;
  reason?: string;
}
