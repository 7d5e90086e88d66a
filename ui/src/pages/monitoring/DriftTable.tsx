import type { MetricPoint } from "../../api/monitoring.js";
import { formatNumber, formatTime } from "../../lib/format.js";

/** The latest window's drift per feature and metric: score, threshold, verdict. */
export function DriftTable({ points }: { points: MetricPoint[] }) {
  if (points.length === 0)
    return (
      <p className="muted">
        No drift results stored for this period: run a monitor, or choose a longer period.
      </p>
    );
  return (
    <table className="table" data-testid="drift-table">
      <thead>
        <tr>
          <th>Feature</th>
          <th>Metric</th>
          <th title="p-value for ks/chi2, distance otherwise">Score</th>
          <th>Threshold</th>
          <th>Drift</th>
          <th>Rows</th>
          <th>Window</th>
          <th>Monitor</th>
        </tr>
      </thead>
      <tbody>
        {points.map((p) => (
          <tr key={`${p.monitor}-${p.feature}-${p.metric}`}>
            <td>{p.feature}</td>
            <td>{p.metric}</td>
            <td>{p.status === "ok" ? formatNumber(p.value ?? undefined) : p.status.replaceAll("_", " ")}</td>
            <td>{formatNumber(p.threshold ?? undefined)}</td>
            <td>
              {p.drifted === null ? (
                "—"
              ) : (
                <span className={`badge badge-${p.drifted ? "drift" : "stable"}`}>
                  {p.drifted ? "drift" : "stable"}
                </span>
              )}
            </td>
            <td>{p.rows}</td>
            <td className="small">
              {formatTime(p.windowStart)} – {formatTime(p.windowEnd)}
            </td>
            <td>{p.monitor}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
