import { GyreError } from "../core/errors.js";
import type { OfflineView } from "./offline-store.js";
import type {
  EntityDef,
  FeatureDefinition,
  FeatureServiceDef,
  FeatureType,
  FeatureViewDef,
  KeyType,
  OnDemandFeatureViewDef,
  SourceDef,
  StoredDefinition,
} from "./types.js";

/** One requested feature: `view:feature`, its type, and whether an on-demand view computes it. */
export interface FeatureRef {
  ref: string;
  view: string;
  feature: string;
  type: FeatureType;
  onDemand: boolean;
}

type Spec<T> = Omit<T, "compute">;

/** A consistent set of definitions (applied or from code) with the lookups every operation needs. */
export class Catalog {
  readonly entities = new Map<string, Spec<EntityDef>>();
  readonly sources = new Map<string, SourceDef>();
  readonly views = new Map<string, FeatureViewDef>();
  readonly services = new Map<string, FeatureServiceDef>();
  readonly onDemand = new Map<string, Spec<OnDemandFeatureViewDef>>();
  /** Applied version of each definition by `kind:name` (0 for definitions from code). */
  readonly versions = new Map<string, number>();

  constructor(defs: Array<FeatureDefinition | StoredDefinition>) {
    for (const d of defs) {
      const spec = ("spec" in d ? d.spec : d) as unknown as FeatureDefinition;
      const maps: Record<string, Map<string, unknown>> = {
        entity: this.entities,
        source: this.sources,
        featureView: this.views,
        featureService: this.services,
        onDemandFeatureView: this.onDemand,
      };
      const map = maps[spec.kind]!;
      if (map.has(spec.name))
        throw new GyreError(
          "FEATURES_DEFINITION_INVALID",
          `Two ${spec.kind} definitions are named '${spec.name}'; rename one`,
          {
            field: `${spec.name}.name`,
          },
        );
      map.set(spec.name, spec);
      this.versions.set(`${spec.kind}:${spec.name}`, "version" in d ? d.version : 0);
    }
  }

  /** The view named `name`; throws FEATURES_VIEW_NOT_FOUND listing the known views. */
  view(name: string, field = "features"): FeatureViewDef {
    const v = this.views.get(name);
    if (v) return v;
    const known =
      [...this.views.keys(), ...this.onDemand.keys()].join(", ") || "none — run `gyre features apply`";
    throw new GyreError(
      "FEATURES_VIEW_NOT_FOUND",
      `Feature view '${name}' is not registered (known: ${known})`,
      { field },
    );
  }

  /** The join keys of a view's entity, in a fixed order (sorted by name). */
  keysOf(view: FeatureViewDef): Array<{ name: string; type: KeyType }> {
    const entity = this.entities.get(view.entity);
    if (!entity)
      throw new GyreError(
        "FEATURES_DEFINITION_INVALID",
        `Feature view '${view.name}' names unknown entity '${view.entity}'`,
        {
          field: `${view.name}.entity`,
        },
      );
    return Object.entries(entity.joinKeys)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, type]) => ({ name, type }));
  }

  /** The view as the offline store takes it. */
  offlineView(view: FeatureViewDef, features?: string[]): OfflineView {
    const names = features ?? Object.keys(view.features);
    return {
      name: view.name,
      keys: this.keysOf(view),
      source: view.source,
      sql: view.sql,
      timestampField: view.timestampField,
      createdTimestampField: view.createdTimestampField,
      ttlSeconds: view.ttlSeconds,
      features: names.map((n) => ({ name: n, type: view.features[n]! })),
    };
  }

  /** Resolves `view:feature` / `view` references, or a feature service's, in order without duplicates. */
  resolve(req: { features?: string[] | undefined; featureService?: string | undefined }): FeatureRef[] {
    let refs = req.features;
    let field = "features";
    if (req.featureService !== undefined) {
      const svc = this.services.get(req.featureService);
      if (!svc)
        throw new GyreError(
          "FEATURES_SERVICE_NOT_FOUND",
          `Feature service '${req.featureService}' is not registered (known: ${[...this.services.keys()].join(", ") || "none"})`,
          {
            field: "featureService",
          },
        );
      refs = svc.features;
      field = `${svc.name}.features`;
    }
    if (!refs || refs.length === 0)
      throw new GyreError(
        "FEATURES_FEATURE_NOT_FOUND",
        "Name the features (`view:feature`) or a feature service",
        { field: "features" },
      );
    const out = new Map<string, FeatureRef>();
    refs.forEach((ref, i) => {
      for (const r of this.#expand(ref, `${field}[${i}]`)) out.set(r.ref, r);
    });
    return [...out.values()];
  }

  #expand(ref: string, field: string): FeatureRef[] {
    const [viewName, feature, extra] = ref.split(":");
    if (!viewName || extra !== undefined)
      throw new GyreError(
        "FEATURES_FEATURE_NOT_FOUND",
        `'${ref}' is not a feature reference; write view:feature`,
        { field },
      );
    const od = this.onDemand.get(viewName);
    const features: Record<string, FeatureType> = od ? od.features : this.view(viewName, field).features;
    const names = feature === undefined ? Object.keys(features) : [feature];
    return names.map((f) => {
      const type = features[f];
      if (!type)
        throw new GyreError(
          "FEATURES_FEATURE_NOT_FOUND",
          `Feature '${f}' is not in view '${viewName}' (it has: ${Object.keys(features).join(", ")})`,
          {
            field,
          },
        );
      return { ref: `${viewName}:${f}`, view: viewName, feature: f, type, onDemand: od !== undefined };
    });
  }
}
