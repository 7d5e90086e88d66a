/**
 * Drift metric configurations: serialisable, validated with zod, and identified by a stable fingerprint
 * (sha256 of the canonical JSON of the config with defaults filled in), so stored results can be grouped by
 * exactly the calculation that produced them.
 */
import { createHash } from "node:crypto";
import { type DriftMethod, type DriftMetricInput, driftMetricInput } from "./methods.js";

export { DRIFT_METHODS, type DriftMethod, type DriftMetricInput, driftMetricInput } from "./methods.js";

/** Methods whose score is a p-value. */
export const P_VALUE_METHODS: ReadonlySet<DriftMethod> = new Set(["ks", "chi2"]);

/** Thresholds when a config names none: p < 0.05; PSI ≥ 0.2; normalised Wasserstein and JS ≥ 0.1 (Evidently). */
export const DEFAULT_THRESHOLDS: Record<DriftMethod, number> = {
  ks: 0.05,
  chi2: 0.05,
  psi: 0.2,
  wasserstein: 0.1,
  jensenshannon: 0.1,
};

/** A drift metric config with every default filled in: what is fingerprinted and stored. */
export interface DriftMetricConfig {
  method: DriftMethod;
  threshold: number;
  bins: number;
  epsilon: number;
  normalize: boolean;
  chi2: "contingency" | "goodness-of-fit";
  minSamples: number;
}

/** Fills defaults; throws zod's error for an invalid input (callers map it to a GyreError with the field). */
export function driftMetricConfig(input: DriftMetricInput | DriftMethod): DriftMetricConfig {
  const c = driftMetricInput.parse(typeof input === "string" ? { method: input } : input);
  return {
    method: c.method,
    threshold: c.threshold ?? DEFAULT_THRESHOLDS[c.method],
    bins: c.bins ?? 10,
    epsilon: c.epsilon ?? 1e-4,
    normalize: c.normalize ?? true,
    chi2: c.chi2 ?? "contingency",
    minSamples: c.minSamples ?? 1,
  };
}

/** 16 hex digits of sha256 over the canonical JSON (keys sorted) of `value`; equal configs, equal prints. */
export function fingerprint(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex").slice(0, 16);
}

/** JSON with object keys sorted recursively and undefined members dropped. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * Evidently's sample-size rule: p-value tests flag nearly everything on large samples, so up to 1,000
 * reference values use KS (numbers) or chi² (categories), above that normalised Wasserstein (numbers with
 * more than 5 distinct values) or Jensen–Shannon distance.
 */
export function defaultDriftMethod(
  kind: "numeric" | "categorical",
  referenceCount: number,
  distinct: number,
): DriftMethod {
  if (referenceCount <= 1000) return kind === "numeric" ? "ks" : "chi2";
  return kind === "numeric" && distinct > 5 ? "wasserstein" : "jensenshannon";
}
