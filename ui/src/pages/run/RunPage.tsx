import { Link, useParams, useSearchParams } from "react-router";
import { getRun, searchRuns } from "../../api/tracking.js";
import type { Run, Tag } from "../../api/types.js";
import { ErrorBox, Facts, Loading, StatusBadge } from "../../components/Status.js";
import { formatDuration, formatNumber, formatTime, shortId } from "../../lib/format.js";
import { useApi } from "../../lib/use-api.js";
import { Artifacts } from "./Artifacts.js";
import { MetricCharts } from "./MetricCharts.js";

const TABS = ["overview", "metrics", "artifacts"] as const;

function KeyValues({ title, rows }: { title: string; rows: Tag[] }) {
  return (
    <div className="card">
      <h2>{title}</h2>
      {rows.length === 0 ? (
        <p className="muted">None</p>
      ) : (
        <table className="table compact">
          <tbody>
            {rows.map((r) => (
              <tr key={r.key}>
                <th>{r.key}</th>
                <td className="wrap">{r.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function tag(run: Run, key: string): string | undefined {
  return run.data.tags.find((t) => t.key === key)?.value;
}

function Overview({ run }: { run: Run }) {
  const children = useApi(
    (s) =>
      searchRuns(
        {
          experimentIds: [run.info.experimentId],
          filter: `tags.mlflow.parentRunId = '${run.info.runId}'`,
          maxResults: 1000,
        },
        s,
      ),
    [run.info.runId],
  );
  const commit = tag(run, "mlflow.source.git.commit");
  const branch = tag(run, "mlflow.source.git.branch");
  const dirty = tag(run, "gyre.source.git.dirty");
  const metrics = run.data.metrics.map((m) => ({
    key: m.key,
    value: `${formatNumber(m.value)} (step ${m.step})`,
  }));
  return (
    <div className="cards">
      <div className="card">
        <h2>Run</h2>
        <Facts
          rows={[
            ["ID", <code key="id">{run.info.runId}</code>],
            ["Status", <StatusBadge key="s" status={run.info.status} />],
            ["Started", formatTime(run.info.startTime)],
            ["Duration", formatDuration(run.info.endTime ? run.info.endTime - run.info.startTime : null)],
            ["User", run.info.userId || "—"],
            [
              "Git commit",
              commit ? (
                <code key="c">{`${commit.slice(0, 12)}${branch ? ` (${branch})` : ""}${dirty === "true" ? " dirty" : ""}`}</code>
              ) : (
                "—"
              ),
            ],
            ["Source", tag(run, "mlflow.source.name") ?? "—"],
            [
              "Parent",
              run.info.parentRunId ? (
                <Link key="p" to={`/runs/${run.info.parentRunId}`}>
                  {shortId(run.info.parentRunId)}
                </Link>
              ) : (
                "—"
              ),
            ],
            ["Artifacts", <code key="a">{run.info.artifactUri}</code>],
          ]}
        />
      </div>
      <KeyValues title="Metrics (latest)" rows={metrics} />
      <KeyValues title="Parameters" rows={run.data.params} />
      <KeyValues title="Tags" rows={run.data.tags} />
      <div className="card">
        <h2>Dataset inputs</h2>
        {run.inputs.datasetInputs.length === 0 ? <p className="muted">None</p> : null}
        {run.inputs.datasetInputs.map((d) => (
          <Facts
            key={d.dataset.digest + d.dataset.name}
            rows={[
              ["Name", d.dataset.name],
              ["Digest", <code key="d">{d.dataset.digest}</code>],
              ["Source", `${d.dataset.sourceType}: ${d.dataset.source}`],
              ["Context", d.tags.map((t) => `${t.key}=${t.value}`).join(", ") || "—"],
            ]}
          />
        ))}
      </div>
      <div className="card">
        <h2>Child runs</h2>
        <ErrorBox error={children.error} />
        {children.data?.items.length === 0 ? <p className="muted">None</p> : null}
        <ul className="plain">
          {children.data?.items.map((c) => (
            <li key={c.info.runId}>
              <Link to={`/runs/${c.info.runId}`}>{c.info.runName || c.info.runId}</Link>{" "}
              <StatusBadge status={c.info.status} />
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

/** One run: overview (info, params, tags, datasets, git, parent/children), metric charts, artifacts. URL `tab`. */
export function RunPage() {
  const { runId = "" } = useParams();
  const [search, setSearch] = useSearchParams();
  const tab = (TABS as readonly string[]).includes(search.get("tab") ?? "") ? search.get("tab")! : "overview";
  const { data: run, error } = useApi((s) => getRun(runId, s), [runId], 5000);
  return (
    <section className="page">
      <p className="crumbs">
        <Link to="/experiments">Experiments</Link> /{" "}
        {run ? (
          <Link to={`/experiments/${run.info.experimentId}`}>experiment {run.info.experimentId}</Link>
        ) : null}
      </p>
      <h1>
        {run?.info.runName || runId} {run ? <StatusBadge status={run.info.status} /> : null}
      </h1>
      <ErrorBox error={error} />
      {!run && !error ? <Loading what="run" /> : null}
      <div className="tabs" role="tablist">
        {TABS.map((t) => (
          <button
            key={t}
            type="button"
            role="tab"
            aria-selected={tab === t}
            className={tab === t ? "active" : ""}
            onClick={() =>
              setSearch((p) => {
                const n = new URLSearchParams(p);
                n.set("tab", t);
                return n;
              })
            }
          >
            {t[0]!.toUpperCase() + t.slice(1)}
          </button>
        ))}
      </div>
      {run && tab === "overview" ? <Overview run={run} /> : null}
      {run && tab === "metrics" ? <MetricCharts run={run} /> : null}
      {run && tab === "artifacts" ? <Artifacts runId={run.info.runId} /> : null}
    </section>
  );
}
