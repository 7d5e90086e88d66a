import { useEffect, useMemo, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { cancelRun, resumeRun, runPlan, runStatus, startRun, watchRun } from "../../api/pipelines.js";
import type { PipelineRun, StepRecord } from "../../api/types.js";
import { Graph } from "../../components/Graph.js";
import { ErrorBox, Facts, Loading, StatusBadge } from "../../components/Status.js";
import { formatDuration, formatTime } from "../../lib/format.js";
import { useApi } from "../../lib/use-api.js";
import { dagOf, stepViews } from "./dag.js";
import { StepPanel } from "./StepPanel.js";
import { StepsTable } from "./StepsTable.js";

/**
 * Live state of a run: the stored status first, then Server-Sent Events; on every event the step records
 * are re-read (they carry times, attempts, cache hits), at most once per event burst.
 */
function useLiveRun(runId: string) {
  const [state, setState] = useState<{ run?: PipelineRun; steps: Map<string, StepRecord>; error?: Error }>({
    steps: new Map(),
  });
  useEffect(() => {
    let closed = false;
    let pending: Promise<void> | null = null;
    let again = false;
    const refresh = (): void => {
      if (pending) {
        again = true;
        return;
      }
      pending = runStatus(runId)
        .then((s) => {
          if (!closed) setState({ run: s.run, steps: new Map(s.steps.map((x) => [x.stepId, x])) });
        })
        .catch((error: Error) => {
          if (!closed) setState((p) => ({ ...p, error }));
        })
        .finally(() => {
          pending = null;
          if (again && !closed) {
            again = false;
            refresh();
          }
        });
    };
    refresh();
    const stop = watchRun(runId, (e) => {
      setState((p) => {
        if (e.type === "run")
          return p.run ? { ...p, run: { ...p.run, status: e.status, error: e.error } } : p;
        const prev = p.steps.get(e.stepId);
        const steps = new Map(p.steps);
        steps.set(e.stepId, {
          ...(prev ?? blankStep(runId, e.stepId)),
          status: e.status,
          attempt: e.attempt,
        });
        return { ...p, steps };
      });
      refresh();
    });
    return () => {
      closed = true;
      stop();
    };
  }, [runId]);
  return state;
}

function blankStep(runId: string, stepId: string): StepRecord {
  const m = /^(.*)\[(\d+)\]$/.exec(stepId);
  return {
    runId,
    stepId,
    planStep: m ? m[1]! : stepId,
    item: m ? Number(m[2]) : null,
    status: "PENDING",
    attempt: 0,
    trackingRunId: null,
    cacheKey: null,
    cachedFrom: null,
    outputs: null,
    error: null,
    startedTime: null,
    endedTime: null,
  };
}

/** A pipeline run: live DAG (SSE), step details and logs (URL `step`), re-run, resume and cancel. */
export function PipelineRunPage() {
  const { runId = "" } = useParams();
  const [search, setSearch] = useSearchParams();
  const navigate = useNavigate();
  const plan = useApi((s) => runPlan(runId, s), [runId]);
  const { run, steps, error } = useLiveRun(runId);
  const [actionError, setActionError] = useState<Error>();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (run?.status !== "RUNNING") return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [run?.status]);
  const views = useMemo(() => (plan.data ? stepViews(plan.data, steps) : []), [plan.data, steps]);
  const dag = useMemo(() => (plan.data ? dagOf(plan.data, views, now) : null), [plan.data, views, now]);
  const selected = search.get("step");
  const act = (f: () => Promise<unknown>) => () => {
    setActionError(undefined);
    f().catch((e: Error) => setActionError(e));
  };
  return (
    <section className="page">
      <p className="crumbs">
        <Link to="/pipelines">Pipelines</Link> /{" "}
        {run ? <Link to={`/pipelines/${encodeURIComponent(run.pipeline)}`}>{run.pipeline}</Link> : null}
      </p>
      <h1>
        {run?.pipeline ?? "Pipeline run"} {run ? <StatusBadge status={run.status} /> : null}
      </h1>
      <ErrorBox error={error ?? plan.error ?? actionError} />
      {!run && !error ? <Loading what="run" /> : null}
      {run ? (
        <>
          <div className="toolbar">
            <button
              type="button"
              onClick={act(async () =>
                navigate(`/pipelines/runs/${await startRun(run.pipeline, run.params)}`),
              )}
            >
              Re-run
            </button>
            <button
              type="button"
              disabled={run.status !== "FAILED" && run.status !== "CANCELLED"}
              onClick={act(() => resumeRun(runId))}
            >
              Resume
            </button>
            <button type="button" disabled={run.status !== "RUNNING"} onClick={act(() => cancelRun(runId))}>
              Cancel
            </button>
          </div>
          <Facts
            rows={[
              [
                "Run",
                <Link key="r" to={`/runs/${runId}`}>
                  {runId}
                </Link>,
              ],
              ["Started", formatTime(run.createdTime)],
              ["Duration", formatDuration((run.endedTime ?? now) - run.createdTime)],
              ["Params", JSON.stringify(run.params)],
              ["Error", run.error ?? "—"],
            ]}
          />
        </>
      ) : null}
      {dag ? (
        <div className="card">
          <Graph
            nodes={dag.nodes}
            edges={dag.edges}
            height={Math.min(520, 140 + 40 * dag.nodes.length)}
            onNodeClick={(id) => setSearch({ step: id })}
            testId="dag"
          />
        </div>
      ) : null}
      {plan.data ? (
        <div className="card">
          <StepsTable
            views={views}
            now={now}
            selected={selected}
            onSelect={(id) => setSearch({ step: id })}
          />
        </div>
      ) : null}
      {selected ? <StepPanel view={views.find((v) => v.id === selected)} now={now} /> : null}
    </section>
  );
}
