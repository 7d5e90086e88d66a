// Not the metadata barrel: the web UI imports these types and must not pull in the SQL stores.
import type { FilterExpr, OrderKey } from "../metadata/search/ast.js";
import type { Page, Tag } from "../metadata/types.js";

export type { Page, Tag };

/** A model version's registration state: PENDING_REGISTRATION while validated, then READY or FAILED_REGISTRATION. */
export const MODEL_VERSION_STATUSES = ["PENDING_REGISTRATION", "READY", "FAILED_REGISTRATION"] as const;
export type ModelVersionStatus = (typeof MODEL_VERSION_STATUSES)[number];

/** MLflow's deprecated stages. gyre keeps every version in "None" and uses aliases instead. */
export const MODEL_STAGES = ["None", "Staging", "Production", "Archived"] as const;

/** An alias (`champion`, `challenger`, …) and the version it points to. */
export interface ModelAlias {
  alias: string;
  version: number;
}

/** A registered model. Timestamps are ms since the Unix epoch (UTC). */
export interface RegisteredModel {
  name: string;
  description: string | null;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  tags: Tag[];
  /** Sorted by alias name. */
  aliases: ModelAlias[];
  /** The newest version (MLflow's latest version of stage "None"), whatever its status; empty when none. */
  latestVersions: ModelVersion[];
}

/** One version of a registered model. `version` counts from 1 per model and is never reused. */
export interface ModelVersion {
  name: string;
  version: number;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  userId: string;
  /** Always "None": stages are deprecated in MLflow; aliases replace them. */
  currentStage: string;
  description: string | null;
  /** The URI given at registration, e.g. `runs:/<run_id>/model` or `mlflow-artifacts:/…`. */
  source: string;
  runId: string | null;
  runLink: string | null;
  /** Where the model's files are: `source` with `runs:/` resolved to the run's artifact root. */
  artifactLocation: string;
  status: ModelVersionStatus;
  /** Why registration failed (`CODE: message`), or null. */
  statusMessage: string | null;
  /** e.g. "onnx", "tfjs"; null until a registration validator reports it. */
  flavor: string | null;
  /** The model signature as JSON (inputs/outputs), when the validator reported one. */
  signature: unknown;
  tags: Tag[];
  /** Names of the aliases pointing at this version, sorted. */
  aliases: string[];
}

/**
 * One change of an alias: set (from null), move (from → to) or delete (to null). `timestamp` is ms since the
 * epoch; `seq` orders events that share a timestamp.
 */
export interface AliasEvent {
  seq: number;
  name: string;
  alias: string;
  fromVersion: number | null;
  toVersion: number | null;
  userId: string;
  timestamp: number;
  reason: string | null;
}

/** An alias's history up to `at` (or now), and the version it pointed to at that moment (null: unset). */
export interface AliasHistory {
  name: string;
  alias: string;
  at: number | null;
  version: number | null;
  /** Oldest first. */
  events: AliasEvent[];
}

/** A node of the lineage graph. Ids are `kind:key`, e.g. `run:7f3a…`, `dataset:<digest>`, `model_version:flights/3`. */
export interface LineageNode {
  id: string;
  kind: "dataset" | "run" | "commit" | "model_version";
  label: string;
  attributes: Record<string, unknown>;
}

/** A directed edge in data-flow direction: dataset → run (input_to), commit → run (source_of), run → version (produced). */
export interface LineageEdge {
  from: string;
  to: string;
  kind: "input_to" | "source_of" | "produced";
}

/** The upstream graph of one model version. */
export interface LineageGraph {
  root: string;
  nodes: LineageNode[];
  edges: LineageEdge[];
}

/** What a registration validator learns about a model (the package component's ONNX check provides one). */
export interface ValidatedModel {
  flavor?: string | null;
  signature?: unknown;
}

/** What a registration validator is given: the version being registered and where its files are. */
export interface VersionSource {
  name: string;
  version: number;
  source: string;
  artifactLocation: string;
  runId: string | null;
}

/**
 * Checks a model's files at registration. Resolves with its flavor and signature, or throws (a GyreError
 * whose code and message become the version's status_message).
 */
export type RegistrationValidator = (source: VersionSource) => Promise<ValidatedModel>;

/** A new registered model as the store writes it (already validated). */
export interface NewRegisteredModel {
  name: string;
  description: string | null;
  tags: Tag[];
}

/** A new model version as the store writes it; the store allocates `version`. */
export interface NewModelVersion {
  name: string;
  source: string;
  runId: string | null;
  runLink: string | null;
  artifactLocation: string;
  description: string | null;
  userId: string;
  status: ModelVersionStatus;
  tags: Tag[];
}

/** Changes to a model version; absent fields stay as they are. */
export interface ModelVersionChange {
  description?: string | null;
  status?: ModelVersionStatus;
  statusMessage?: string | null;
  flavor?: string | null;
  signature?: unknown;
  setTags?: Tag[];
  deleteTags?: string[];
}

/** Changes to a registered model; absent fields stay as they are. */
export interface RegisteredModelChange {
  newName?: string;
  description?: string | null;
  setTags?: Tag[];
  deleteTags?: string[];
}

/** Who changes an alias and why (recorded in the alias history). */
export interface AliasChangeMeta {
  userId: string;
  reason: string | null;
}

/** A search as the store runs it: filter parsed, paging by offset. */
export interface StoreRegistryQuery {
  filter: FilterExpr | null;
  orderBy: OrderKey[];
  offset: number;
  limit: number;
}
