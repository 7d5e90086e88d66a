/** Pipeline status events (types only, so the web UI can import them). */
import type { PipelineRunStatus, StepStatus } from "./types.js";

/** A status change, as streamed to listeners (CLI live view, server-sent events). */
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
