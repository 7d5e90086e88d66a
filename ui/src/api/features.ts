/** The feature store's public REST routes (/api/v1/features/…): applied definitions and view statistics. */
import type {
  EntityDef,
  FeatureServiceDef,
  FeatureViewDef,
  OnDemandFeatureViewDef,
  SourceDef,
  StoredDefinition,
  ViewStats,
} from "../../../src/features/types.js";
import { request } from "./client.js";

const F = "/api/v1/features";

export type { FeatureType, ViewStats } from "../../../src/features/types.js";
export type EntitySpec = EntityDef;
export type SourceSpec = SourceDef;
export type ViewSpec = FeatureViewDef;
export type ServiceSpec = FeatureServiceDef;

/** An on-demand view as stored: its function's source text instead of the function. */
export type OnDemandSpec = Omit<OnDemandFeatureViewDef, "compute"> & { compute: string };

export type Spec = EntitySpec | SourceSpec | ViewSpec | ServiceSpec | OnDemandSpec;

/** One applied definition: the registry's record with `spec` typed by kind (the server has it as a plain record). */
export interface Definition<S extends Spec = Spec> extends Omit<StoredDefinition, "kind" | "spec"> {
  kind: S["kind"];
  spec: S;
}

export function listDefinitions(
  signal?: AbortSignal,
): Promise<{ revision: number; definitions: Definition[] }> {
  return request(`${F}/definitions`, { signal });
}

export function getDefinition(name: string, signal?: AbortSignal): Promise<Definition> {
  return request(`${F}/definitions/${encodeURIComponent(name)}`, { signal });
}

export function viewStats(name: string, signal?: AbortSignal): Promise<ViewStats> {
  return request(`${F}/views/${encodeURIComponent(name)}/stats`, { signal });
}

/** Definitions of one kind, typed. */
export function ofKind<K extends Spec["kind"]>(
  defs: Definition[],
  kind: K,
): Definition<Extract<Spec, { kind: K }>>[] {
  return defs.filter((d) => d.kind === kind) as Definition<Extract<Spec, { kind: K }>>[];
}

/** "2 h", "7 d", "10000 w"; "never expires" for 0. */
export function formatTtl(seconds: number): string {
  if (seconds === 0) return "never expires";
  const units: Array<[number, string]> = [
    [604_800, "w"],
    [86_400, "d"],
    [3600, "h"],
    [60, "min"],
  ];
  for (const [size, unit] of units) if (seconds % size === 0) return `${seconds / size} ${unit}`;
  return `${seconds} s`;
}
