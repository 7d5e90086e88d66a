/**
 * Data quality of one window, per feature: missing values, type violations (schema), values outside the
 * reference's range, categories the reference never saw; plus input keys the model's schema does not declare.
 */
import type { ReferenceBounds } from "./reference.js";
import type { FeatureQuality } from "./report-types.js";

export type { FeatureQuality } from "./report-types.js";

/** Quality of one feature's values in a window against the reference bounds (when known). */
export function featureQuality(
  values: readonly (number | string | null)[],
  missing: number,
  typeErrors: number,
  bounds: ReferenceBounds | undefined,
): FeatureQuality {
  const rows = values.length;
  let outOfRange = 0;
  const unseen = new Map<string, number>();
  for (const v of values) {
    if (v === null) continue;
    if (typeof v === "number") {
      if (bounds?.min != null && v < bounds.min) outOfRange++;
      else if (bounds?.max != null && v > bounds.max) outOfRange++;
    } else if (bounds?.categories && !bounds.categories.has(v)) {
      unseen.set(v, (unseen.get(v) ?? 0) + 1);
    }
  }
  const unseenCategories = [...unseen.entries()]
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1))
    .slice(0, 20);
  const unseenCount = [...unseen.values()].reduce((a, b) => a + b, 0);
  return {
    rows,
    missing,
    missingShare: rows ? missing / rows : 0,
    typeErrors,
    outOfRange,
    unseenCategories,
    unseenCount,
  };
}
