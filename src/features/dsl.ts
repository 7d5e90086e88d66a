import { GyreError } from "../core/errors.js";
import type {
  EntityDef,
  FeatureDefinition,
  FeatureServiceDef,
  FeatureType,
  FeatureViewDef,
  KeyType,
  OnDemandFeatureViewDef,
  SourceDef,
} from "./types.js";

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const FEATURE_TYPES: FeatureType[] = ["float", "int", "string", "bool"];
const KEY_TYPES: KeyType[] = ["string", "int"];
const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

function bad(what: string, field: string, message: string): GyreError {
  return new GyreError("FEATURES_DEFINITION_INVALID", `${what}: ${message}`, { field });
}

/** Checks an identifier (entity, view, feature, column): letters, digits and `_`, not starting with a digit. */
export function checkName(what: string, field: string, name: unknown): string {
  if (typeof name !== "string" || !NAME.test(name))
    throw bad(
      what,
      field,
      `'${String(name)}' is not a valid name; use letters, digits and _ (e.g. avg_delay_7d)`,
    );
  return name;
}

/** `"7d"`, `"12h"`, `"30m"`, `"45s"`, `"2w"` or a number of seconds → seconds; 0 means no TTL. */
export function parseTtl(ttl: string | number | undefined, field = "ttl"): number {
  if (ttl === undefined) return 0;
  if (typeof ttl === "number" && Number.isFinite(ttl) && ttl >= 0) return ttl;
  const m = typeof ttl === "string" ? /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(ttl.trim()) : null;
  if (!m)
    throw bad("TTL", field, `'${String(ttl)}' is not a duration; use e.g. "7d", "12h", "30m" or seconds`);
  return Number(m[1]) * (UNITS[m[2]!] ?? 1);
}

function checkTypes<T extends string>(what: string, field: string, types: Record<string, T>, allowed: T[]) {
  if (!types || typeof types !== "object" || Object.keys(types).length === 0)
    throw bad(what, field, "give at least one column with its type");
  for (const [k, t] of Object.entries(types)) {
    checkName(what, `${field}.${k}`, k);
    if (!allowed.includes(t))
      throw bad(what, `${field}.${k}`, `type '${String(t)}' is not one of ${allowed.join(", ")}`);
  }
}

/** An entity with its join keys, e.g. `defineEntity({ name: "airport", joinKeys: { origin: "string" } })`. */
export function defineEntity(def: Omit<EntityDef, "kind">): EntityDef {
  checkName(`Entity '${def.name}'`, "name", def.name);
  checkTypes(`Entity '${def.name}'`, "joinKeys", def.joinKeys, KEY_TYPES);
  return { kind: "entity", ...def };
}

/**
 * A file source (`path`: Parquet or CSV, globs allowed), a versioned `dataset` (latest, or `datasetVersion`), or a
 * DuckDB SQL `query` over other sources.
 */
export function defineSource(def: Omit<SourceDef, "kind">): SourceDef {
  const what = `Source '${def.name}'`;
  checkName(what, "name", def.name);
  const given = [def.path, def.query, def.dataset].filter((x) => x !== undefined).length;
  if (given !== 1)
    throw bad(
      what,
      "path",
      "give exactly one of `path` (a Parquet or CSV file), `dataset` (a registered dataset) or `query` (DuckDB SQL)",
    );
  const pinned = def.datasetVersion;
  if (pinned !== undefined && (def.dataset === undefined || !Number.isInteger(pinned) || pinned < 1))
    throw bad(
      what,
      "datasetVersion",
      "`datasetVersion` pins a dataset version: a positive integer, with `dataset`",
    );
  if (def.dataset !== undefined) return { kind: "source", ...def };
  const format = def.format ?? (def.path?.toLowerCase().endsWith(".csv") ? "csv" : "parquet");
  return def.path === undefined ? { kind: "source", ...def } : { kind: "source", ...def, format };
}

/** A feature view; `ttl` accepts `"7d"`-style durations or seconds. */
export function defineFeatureView(
  def: Omit<FeatureViewDef, "kind" | "ttlSeconds"> & { ttl?: string | number },
): FeatureViewDef {
  const { ttl, ...rest } = def;
  const what = `Feature view '${def.name}'`;
  checkName(what, "name", def.name);
  checkName(what, "entity", def.entity);
  checkName(what, "source", def.source);
  checkName(what, "timestampField", def.timestampField);
  if (def.createdTimestampField !== undefined)
    checkName(what, "createdTimestampField", def.createdTimestampField);
  checkTypes(what, "features", def.features, FEATURE_TYPES);
  return { kind: "featureView", ...rest, ttlSeconds: parseTtl(ttl, `${def.name}.ttl`) };
}

/** A feature service: the features one model uses, as `view:feature` or `view` references. */
export function defineFeatureService(def: Omit<FeatureServiceDef, "kind">): FeatureServiceDef {
  checkName(`Feature service '${def.name}'`, "name", def.name);
  if (!Array.isArray(def.features) || def.features.length === 0)
    throw bad(`Feature service '${def.name}'`, "features", "list at least one `view:feature` reference");
  return { kind: "featureService", ...def };
}

/** Features computed per request by `compute` from request fields and other features. */
export function defineOnDemandFeatureView(def: Omit<OnDemandFeatureViewDef, "kind">): OnDemandFeatureViewDef {
  const what = `On-demand feature view '${def.name}'`;
  checkName(what, "name", def.name);
  checkTypes(what, "features", def.features, FEATURE_TYPES);
  if (Object.keys(def.request ?? {}).length > 0) checkTypes(what, "request", def.request, FEATURE_TYPES);
  if (typeof def.compute !== "function") throw bad(what, "compute", "give a function (row) => features");
  return { kind: "onDemandFeatureView", ...def, request: def.request ?? {} };
}

const KINDS = new Set(["entity", "source", "featureView", "featureService", "onDemandFeatureView"]);

/** True for anything the define* helpers return. */
export function isDefinition(v: unknown): v is FeatureDefinition {
  return typeof v === "object" && v !== null && KINDS.has((v as { kind?: string }).kind ?? "");
}
