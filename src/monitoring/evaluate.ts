/**
 * One evaluation of drift and data quality: the current window of a deployment's log against a reference
 * (the serving model version's training profile, or another window of the log), per feature and metric.
 */
import { GyreError } from "../core/errors.js";
import type { FeatureSpec, ReferenceProfile } from "../registry/index.js";
import { featureKey, type LogFeature, type PredictionLogReader, type WindowData } from "./log/reader.js";
import {
  type CurrentColumn,
  categoricalColumn,
  distinctCount,
  type NumericColumn,
  numericColumn,
  presentCount,
} from "./metrics/columns.js";
import {
  type DriftMetricConfig,
  type DriftMetricInput,
  defaultDriftMethod,
  driftMetricConfig,
} from "./metrics/config.js";
import { computeDrift, type DriftResult } from "./metrics/drift.js";
import { numericColumns } from "./metrics/sort-pool.js";
import { featureQuality } from "./quality.js";
import { profileReference, type Reference, windowReference } from "./reference.js";
import type { FeatureReport, WindowReport } from "./report-types.js";
import { summarize } from "./summary.js";
import { type WindowBounds, type WindowSpec, windowBounds } from "./windows.js";

export type { FeatureReport, WindowReport } from "./report-types.js";

/** Where the reference comes from: the model version's profile, or a window of the log (time range or first N rows). */
export type ReferenceSpec =
  | { type: "profile" }
  | { type: "window"; from: number; to: number }
  | { type: "window"; first: number };

/** `profile`, `first:<N>` or `<from>..<to>` (ISO times or epoch ms) → a ReferenceSpec; throws MONITOR_INVALID. */
export function parseReferenceSpec(text: string): ReferenceSpec {
  if (text === "profile") return { type: "profile" };
  const first = /^first:(\d+)$/.exec(text);
  if (first && Number(first[1]) > 0) return { type: "window", first: Number(first[1]) };
  const [from, to] = text.split("..");
  const ms = (t: string | undefined) => (t && /^\d+$/.test(t) ? Number(t) : Date.parse(t ?? ""));
  if (from && to && Number.isFinite(ms(from)) && Number.isFinite(ms(to)) && ms(from) < ms(to)) {
    return { type: "window", from: ms(from), to: ms(to) };
  }
  throw new GyreError(
    "MONITOR_INVALID",
    `reference '${text}': use profile, first:<N> or <from>..<to> (ISO times, from before to)`,
    { field: "reference" },
  );
}

/** What monitoring needs from a model version's package. */
export interface PackageInfo {
  profile?: ReferenceProfile;
  features?: FeatureSpec[];
  metrics: Record<string, number>;
}

/** Looks up the package of model `model` version `version`; null when it has none. */
export type PackageLookup = (model: string, version: string) => Promise<PackageInfo | null>;

export interface EvaluateOptions {
  deployment: string;
  window: WindowSpec;
  reference: ReferenceSpec;
  /** Feature keys to check (`prediction.<output>` for outputs); default: all the reference knows. */
  features?: readonly string[];
  /** Metrics per feature; default: chosen per feature by sample size (defaultDriftMethod). */
  metrics?: readonly DriftMetricInput[];
  /** Fewer rows in the window (or reference) → 'not enough data'. Default 30. */
  minRows?: number;
  /** Evaluation time, epoch ms (default: now). */
  now?: number;
}

/** Runs one evaluation. Throws MONITOR_REFERENCE_UNAVAILABLE when a profile reference has no profile. */
export async function evaluateWindow(
  reader: PredictionLogReader,
  lookup: PackageLookup,
  options: EvaluateOptions,
): Promise<WindowReport> {
  const now = options.now ?? Date.now();
  const minRows = options.minRows ?? 30;
  const bounds = windowBounds(options.window, now, await reader.count(options.deployment));
  const serving = await servingVersion(reader, options.deployment, bounds);
  const ref = await loadReference(reader, lookup, options, serving, bounds);
  const features = selectFeatures(ref.features, options.features);
  const current = await reader.read(options.deployment, bounds, features, ref.declared);
  const columns = await sortNumeric(features, current.values);
  const reports = features.map((f) =>
    featureReport(f, ref.reference, current, columns, options.metrics, minRows),
  );
  const enough = current.rows >= minRows && ref.reference.rows >= minRows;
  return {
    deployment: options.deployment,
    evaluatedAt: now,
    window: { from: current.from, to: current.to, rows: current.rows, bounds },
    reference: {
      source: ref.reference.source,
      rows: ref.reference.rows,
      model: serving?.model ?? null,
      version: serving?.version ?? null,
    },
    status: enough ? "ok" : "not_enough_data",
    ...(enough
      ? {}
      : {
          reason: `${current.rows} rows in the window and ${ref.reference.rows} in the reference; at least ${minRows} needed`,
        }),
    features: reports,
    driftedFeatures: reports.filter((r) => r.drifted).map((r) => r.feature),
    unknownKeys: [...current.unknownKeys].map(([key, count]) => ({ key, count })),
  };
}

async function servingVersion(reader: PredictionLogReader, deployment: string, bounds: WindowBounds) {
  const rows = await reader.query(
    deployment,
    bounds,
    "SELECT model, version, count(*)::DOUBLE AS n FROM w WHERE NOT coalesce(shadow, false) GROUP BY model, version ORDER BY n DESC, version DESC LIMIT 1",
  );
  const r = rows[0];
  return r ? { model: String(r.model), version: String(r.version) } : null;
}

