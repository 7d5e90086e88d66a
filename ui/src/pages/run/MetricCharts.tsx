import { useMemo } from "react";
import { metricHistory } from "../../api/tracking.js";
import type { Metric, Run } from "../../api/types.js";
import { Chart } from "../../components/Chart.js";
import { ChartControls, useChartSettings } from "../../components/ChartControls.js";
import { ErrorBox, Loading } from "../../components/Status.js";
import { toLine } from "../../lib/chart-lines.js";
import { formatNumber, formatTime } from "../../lib/format.js";
import { useApi } from "../../lib/use-api.js";

function MetricChart({ run, metric }: { run: Run; metric: string }) {
  const { x, smoothing, log } = useChartSettings();
  // The run is re-read every few seconds; a newer latest point of this metric fetches the history again.
  const latest = run.data.metrics.find((m) => m.key === metric);
  const { data, error } = useApi(
    (s) => metricHistory(run.info.runId, metric, s),
    [run.info.runId, metric, latest?.step, latest?.timestamp],
  );
  const lines = useMemo(
    () => (data ? [toLine(metric, data as Metric[], x, smoothing, run.info.startTime)] : []),
    [data, metric, x, smoothing, run.info.startTime],
  );
  if (error) return <ErrorBox error={error} />;
  if (!data) return <Loading what={metric} />;
  if (data.length === 1) {
    // A single value (e.g. an evaluation score) reads better as a number than as a dot on an axis.
    const only = data[0]!;
    return (
      <div className="card metric-single" data-testid={`metric-${metric}`}>
        <h2>{metric}</h2>
        <p className="metric-value">{formatNumber(only.value)}</p>
        <p className="muted small">
          step {only.step} · {formatTime(only.timestamp)}
        </p>
      </div>
    );
  }
  return (
    <div className="card chart-card">
      <Chart title={metric} lines={lines} xKind={x} log={log} />
      <p className="muted small">{data.length.toLocaleString()} points</p>
    </div>
  );
}

/** One chart per metric of the run, with shared axis, smoothing and scale settings. */
export function MetricCharts({ run }: { run: Run }) {
  const keys = [...new Set(run.data.metrics.map((m) => m.key))].sort();
  if (keys.length === 0) return <p className="muted">This run has no metrics.</p>;
  return (
    <>
      <ChartControls />
      <div className="chart-grid">
        {keys.map((k) => (
          <MetricChart key={k} run={run} metric={k} />
        ))}
      </div>
    </>
  );
}
