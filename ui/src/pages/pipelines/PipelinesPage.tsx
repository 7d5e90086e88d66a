import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { listPipelines, listRuns, startRun } from "../../api/pipelines.js";
import { ErrorBox, Loading, StatusBadge } from "../../components/Status.js";
import { formatDuration, formatTime, shortId } from "../../lib/format.js";
import { useApi } from "../../lib/use-api.js";

/** Pipelines the server knows (from gyre.config.ts) and recent runs of all pipelines (refreshed every 2 s). */
export function PipelinesPage() {
  const navigate = useNavigate();
  const defs = useApi((s) => listPipelines(s), []);
  const runs = useApi((s) => listRuns(undefined, s), [], 2000);
  const [startError, setStartError] = useState<Error>();
  const start = async (name: string) => {
    try {
      navigate(`/pipelines/runs/${await startRun(name, {})}`);
    } catch (e) {
      setStartError(e as Error);
    }
  };
  return (
    <section className="page">
      <h1>Pipelines</h1>
      <div className="card">
        <h2>Definitions</h2>
        <ErrorBox error={defs.error ?? startError} />
        {!defs.data && !defs.error ? <Loading what="pipelines" /> : null}
        {defs.data?.length === 0 ? (
          <p className="muted">
            No pipelines registered: export them from gyre.config.ts and start `gyre server` there.
          </p>
        ) : null}
        <table className="table">
          <tbody>
            {defs.data?.map((d) => (
              <tr key={d.name}>
                <td>
                  <Link to={`/pipelines/${encodeURIComponent(d.name)}`}>{d.name}</Link>
                </td>
                <td>{d.steps} steps</td>
                <td className="small">
                  {Object.entries(d.params)
                    .map(
                      ([k, p]) =>
                        `${k}: ${p.type}${p.default !== undefined ? ` = ${JSON.stringify(p.default)}` : ""}`,
                    )
                    .join(", ")}
                </td>
                <td>
                  <button type="button" onClick={() => void start(d.name)}>
                    Run with defaults
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="card">
        <h2>Runs</h2>
        <ErrorBox error={runs.error} />
        <RunsList runs={runs.data} />
      </div>
    </section>
  );
}

export function RunsList({ runs }: { runs: Awaited<ReturnType<typeof listRuns>> | undefined }) {
  if (!runs) return <Loading what="runs" />;
  if (runs.length === 0) return <p className="muted">No pipeline runs yet.</p>;
  return (
    <table className="table" data-testid="pipeline-runs">
      <thead>
        <tr>
          <th>Run</th>
          <th>Pipeline</th>
          <th>Status</th>
          <th>Started</th>
          <th>Duration</th>
          <th>Trigger</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.runId}>
            <td>
              <Link to={`/pipelines/runs/${r.runId}`}>{shortId(r.runId)}</Link>
            </td>
            <td>{r.pipeline}</td>
            <td>
              <StatusBadge status={r.status} />
            </td>
            <td>{formatTime(r.createdTime)}</td>
            <td>{formatDuration((r.endedTime ?? Date.now()) - r.createdTime)}</td>
            <td>{r.startedBy ?? (r.schedule ? `schedule ${r.schedule}` : "manual")}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
