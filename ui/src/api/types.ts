/**
 * JSON shapes of gyre's native REST API (`/api/v1`), as the UI reads them, from the server's own types
 * (`import type` only: erased by Vite). Times are ms since the epoch.
 */

import type {
  LineageEdge,
  LineageNode,
  LineageGraph as ServerLineageGraph,
  ModelVersion as ServerModelVersion,
  RegisteredModel as ServerRegisteredModel,
} from "../../../src/registry/types.js";
import type { PipelineRunView } from "../../../src/server/native/pipeline-types.js";

export type { ArtifactEntry } from "../../../src/artifacts/entry-types.js";
export type {
  Dataset,
  Experiment,
  Page,
  RunStatus,
  Tag,
} from "../../../src/metadata/types.js";
/** A metric value; non-finite doubles travel as strings ("NaN", "Infinity"). */
export type { WireMetric as Metric, WireRun as Run } from "../../../src/metadata/wire-types.js";

/** A version as the UI reads it: `signature` (stored JSON, `unknown` on the server) typed as Signature. */
export type ModelVersion = Omit<ServerModelVersion, "signature"> & { signature: Signature | null };

/**
 * Hand-made: the server keeps the signature as whatever JSON the registration validator reported (`unknown`);
 * the package's zod-inferred ModelSignature lives in a file that needs node:path. Lenient on purpose.
 */
export interface Signature {
  inputs?: Array<{ name: string; dtype: string; shape: number[] }>;
  outputs?: Array<{ name: string; dtype: string; shape: number[] }>;
  features?: Array<{ name: string; type: string; categories?: string[] }>;
}

export type RegisteredModel = Omit<ServerRegisteredModel, "latestVersions"> & {
  latestVersions: ModelVersion[];
};

export type { AliasEvent, AliasHistory } from "../../../src/registry/types.js";

/** The server's lineage graph, with node and edge kinds widened: the UI adds deployments and monitors downstream. */
export interface LineageGraph extends Omit<ServerLineageGraph, "nodes" | "edges"> {
  nodes: Array<Omit<LineageNode, "kind"> & { kind: LineageNode["kind"] | "deployment" | "monitor" }>;
  edges: Array<Omit<LineageEdge, "kind"> & { kind: LineageEdge["kind"] | "serves" | "watched by" }>;
}

/** One Server-Sent Event of `/api/v1/pipelines/runs/<id>/events`. */
export type { PipelineEvent } from "../../../src/pipelines/event-types.js";
export type { StepRecord } from "../../../src/pipelines/store.js";
export type {
  ParamSpec,
  PipelinePlan,
  PipelineRunStatus,
  PlanStep,
  StepStatus,
} from "../../../src/pipelines/types.js";

export type { PipelineSummary } from "../../../src/server/native/pipeline-types.js";

/** A pipeline run without its plan; only run lists say what started it (`startedBy`). */
export type PipelineRun = PipelineRunView & { startedBy?: string };
