/** JSON shapes of the pipelines routes (types only, so the web UI can import them). */
import type { PipelineRunRecord, StepRecord } from "../../pipelines/store.js";
import type { PipelinePlan } from "../../pipelines/types.js";

/** One pipeline of `GET /pipelines`: its name, parameters and step count. */
export interface PipelineSummary extends Pick<PipelinePlan, "name" | "params"> {
  steps: number;
}

/** A pipeline of `GET /pipelines/:name`: its parameters and compiled plan. */
export interface PipelineDetail extends Pick<PipelinePlan, "name" | "description" | "params"> {
  plan: PipelinePlan;
}

/** A pipeline run without its (large) plan. */
export type PipelineRunView = Omit<PipelineRunRecord, "plan">;

/** `GET /pipelines/runs`: runs with what started each ("manual", "schedule …", "alert of monitor …"). */
export interface PipelineRunList {
  runs: Array<PipelineRunView & { startedBy: string }>;
}

/** `GET /pipelines/runs/:runId`: the run and the state of each step. */
export interface PipelineRunWithSteps {
  run: PipelineRunView;
  steps: StepRecord[];
}
