/** The feature store's public REST routes (/api/v1/features/…): applied definitions and view statistics. */
import { request } from "./client.js";

const F = "/api/v1/features";

export type FeatureType = "float" | "int" | "string" | "bool";

export interface EntitySpec {
  kind: "entity";
  name: string;
  joinKeys: Record<string, string>;
  description?: string;
}

export interface SourceSpec {
  kind: "source";
  name: string;
  path?: string;
  format?: string;
  query?: string;
  dataset?: string;
  datasetVersion?: number;
  description?: string;
}

export interface ViewSpec {
  kind: "featureView";
  name: string;
  entity: string;
  source: string;
  timestampField: string;
  createdTimestampField?: string;
  /** 0: values never expire. */
  ttlSeconds: number;
  features: Record<string, FeatureType>;
  sql?: string;
  description?: string;
  tags?: Record<string, string>;
}

export interface ServiceSpec {
  kind: "featureService";
  name: string;
  features: string[];
  description?: string;
}

export interface OnDemandSpec {
  kind: "onDemandFeatureView";
  name: string;
  inputs: string[];
  request: Record<string, FeatureType>;
  features: Record<string, FeatureType>;
  compute?: string;
  description?: string;
}

export type Spec = EntitySpec | SourceSpec | ViewSpec | ServiceSpec | OnDemandSpec;

/** One applied definition: its spec plus registry bookkeeping. */
export interface Definition<S extends Spec = Spec> {
  kind: S["kind"];
  name: string;
  version: number;
  digest: string;
  spec: S;
  createdTime: number;
}

export interface ViewStats {
  view: string;
  rowCount: number;
  latestEventTime: number | null;
  watermark: number | null;
  onlineRows: number;
  features: Array<{
    name: string;
    type: FeatureType;
    nullRate: number;
    min?: number | null;
    max?: number | null;
    mean?: number | null;
    top?: Array<{ value: string; count: number }>;
  }>;
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
