import { Link } from "react-router";
import { requestText } from "../../api/client.js";
import { artifactUrl, listArtifacts } from "../../api/tracking.js";
import type { StepRecord } from "../../api/types.js";
import { Facts, StatusBadge } from "../../components/Status.js";
import { formatDuration, formatTime, shortId } from "../../lib/format.js";
import { useApi } from "../../lib/use-api.js";
import type { StepView } from "./dag.js";

const LOG_LIMIT = 512 * 1024;

/** stdout and stderr a step stored as `logs/stdout.txt` / `logs/stderr.txt` in its tracking run. */
function Logs({ record }: { record: StepRecord }) {
  const runId = record.trackingRunId;
  const { data } = useApi(
    async (s) => {
      if (!runId) return [];
      // Only files that exist are fetched: a step without output stores none.
      const files = new Set((await listArtifacts(runId, "logs", s)).map((f) => f.path));
      const read = async (name: string) =>
        files.has(`logs/${name}.txt`)
          ? requestText(artifactUrl(runId, `logs/${name}.txt`), LOG_LIMIT, s)
          : "";
      return Promise.all([read("stdout"), read("stderr")]);
    },
    [runId, record.status, record.attempt],
  );
  if (!runId) return <p className="muted">No logs: the step has not started.</p>;
  const [out = "", err = ""] = data ?? [];
  if (data && !out && !err)
    return (
      <p className="muted">
        {record.status === "RUNNING" ? "Logs are stored when the step ends." : "The step wrote no output."}
      </p>
    );
  return (
    <>
      {out ? (
        <>
          <h3>stdout</h3>
          <pre className="log" data-testid="step-stdout">
            {out}
          </pre>
        </>
      ) : null}
      {err ? (
        <>
          <h3>stderr</h3>
          <pre className="log">{err}</pre>
        </>
      ) : null}
    </>
  );
}

function Record({ r, now }: { r: StepRecord; now: number }) {
  return (
    <div className="card">
      <h2>
        {r.stepId} <StatusBadge status={r.status} />
      </h2>
      <Facts
        rows={[
          ["Attempt", String(r.attempt)],
          ["Started", formatTime(r.startedTime)],
          ["Duration", r.startedTime ? formatDuration((r.endedTime ?? now) - r.startedTime) : "—"],
          [
            "Tracking run",
            r.trackingRunId ? (
              <Link key="t" to={`/runs/${r.trackingRunId}`}>
                {shortId(r.trackingRunId)}
              </Link>
            ) : (
              "—"
            ),
          ],
          [
            "Cache",
            r.status === "CACHED" && r.cachedFrom ? (
              <span key="c">
                hit: outputs of run <Link to={`/runs/${r.cachedFrom}`}>{shortId(r.cachedFrom)}</Link>
              </span>
            ) : r.cacheKey ? (
              <code key="k">{r.cacheKey.slice(0, 16)}…</code>
            ) : (
              "—"
            ),
          ],
          ["Error", r.error ? `${r.error.reason}: ${r.error.message}` : "—"],
        ]}
      />
      <Logs record={r} />
    </div>
  );
}

/** Details of the selected step (or of each fan-out instance), with its logs. */
export function StepPanel({ view, now }: { view: StepView | undefined; now: number }) {
  if (!view) return null;
  const records = view.instances.length ? view.instances : view.record ? [view.record] : [];
  if (records.length === 0) return <p className="muted">Step {view.id} has not started.</p>;
  return (
    <div data-testid="step-panel">
      {records.slice(0, 20).map((r) => (
        <Record key={r.stepId} r={r} now={now} />
      ))}
    </div>
  );
}
