/**
 * References for drift: a model version's training profile (binned numeric histograms, category
 * frequencies, from its package's gyre-model.json) or a window of the log (raw values).
 */
import type { FeatureProfile, ReferenceProfile } from "../registry/index.js";
import type { LogFeature } from "./log/reader.js";
import {
  type CategoricalColumn,
  categoricalColumn,
  type NumericColumn,
  numericColumn,
  type ReferenceColumn,
} from "./metrics/columns.js";
import type { ReferenceSource } from "./report-types.js";

/** What data quality compares a window with: the reference's range and categories per feature. */
export interface ReferenceBounds {
  min: number | null;
  max: number | null;
  /** Known categories; null when the set is open (the profile pooled rare ones under '__other__'). */
  categories: ReadonlySet<string> | null;
}

/** A reference ready for comparisons, by feature key. */
export interface Reference {
  source: ReferenceSource;
  columns: Map<string, ReferenceColumn>;
  bounds: Map<string, ReferenceBounds>;
  /** Row count of the reference data. */
  rows: number;
}

const OTHER = "__other__";

/** A reference from a package profile; features absent from the profile are left out. */
export function profileReference(profile: ReferenceProfile): Reference {
  const columns = new Map<string, ReferenceColumn>();
  const bounds = new Map<string, ReferenceBounds>();
  for (const f of profile.features) {
    const c = profileColumn(f);
    if (c) columns.set(f.name, c);
    bounds.set(f.name, profileBounds(f));
  }
  return { source: "profile", columns, bounds, rows: profile.rowCount };
}

function profileColumn(f: FeatureProfile): ReferenceColumn | null {
  if (f.type === "numeric") {
    if (!f.histogram) return null;
    const column = { edges: f.histogram.edges, counts: f.histogram.counts, std: f.std, missing: f.missing };
    return { kind: "binned", column };
  }
  const counts = new Map(f.frequencies.map((x) => [x.value, x.count]));
  return { kind: "categorical", column: { counts, missing: f.missing } };
}

function profileBounds(f: FeatureProfile): ReferenceBounds {
  if (f.type === "numeric") return { min: f.min, max: f.max, categories: null };
  const values = f.frequencies.map((x) => x.value);
  return { min: null, max: null, categories: values.includes(OTHER) ? null : new Set(values) };
}

/**
 * A reference from raw values of a log window (as read by PredictionLogReader); numeric columns already
 * sorted (by the sort pool) are taken from `sorted`, the others sorted here.
 */
export function windowReference(
  features: LogFeature[],
  values: Map<string, (number | string | null)[]>,
  rows: number,
  sorted: ReadonlyMap<string, NumericColumn> = new Map(),
): Reference {
  const columns = new Map<string, ReferenceColumn>();
  const bounds = new Map<string, ReferenceBounds>();
  for (const [key, vals] of values) {
    const f = features.find((x) => (x.source === "output" ? `prediction.${x.name}` : x.name) === key);
    if (!f) continue;
    if (f.type === "numeric") {
      const column = sorted.get(key) ?? numericColumn(vals as (number | null)[]);
      columns.set(key, { kind: "numeric", column });
      const s = column.sorted;
      bounds.set(key, {
        min: s.length ? s[0]! : null,
        max: s.length ? s[s.length - 1]! : null,
        categories: null,
      });
    } else {
      const column: CategoricalColumn = categoricalColumn(vals);
      columns.set(key, { kind: "categorical", column });
      bounds.set(key, { min: null, max: null, categories: new Set(column.counts.keys()) });
    }
  }
  return { source: "window", columns, bounds, rows };
}
