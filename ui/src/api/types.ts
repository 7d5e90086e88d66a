/** JSON shapes of gyre's native REST API (`/api/v1`), as the UI reads them. Times are ms since the epoch. */

export interface Tag {
  key: string;
  value: string;
}

/** A metric value; non-finite doubles travel as strings ("NaN", "Infinity"). */
export interface Metric {
  key: string;
  value: number | string;
  timestamp: number;
  step: number;
}

export interface Experiment {
  experimentId: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: "active" | "deleted";
  creationTime: number;
  lastUpdateTime: number;
  tags: Tag[];
}

export type RunStatus = "RUNNING" | "SCHEDULED" | "FINISHED" | "FAILED" | "KILLED";

export interface Dataset {
  name: string;
  digest: string;
  sourceType: string;
  source: string;
  schema?: string | null;
  profile?: string | null;
}

export interface Run {
  info: {
    runId: string;
    runName: string;
    experimentId: string;
    userId: string;
    status: RunStatus;
    startTime: number;
    endTime: number | null;
    artifactUri: string;
    lifecycleStage: "active" | "deleted";
    parentRunId: string | null;
  };
  data: { metrics: Metric[]; params: Tag[]; tags: Tag[] };
  inputs: { datasetInputs: Array<{ tags: Tag[]; dataset: Dataset }> };
}

export interface Page<T> {
  items: T[];
  nextPageToken: string | null;
}

export interface ArtifactEntry {
  path: string;
  isDir: boolean;
  size?: number;
}

export interface ModelVersion {
  name: string;
  version: number;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  userId: string;
  description: string | null;
  source: string;
  runId: string | null;
  artifactLocation: string;
  status: string;
  statusMessage: string | null;
  flavor: string | null;
  signature: Signature | null;
  tags: Tag[];
  aliases: string[];
}

export interface Signature {
  inputs?: Array<{ name: string; dtype: string; shape: number[] }>;
  outputs?: Array<{ name: string; dtype: string; shape: number[] }>;
  features?: Array<{ name: string; type: string; categories?: string[] }>;
}

export interface RegisteredModel {
  name: string;
  description: string | null;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  tags: Tag[];
  aliases: Array<{ alias: string; version: number }>;
  latestVersions: ModelVersion[];
}

export interface AliasEvent {
  seq: number;
  alias: string;
  fromVersion: number | null;
  toVersion: number | null;
  userId: string;
  timestamp: number;
  reason: string | null;
}

export interface AliasHistory {
  name: string;
  alias: string;
  version: number | null;
  events: AliasEvent[];
}

export interface LineageGraph {
  root: string;
  nodes: Array<{ id: string; kind: string; label: string; attributes: Record<string, unknown> }>;
  edges: Array<{ from: string; to: string; kind: string }>;
}

export type PipelineRunStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED";
export type StepStatus = "PENDING" | "RUNNING" | "SUCCEEDED" | "CACHED" | "FAILED" | "SKIPPED" | "CANCELLED";

export interface ParamSpec {
  type: string;
  default?: unknown;
  description?: string;
}

export interface PipelineSummary {
  name: string;
  params: Record<string, ParamSpec>;
  steps: number;
}

export interface PlanStep {
  id: string;
  name: string;
  group: string | null;
  run: { kind: string; [k: string]: unknown };
  dependsOn: string[];
  map: unknown;
  when: unknown;
  policy: { retries: number; timeoutMs: number | null; cache: boolean };
}

export interface PipelinePlan {
  name: string;
  description: string | null;
  params: Record<string, ParamSpec>;
  steps: PlanStep[];
}

export interface PipelineRun {
  runId: string;
  pipeline: string;
  experimentId: string;
  params: Record<string, unknown>;
  status: PipelineRunStatus;
  error: string | null;
  createdTime: number;
  updatedTime: number;
  endedTime: number | null;
  schedule: string | null;
  /** What started the run: "manual", "schedule …", "dataset trigger …", "alert of monitor …" (run lists only). */
  startedBy?: string;
}

export interface StepRecord {
  runId: string;
  stepId: string;
  planStep: string;
  item: number | null;
  status: StepStatus;
  attempt: number;
  trackingRunId: string | null;
  cacheKey: string | null;
  cachedFrom: string | null;
  error: { reason: string; message: string } | null;
  startedTime: number | null;
  endedTime: number | null;
}

/** One Server-Sent Event of `/api/v1/pipelines/runs/<id>/events`. */
export type PipelineEvent =
  | { type: "run"; runId: string; pipeline: string; status: PipelineRunStatus; error: string | null }
  | {
      type: "step";
      runId: string;
      stepId: string;
      status: StepStatus;
      attempt: number;
      error: string | null;
    };
