import { Link } from "react-router";
import type { ActionOutcome, AlertRecord } from "../../api/monitoring.js";
import { formatNumber, formatTime, shortId } from "../../lib/format.js";

/** What one action did; a started pipeline run links to its page. */
function Action({ a }: { a: ActionOutcome }) {
  return (
    <li className={a.ok ? "" : "bad"} title={a.detail}>
      {a.type}
      {a.runId ? (
        <>
          {" → "}
          <Link to={`/pipelines/runs/${encodeURIComponent(a.runId)}`} data-testid="alert-run-link">
            run {shortId(a.runId)}
          </Link>
        </>
      ) : a.ok ? (
        " ✓"
      ) : (
        `: failed — ${a.detail}`
      )}
    </li>
  );
}

/** Alerts, most recent first: state, severity, what crossed which threshold, and what the alert triggered. */
export function AlertsTable({ alerts, showDeployment }: { alerts: AlertRecord[]; showDeployment?: boolean }) {
  if (alerts.length === 0) return <p className="muted">No alerts.</p>;
  return (
    <table className="table" data-testid="alerts">
      <thead>
        <tr>
          <th>State</th>
          <th>Severity</th>
          {showDeployment ? <th>Deployment</th> : null}
          <th>Monitor</th>
          <th>Feature · metric</th>
          <th>Value / threshold</th>
          <th>First · last seen</th>
          <th>Triggered</th>
        </tr>
      </thead>
      <tbody>
        {alerts.map((a) => (
          <tr key={a.id} title={a.message}>
            <td>
              <span className={`badge badge-${a.state}`}>{a.state}</span>
            </td>
            <td>
              <span className={`badge badge-${a.severity}`}>{a.severity}</span>
            </td>
            {showDeployment ? (
              <td>
                <Link to={`/monitoring/${encodeURIComponent(a.deployment)}`}>{a.deployment}</Link>
              </td>
            ) : null}
            <td>{a.monitor}</td>
            <td>
              {a.feature} · {a.metric}
            </td>
            <td>
              {formatNumber(a.value ?? undefined) || "—"} / {formatNumber(a.threshold ?? undefined) || "—"}
            </td>
            <td className="small">
              {formatTime(a.firstTime)} · {formatTime(a.lastTime)}
              {a.occurrences > 1 ? ` (${a.occurrences}×)` : ""}
              {a.resolvedTime ? ` · resolved ${formatTime(a.resolvedTime)}` : ""}
            </td>
            <td className="small">
              {a.actions.length ? (
                <ul className="plain">
                  {a.actions.map((x) => (
                    <Action key={`${x.type}-${x.at}-${x.runId ?? ""}`} a={x} />
                  ))}
                </ul>
              ) : (
                "—"
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
