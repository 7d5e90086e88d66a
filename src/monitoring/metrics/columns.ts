/**
 * The column summaries drift metrics compare. A reference is raw values (a window of the log), a binned
 * histogram (a model package's training profile) or category counts; a current window is raw values or
 * category counts. Raw numeric values are sorted once, on construction.
 */
import { type NumericColumn, numericColumn } from "./sort.js";

export type { NumericColumn } from "./sort.js";

/** Category → count, plus values that were null/missing. */
export interface CategoricalColumn {
  readonly counts: ReadonlyMap<string, number>;
  readonly missing: number;
}

/** A numeric reference known only by its histogram (equal-width bins from the training profile). */
export interface BinnedColumn {
  /** Ascending bin edges; bins are [e_i, e_i+1), the last closed. */
  readonly edges: readonly number[];
  readonly counts: readonly number[];
  readonly std: number | null;
  readonly missing: number;
}

/** Reference side of a comparison. */
export type ReferenceColumn =
  | { kind: "numeric"; column: NumericColumn }
  | { kind: "binned"; column: BinnedColumn }
  | { kind: "categorical"; column: CategoricalColumn };

/** Current side of a comparison. */
export type CurrentColumn =
  | { kind: "numeric"; column: NumericColumn }
  | { kind: "categorical"; column: CategoricalColumn };

/** Counts the non-null values of `values` as strings (numbers and booleans stringified). */
export function categoricalColumn(values: ArrayLike<unknown>): CategoricalColumn {
  const counts = new Map<string, number>();
  let missing = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || (typeof v === "number" && Number.isNaN(v))) {
      missing++;
      continue;
    }
    const key = typeof v === "string" ? v : JSON.stringify(v);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return { counts, missing };
}

/** Number of non-missing values of either side. */
export function presentCount(c: ReferenceColumn | CurrentColumn): number {
  if (c.kind === "numeric") return c.column.sorted.length;
  if (c.kind === "binned") return c.column.counts.reduce((a, b) => a + b, 0);
  let n = 0;
  for (const v of c.column.counts.values()) n += v;
  return n;
}

/** Number of distinct values of a reference (bins of a histogram count as values). */
export function distinctCount(c: ReferenceColumn): number {
  if (c.kind === "categorical") return c.column.counts.size;
  if (c.kind === "binned") return c.column.counts.filter((n) => n > 0).length;
  const s = c.column.sorted;
  let d = s.length > 0 ? 1 : 0;
  for (let i = 1; i < s.length; i++) if (s[i] !== s[i - 1]) d++;
  return d;
}

/** Aligned count vectors over the union of categories: reference categories first, then unseen ones. */
export function alignCategories(
  reference: CategoricalColumn,
  current: CategoricalColumn,
): { categories: string[]; reference: Float64Array; current: Float64Array; unseen: string[] } {
  const categories = [...reference.counts.keys()];
  const unseen = [...current.counts.keys()].filter((k) => !reference.counts.has(k));
  categories.push(...unseen);
  const r = Float64Array.from(categories, (k) => reference.counts.get(k) ?? 0);
  const c = Float64Array.from(categories, (k) => current.counts.get(k) ?? 0);
  return { categories, reference: r, current: c, unseen };
}

export { numericColumn };
