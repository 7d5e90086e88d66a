import { useMemo } from "react";
import { Link, useSearchParams } from "react-router";
import { getRun, metricHistory } from "../../api/tracking.js";
import type { Run } from "../../api/types.js";
import { Chart } from "../../components/Chart.js";
import { ChartControls, useChartSettings } from "../../components/ChartControls.js";
import { ErrorBox, Loading } from "../../components/Status.js";
import { toLine } from "../../lib/chart-lines.js";
import { useApi } from "../../lib/use-api.js";
import { runLabels } from "./labels.js";
import { ParallelCoordinates } from "./ParallelCoordinates.js";
import { ParamDiff } from "./ParamDiff.js";

function Overlay({ runs, metric }: { runs: Run[]; metric: string }) {
  const { x, smoothing, log } = useChartSettings();
  const ids = runs.map((r) => r.info.runId).join(",");
  const { data, error } = useApi(
    (s) => Promise.all(runs.map((r) => metricHistory(r.info.runId, metric, s))),
    [ids, metric],
  );
  const lines = useMemo(
    () =>
      data
        ? runs.map((r, i) => toLine(runLabels(runs)[i]!, data[i] ?? [], x, smoothing, r.info.startTime))
        : [],
    [data, runs, x, smoothing],
  );
  if (error) return <ErrorBox error={error} />;
  if (!data) return <Loading what={`${metric} histories`} />;
  return <Chart title={metric} lines={lines} xKind={x} log={log} height={300} />;
}

/** Runs side by side (URL `runs=a,b,c`, `metric`): overlaid charts, parallel coordinates, a diff of params. */
export function ComparePage() {
  const [search, setSearch] = useSearchParams();
  const ids = (search.get("runs") ?? "").split(",").filter(Boolean);
  const { data: runs, error } = useApi((s) => Promise.all(ids.map((id) => getRun(id, s))), [ids.join(",")]);
  const metrics = useMemo(
    () => [...new Set((runs ?? []).flatMap((r) => r.data.metrics.map((m) => m.key)))].sort(),
    [runs],
  );
  // Default to a metric logged over steps (a curve), not a single evaluation score.
  const curve = metrics.find((k) =>
    runs?.some((r) => (r.data.metrics.find((m) => m.key === k)?.step ?? 0) > 0),
  );
  const metric = search.get("metric") ?? curve ?? metrics[0] ?? "";
  const setMetric = (m: string) =>
    setSearch((p) => {
      const n = new URLSearchParams(p);
      n.set("metric", m);
      return n;
    });
  if (ids.length === 0)
    return (
      <section className="page">
        <h1>Compare runs</h1>
        <p className="muted">
          Select runs in an <Link to="/experiments">experiment</Link>'s table, then press Compare.
        </p>
      </section>
    );
  return (
    <section className="page">
      <h1>Compare {ids.length} runs</h1>
      <ErrorBox error={error} />
      {!runs && !error ? <Loading what="runs" /> : null}
      {runs ? (
        <>
          <p>
            {runs.map((r, i) => (
              <span key={r.info.runId}>
                {i > 0 ? ", " : ""}
                <Link to={`/runs/${r.info.runId}`}>{runLabels(runs)[i]}</Link>
              </span>
            ))}
          </p>
          <div className="toolbar">
            <label>
              Metric{" "}
              <select value={metric} onChange={(e) => setMetric(e.target.value)} data-testid="compare-metric">
                {metrics.map((m) => (
                  <option key={m}>{m}</option>
                ))}
              </select>
            </label>
          </div>
          <ChartControls />
          <div className="card">
            {metric ? <Overlay runs={runs} metric={metric} /> : <p className="muted">No metrics.</p>}
          </div>
          <div className="card">
            <h2>Parameters vs {metric}</h2>
            <ParallelCoordinates runs={runs} metric={metric} />
          </div>
          <div className="card">
            <h2>Parameters and metrics</h2>
            <ParamDiff runs={runs} />
          </div>
        </>
      ) : null}
    </section>
  );
}
