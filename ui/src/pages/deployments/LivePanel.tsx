import { useMemo } from "react";
import { Link } from "react-router";
import type { DeploymentLive } from "../../api/deployments.js";
import { Chart } from "../../components/Chart.js";
import { Loading } from "../../components/Status.js";
import { formatDuration, formatTime } from "../../lib/format.js";
import { formatMs, formatRate, liveLines, liveProblem } from "./live.js";

/** How often the server sends live figures, ms. */
export const LIVE_POLL_MS = 2000;

function LiveTable({ live }: { live: DeploymentLive }) {
  if (live.variants.length === 0)
    return (
      <p className="muted">
        The data plane has not served this deployment yet (no requests, no loaded versions).
      </p>
    );
  return (
    <table className="table" data-testid="live-table">
      <thead>
        <tr>
          <th>Variant</th>
          <th>Version</th>
          <th className="num">Requests/s</th>
          <th className="num">Errors/s</th>
          <th className="num">p50</th>
          <th className="num">p99</th>
          <th className="num">Requests served</th>
        </tr>
      </thead>
      <tbody>
        {live.variants.map((v) => (
          <tr key={`${v.variant}-${v.version}`} data-testid={`live-${v.variant}-${v.version}`}>
            <td>
              {v.variant} {v.serving ? null : <span className="badge badge-cancelled">retired</span>}
            </td>
            <td>
              {v.model ? (
                <Link to={`/models/${encodeURIComponent(v.model)}/versions/${v.version}`}>
                  {v.model} v{v.version}
                </Link>
              ) : (
                `v${v.version}`
              )}
            </td>
            <td className="num">{formatRate(v.requestsPerSecond)}</td>
            <td className="num">{formatRate(v.errorsPerSecond)}</td>
            <td className="num">{formatMs(v.p50Ms)}</td>
            <td className="num">{formatMs(v.p99Ms)}</td>
            <td className="num">{v.requests}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function LiveCharts({ series }: { series: DeploymentLive["series"] }) {
  const rps = useMemo(() => liveLines(series, "rps"), [series]);
  const p99 = useMemo(() => liveLines(series, "p99"), [series]);
  // A single reading gives uPlot no time range to draw against.
  if (!series.some((s) => s.points.length > 1))
    return (
      <p className="small muted">
        Charts start after two readings of the data plane ({LIVE_POLL_MS / 1000} s).
      </p>
    );
  return (
    <div className="chart-grid" data-testid="live-charts">
      <Chart title="Requests/s" lines={rps} xKind="time" height={200} />
      <Chart title="p99 latency (ms)" lines={p99} xKind="time" height={200} />
    </div>
  );
}

/** Requests/s and latency per variant and version, as the server reads them from the data plane every 2 s. */
export function LivePanel({ data, connected }: { data: DeploymentLive | undefined; connected: boolean }) {
  const problem = data ? liveProblem(data) : null;
  return (
    <div className="card" data-testid="live">
      <h2>Live traffic</h2>
      {!connected ? (
        <div className="notice" role="status">
          Lost the connection to the gyre server; reconnecting…
        </div>
      ) : null}
      {!data ? <Loading what="live figures" /> : null}
      {problem ? (
        <div className="notice" role="status" data-testid="live-unreachable">
          {problem}
        </div>
      ) : null}
      {data && !problem ? (
        <>
          <p className="small muted" data-testid="live-window">
            {data.windowMs === null
              ? "Measuring: rates appear after the next reading."
              : `Rates over the last ${formatDuration(data.windowMs)}, read ${formatTime(data.time)} from ${data.sources
                  .filter((s) => s.reachable)
                  .map((s) => s.url)
                  .join(", ")}. Latency of successful requests, estimated from histogram buckets.`}
          </p>
          {data.sources.some((s) => !s.reachable) ? (
            <div className="notice" role="status">
              {data.sources
                .filter((s) => !s.reachable)
                .map((s) => s.error)
                .join("; ")}
            </div>
          ) : null}
          <LiveTable live={data} />
          <LiveCharts series={data.series} />
        </>
      ) : null}
    </div>
  );
}