interface LoadedReference {
  reference: Reference;
  features: LogFeature[];
  declared: string[] | undefined;
}

async function loadReference(
  reader: PredictionLogReader,
  lookup: PackageLookup,
  options: EvaluateOptions,
  serving: { model: string; version: string } | null,
  bounds: WindowBounds,
): Promise<LoadedReference> {
  const outputs = (await reader.discover(options.deployment, bounds)).filter((f) => f.source === "output");
  if (options.reference.type === "profile") {
    if (!serving) {
      return {
        reference: { source: "profile", columns: new Map(), bounds: new Map(), rows: 0 },
        features: [],
        declared: undefined,
      };
    }
    const pkg = await lookup(serving.model, serving.version);
    if (!pkg?.profile) {
      throw new GyreError(
        "MONITOR_REFERENCE_UNAVAILABLE",
        `Model '${serving.model}' version ${serving.version} has no reference profile in its package; register it from a gyre model package with a profile, or use a log window as reference (reference: { type: "window", ... })`,
        { field: "reference" },
      );
    }
    const inputs: LogFeature[] = pkg.profile.features.map((f) => ({
      name: f.name,
      type: f.type,
      source: "input",
    }));
    const declared = (pkg.features ?? pkg.profile.features).map((f) => f.name);
    return { reference: profileReference(pkg.profile), features: [...inputs, ...outputs], declared };
  }
  const refBounds: WindowBounds =
    "first" in options.reference
      ? { kind: "count", offset: 0, limit: options.reference.first }
      : { kind: "time", from: options.reference.from, to: options.reference.to };
  const features = await reader.discover(options.deployment, refBounds);
  const data = await reader.read(options.deployment, refBounds, features);
  const declared = features.filter((f) => f.source === "input").map((f) => f.name);
  const columns = await sortNumeric(features, data.values);
  return { reference: windowReference(features, data.values, data.rows, columns), features, declared };
}

/** The numeric features' columns, sorted together on all cores (the sort pool), by feature key. */
async function sortNumeric(
  features: LogFeature[],
  values: ReadonlyMap<string, (number | string | null)[]>,
): Promise<Map<string, NumericColumn>> {
  const keys = features.filter((f) => f.type === "numeric").map(featureKey);
  const sorted = await numericColumns(keys.map((k) => (values.get(k) ?? []) as (number | null)[]));
  return new Map(keys.map((k, i) => [k, sorted[i]!]));
}

function selectFeatures(known: LogFeature[], wanted: readonly string[] | undefined): LogFeature[] {
  if (!wanted) return known;
  return wanted.map((key) => {
    const found = known.find((f) => featureKey(f) === key);
    if (found) return found;
    const output = key.startsWith("prediction.");
    return {
      name: output ? key.slice("prediction.".length) : key,
      type: "numeric",
      source: output ? "output" : "input",
    };
  });
}

function featureReport(
  f: LogFeature,
  reference: Reference,
  data: WindowData,
  sorted: ReadonlyMap<string, NumericColumn>,
  metrics: readonly DriftMetricInput[] | undefined,
  minRows: number,
): FeatureReport {
  const key = featureKey(f);
  const values = data.values.get(key) ?? [];
  const current: CurrentColumn =
    f.type === "numeric"
      ? { kind: "numeric", column: sorted.get(key) ?? numericColumn(values as (number | null)[]) }
      : { kind: "categorical", column: categoricalColumn(values) };
  const quality = featureQuality(
    values,
    data.missing.get(key) ?? 0,
    data.typeErrors.get(key) ?? 0,
    reference.bounds.get(key),
  );
  const ref = reference.columns.get(key);
  if (!ref) {
    const reason =
      reference.source === "profile" && f.source === "output"
        ? "the training profile has no distribution of model outputs; use a log window as reference for prediction drift"
        : `feature '${key}' is not in the reference`;
    const drift = (metrics ?? [{ method: f.type === "numeric" ? "psi" : "chi2" } as DriftMetricInput]).map(
      (m) => skipped(driftMetricConfig(m), reason, presentCount(current)),
    );
    return { feature: key, source: f.source, type: f.type, drift, drifted: null, quality, summary: null };
  }
  const configs: DriftMetricConfig[] = (
    metrics ?? [{ method: defaultDriftMethod(f.type, presentCount(ref), distinctCount(ref)) }]
  ).map((m) => driftMetricConfig({ minSamples: minRows, ...m }));
  const drift = configs.map((c) => computeDrift(c, ref, current));
  const ok = drift.filter((d) => d.status === "ok");
  const drifted = ok.length === 0 ? null : ok.some((d) => d.drifted);
  return {
    feature: key,
    source: f.source,
    type: f.type,
    drift,
    drifted,
    quality,
    summary: summarize(ref, current),
  };
}

function skipped(config: DriftMetricConfig, reason: string, currentCount: number): DriftResult {
  const d = computeDrift(
    config,
    { kind: "categorical", column: { counts: new Map(), missing: 0 } },
    { kind: "categorical", column: { counts: new Map(), missing: 0 } },
  );
  return { ...d, status: "not_applicable", reason, currentCount, referenceCount: 0 };
}
