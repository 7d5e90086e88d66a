import type { FeatureStore } from "./service.js";

/** Feature values of one entity row by name: `view:feature` and, for convenience, the bare feature name. */
export type FeatureRow = Record<string, unknown>;

/**
 * The online lookup serving uses to enrich requests: one `getOnlineFeatures` call of the feature service
 * for all entity rows, each answered as `{ "view:feature": v, feature: v }` (bare names let a model's input
 * be named after the feature; with two views sharing a name, the later one in the service wins). Missing
 * and expired values are left out, so the request must carry them or fail validation.
 */
export function onlineFeatureLookup(store: Pick<FeatureStore, "getOnlineFeatures">) {
  return {
    async lookup(
      featureService: string,
      entityRows: Record<string, string | number>[],
    ): Promise<FeatureRow[]> {
      const res = await store.getOnlineFeatures({ entityRows, featureService });
      return res.results.map((r) => {
        const row: FeatureRow = {};
        res.featureNames.forEach((name, i) => {
          const cut = name.indexOf(":");
          if (cut < 0 || r.statuses[i] !== "PRESENT") return;
          row[name] = r.values[i];
          row[name.slice(cut + 1)] = r.values[i];
        });
        return row;
      });
    },
  };
}
