/** Drift methods and the metric input schema, without Node imports (the web UI imports their types). */
import { z } from "zod";

/** The drift methods gyre computes. Tests (p-values) flag drift when p < threshold; distances when ≥. */
export const DRIFT_METHODS = ["ks", "chi2", "psi", "wasserstein", "jensenshannon"] as const;
export type DriftMethod = (typeof DRIFT_METHODS)[number];

/** A drift metric as users write it in `gyre.config.ts` (method plus optional tuning). */
export const driftMetricInput = z.strictObject({
  method: z.enum(DRIFT_METHODS),
  threshold: z.number().positive().optional().describe("p-value for ks/chi2, distance otherwise"),
  bins: z.int().min(2).max(1000).optional().describe("psi/jensenshannon on numbers: reference quantile bins"),
  epsilon: z.number().positive().max(0.1).optional().describe("psi: share used for an empty bin"),
  normalize: z.boolean().optional().describe("wasserstein: divide by the reference standard deviation"),
  chi2: z.enum(["contingency", "goodness-of-fit"]).optional(),
  minSamples: z.int().min(1).optional().describe("fewer values on either side → 'not enough data'"),
});
export type DriftMetricInput = z.input<typeof driftMetricInput>;
