import { GyreError, isGyreError } from "../core/errors.js";
import type { ModelSignature } from "../registry/index.js";
import type { FeatureEnrichment, FeatureLookup, RawInput } from "./types.js";

/** The request's entity key columns (every key must be present). Throws SERVING_INPUT_MISSING. */
export function entityColumns(
  f: FeatureEnrichment,
  inputs: Record<string, RawInput>,
): Record<string, RawInput> {
  const out: Record<string, RawInput> = {};
  for (const key of f.entityKeys) {
    const raw = inputs[key];
    if (!raw) {
      throw new GyreError(
        "SERVING_INPUT_MISSING",
        `Entity key '${key}' is missing; this deployment looks features up by ${f.entityKeys.join(", ")}`,
        { field: key },
      );
    }
    out[key] = raw;
  }
  return out;
}

/** Model inputs the request lacks, or gives as null for some rows. */
function gaps(signature: ModelSignature, inputs: Record<string, RawInput>): string[] {
  return signature.inputs
    .map((i) => i.name)
    .filter((n) => !(n in inputs) || inputs[n]!.values.some((v) => v === null || v === undefined));
}

/**
 * Fills model inputs the request lacks (absent, or null in some rows) from the online store: one lookup of
 * the feature service for the request's entity rows; values the request carries override looked-up ones.
 * When the request already has every model input, nothing is looked up. Throws SERVING_FEATURES_UNAVAILABLE
 * when no store is wired or the lookup fails.
 */
export async function enrichInputs(
  f: FeatureEnrichment,
  signature: ModelSignature,
  inputs: Record<string, RawInput>,
  lookup: FeatureLookup | null,
): Promise<Record<string, RawInput>> {
  const missing = gaps(signature, inputs);
  if (missing.length === 0) return inputs;
  const keys = entityColumns(f, inputs);
  if (!lookup) {
    throw new GyreError(
      "SERVING_FEATURES_UNAVAILABLE",
      `Deployment needs features ${missing.join(", ")} from feature service '${f.service}', but no online feature store is configured; send them in the request or configure the online store`,
      { field: missing[0] },
    );
  }
  const n = Object.values(keys)[0]!.values.length;
  const entityRows: Record<string, string | number>[] = [];
  for (let i = 0; i < n; i++) {
    const row: Record<string, string | number> = {};
    for (const [k, raw] of Object.entries(keys)) row[k] = raw.values[i] as string | number;
    entityRows.push(row);
  }
  let found: Record<string, unknown>[];
  try {
    found = await lookup.lookup(f.service, entityRows);
  } catch (e) {
    if (isGyreError(e) && e.category !== "internal" && e.category !== "unavailable") throw e;
    throw new GyreError(
      "SERVING_FEATURES_UNAVAILABLE",
      `Online lookup of feature service '${f.service}' failed: ${(e as Error).message}`,
      { field: "features", cause: e },
    );
  }
  const out = { ...inputs };
  for (const name of missing) {
    const given = inputs[name]?.values;
    const values = Array.from({ length: n }, (_, i) => given?.[i] ?? found[i]?.[name] ?? null);
    out[name] = { values, shape: [n] };
  }
  return out;
}
