import type { PipelinePlan, StepRecord, StepStatus } from "../../api/types.js";
import type { GraphEdge, GraphNode } from "../../components/Graph.js";
import { formatDuration } from "../../lib/format.js";

/** The state of one plan step: its own record, or a summary of its fan-out instances `id[i]`. */
export interface StepView {
  id: string;
  status: StepStatus;
  record: StepRecord | undefined;
  instances: StepRecord[];
}

const RANK: StepStatus[] = ["FAILED", "RUNNING", "CANCELLED", "PENDING", "SKIPPED", "SUCCEEDED", "CACHED"];

export function stepViews(plan: PipelinePlan, steps: Map<string, StepRecord>): StepView[] {
  return plan.steps.map((p) => {
    const record = steps.get(p.id);
    const instances = [...steps.values()].filter((s) => s.planStep === p.id && s.stepId !== p.id);
    const status =
      record?.status ??
      (instances.length ? RANK.find((r) => instances.some((i) => i.status === r))! : "PENDING");
    return { id: p.id, status, record, instances };
  });
}

/** Nodes (coloured by status, with duration and cache hits) and edges of a plan's DAG. */
export function dagOf(
  plan: PipelinePlan,
  views: StepView[],
  now: number,
): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const byId = new Map(views.map((v) => [v.id, v]));
  const nodes = plan.steps.map((p) => {
    const v = byId.get(p.id);
    const r = v?.record;
    const took = r?.startedTime ? formatDuration((r.endedTime ?? now) - r.startedTime) : "";
    const fan = v?.instances.length
      ? ` · ${v.instances.filter((i) => i.status === "SUCCEEDED" || i.status === "CACHED").length}/${v.instances.length}`
      : "";
    const status = v?.status ?? "PENDING";
    return {
      id: p.id,
      className: `status-${status.toLowerCase()}`,
      label: (
        <div className="node-label" data-testid={`step-${p.id}`} data-status={status}>
          <span className="node-title">{p.id}</span>
          <span className="node-kind">
            {status}
            {fan}
            {took ? ` · ${took}` : ""}
            {r && r.attempt > 1 ? ` · try ${r.attempt}` : ""}
          </span>
        </div>
      ),
    };
  });
  const edges = plan.steps.flatMap((p) =>
    p.dependsOn.map((d) => ({ from: d, to: p.id, animated: byId.get(p.id)?.status === "RUNNING" })),
  );
  return { nodes, edges };
}
