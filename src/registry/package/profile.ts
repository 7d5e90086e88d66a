import { GyreError } from "../../core/index.js";
import { histogramSorted, meanStd, PROFILE_QUANTILES, quantileSorted } from "./numeric-stats.js";
import type { FeatureProfile, FeatureSpec, ReferenceProfile } from "./schema.js";

/** Training data as rows (`[{distance: 310, origin: "ATL"}, …]`) or as columns (`{distance: [310, …]}`). */
export type ProfileData = readonly Record<string, unknown>[] | Readonly<Record<string, ArrayLike<unknown>>>;

/** Profile settings; the defaults suit monitoring with PSI and chi² over a few dozen buckets. */
export interface ProfileOptions {
  /** Equal-width histogram bins per numeric feature (default 10). */
  bins?: number;
  /** Categories kept by name per categorical feature, most frequent first (default 20); the rest are `__other__`. */
  topCategories?: number;
}

/** The bucket that sums the categories beyond `topCategories`. */
export const OTHER_CATEGORY = "__other__";

/**
 * The reference profile of `data` for `features`, in feature order. Pure and deterministic. Numeric
 * values must be numbers (null, undefined, NaN and ±Infinity count as missing); categorical values are
 * strings, numbers or booleans (null and undefined are missing). Throws REQUEST_INVALID on other values,
 * on a column that is absent, or on columns of different lengths.
 */
export function computeProfile(
  data: ProfileData,
  features: readonly FeatureSpec[],
  options: ProfileOptions = {},
): ReferenceProfile {
  const bins = options.bins ?? 10;
  const top = options.topCategories ?? 20;
  if (!Number.isInteger(bins) || bins < 1) throw invalidOption("bins", bins);
  if (!Number.isInteger(top) || top < 0) throw invalidOption("topCategories", top);
  const rowCount = countRows(data, features);
  const profiles = features.map((feature, i): FeatureProfile => {
    const values = columnOf(data, feature.name, rowCount);
    const at = `features[${i}]`;
    return feature.type === "numeric"
      ? numericProfile(feature.name, values, rowCount, bins, at)
      : categoricalProfile(feature.name, values, rowCount, top, at);
  });
  return { rowCount, features: profiles };
}

function invalidOption(option: string, value: number): GyreError {
  return new GyreError("REQUEST_INVALID", `Profile option ${option} must be a whole number, got ${value}`, {
    field: option,
  });
}

function countRows(data: ProfileData, features: readonly FeatureSpec[]): number {
  if (Array.isArray(data)) return data.length;
  const columns = data as Readonly<Record<string, ArrayLike<unknown>>>;
  let rows: number | undefined;
  for (const [i, f] of features.entries()) {
    const column = Object.hasOwn(columns, f.name) ? columns[f.name] : undefined;
    if (column === undefined) {
      throw new GyreError("REQUEST_INVALID", `No column '${f.name}' in the data to profile`, {
        field: `features[${i}].name`,
      });
    }
    if (rows !== undefined && column.length !== rows) {
      throw new GyreError(
        "REQUEST_INVALID",
        `Column '${f.name}' has ${column.length} values, others ${rows}`,
        {
          field: `features[${i}].name`,
        },
      );
    }
    rows = column.length;
  }
  return rows ?? 0;
}

function columnOf(data: ProfileData, name: string, rows: number): (i: number) => unknown {
  if (Array.isArray(data)) {
    const records = data as readonly Record<string, unknown>[];
    return (i) => records[i]?.[name];
  }
  const column = (data as Readonly<Record<string, ArrayLike<unknown>>>)[name]!;
  return (i) => (i < rows ? column[i] : undefined);
}

function numericProfile(
  name: string,
  value: (i: number) => unknown,
  rows: number,
  bins: number,
  at: string,
): FeatureProfile {
  const present = new Float64Array(rows);
  let count = 0;
  for (let i = 0; i < rows; i++) {
    const v = value(i);
    if (typeof v === "number" || typeof v === "bigint") {
      const n = Number(v);
      if (Number.isFinite(n)) present[count++] = n;
    } else if (v != null) throw badValue(name, i, v, "numbers", at);
  }
  const base = { name, type: "numeric" as const, count, missing: rows - count };
  if (count === 0) {
    return { ...base, mean: null, std: null, min: null, max: null, quantiles: null, histogram: null };
  }
  const sorted = present.subarray(0, count).sort();
  const quantiles = Object.fromEntries(
    Object.entries(PROFILE_QUANTILES).map(([key, q]) => [key, quantileSorted(sorted, q)]),
  ) as Record<keyof typeof PROFILE_QUANTILES, number>;
  return {
    ...base,
    ...meanStd(sorted),
    min: sorted[0]!,
    max: sorted[count - 1]!,
    quantiles,
    histogram: histogramSorted(sorted, bins),
  };
}

function categoricalProfile(
  name: string,
  value: (i: number) => unknown,
  rows: number,
  top: number,
  at: string,
): FeatureProfile {
  const counts = new Map<string, number>();
  let missing = 0;
  for (let i = 0; i < rows; i++) {
    const v = value(i);
    if (v == null) missing++;
    else if (
      typeof v === "string" ||
      typeof v === "number" ||
      typeof v === "boolean" ||
      typeof v === "bigint"
    ) {
      const key = String(v);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    } else throw badValue(name, i, v, "strings, numbers or booleans", at);
  }
  const ranked = [...counts].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0));
  const frequencies = ranked.slice(0, top).map(([v, c]) => ({ value: v, count: c }));
  const other = ranked.slice(top).reduce((sum, [, c]) => sum + c, 0);
  if (other > 0) frequencies.push({ value: OTHER_CATEGORY, count: other });
  return { name, type: "categorical", count: rows - missing, missing, distinct: counts.size, frequencies };
}

function badValue(name: string, row: number, v: unknown, expected: string, at: string): GyreError {
  const got = Array.isArray(v) ? "array" : typeof v;
  return new GyreError("REQUEST_INVALID", `Feature '${name}' row ${row} is a ${got}; it takes ${expected}`, {
    field: `${at}.name`,
  });
}
