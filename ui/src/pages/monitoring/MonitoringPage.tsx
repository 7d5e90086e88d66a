import { useState } from "react";
import { Link } from "react-router";
import {
  type DeploymentSummary,
  listAlerts,
  listDeployments,
  listMonitors,
  type MonitorDef,
  type MonitorStatus,
  runMonitor,
  specsOf,
} from "../../api/monitoring.js";
import { ErrorBox, Loading } from "../../components/Status.js";
import { formatTime } from "../../lib/format.js";
import { useApi } from "../../lib/use-api.js";
import { AlertsTable } from "./AlertsTable.js";

function schedule(m: MonitorDef): string {
  if (!m.schedule) return "on demand";
  return "everyMinutes" in m.schedule
    ? `every ${m.schedule.everyMinutes} min`
    : `every ${m.schedule.everyPredictions} predictions`;
}

/** Deployments with a prediction log or a monitor. */
function Deployments({ rows }: { rows: DeploymentSummary[] }) {
  if (rows.length === 0)
    return (
      <p className="muted">No prediction log yet: serve a model with `gyre serve` and send it requests.</p>
    );
  return (
    <table className="table" data-testid="deployments">
      <thead>
        <tr>
          <th>Deployment</th>
          <th>Prediction log</th>
          <th>Monitors</th>
          <th>Last evaluated</th>
          <th>Firing</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((d) => (
          <tr key={d.deployment}>
            <td>
              <Link to={`/monitoring/${encodeURIComponent(d.deployment)}`}>{d.deployment}</Link>
            </td>
            <td>{d.logged ? "yes" : "none yet"}</td>
            <td>{d.monitors.join(", ") || "—"}</td>
            <td>{formatTime(d.lastEvaluated)}</td>
            <td>{d.firing ? <span className="badge badge-firing">{d.firing} firing</span> : "—"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Monitors from gyre.config.ts: window, reference, schedule, last run, firing alerts, and Run now. */
function MonitorsTable(props: {
  monitors: MonitorStatus[];
  running: string | undefined;
  onRun(name: string): void;
}) {
  const { monitors, running, onRun } = props;
  return (
    <table className="table" data-testid="monitors">
      <thead>
        <tr>
          <th>Monitor</th>
          <th>Deployment</th>
          <th>Window</th>
          <th>Reference</th>
          <th>Schedule</th>
          <th>Last run</th>
          <th>Firing</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {monitors.map(({ monitor: m, state, firing }) => (
          <tr key={m.name}>
            <td>{m.name}</td>
            <td>
              <Link to={`/monitoring/${encodeURIComponent(m.deployment)}`}>{m.deployment}</Link>
            </td>
            <td>{m.window.type === "count" ? `last ${m.window.size} rows` : m.window.size}</td>
            <td>{specsOf(m).reference}</td>
            <td>{schedule(m)}</td>
            <td>{state ? `${formatTime(state.lastRunTime)} (${state.lastStatus})` : "never"}</td>
            <td>
              {firing.length ? <span className="badge badge-firing">{firing.length} firing</span> : "—"}
            </td>
            <td>
              <button type="button" disabled={running === m.name} onClick={() => onRun(m.name)}>
                {running === m.name ? "Running…" : "Run now"}
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Deployments, monitors with their last run and firing alerts, and the latest alerts of all deployments. */
export function MonitoringPage() {
  const deployments = useApi((s) => listDeployments(s), [], 5000);
  const monitors = useApi((s) => listMonitors(s), [], 5000);
  const alerts = useApi((s) => listAlerts({ limit: 50 }, s), [], 5000);
  const [runError, setRunError] = useState<Error>();
  const [running, setRunning] = useState<string>();
  const run = async (name: string) => {
    setRunning(name);
    setRunError(undefined);
    try {
      await runMonitor(name);
      monitors.reload();
      alerts.reload();
      deployments.reload();
    } catch (e) {
      setRunError(e as Error);
    } finally {
      setRunning(undefined);
    }
  };
  return (
    <section className="page">
      <h1>Monitoring</h1>
      <div className="card">
        <h2>Deployments</h2>
        <ErrorBox error={deployments.error} />
        {deployments.data ? <Deployments rows={deployments.data} /> : <Loading what="deployments" />}
      </div>
      <div className="card">
        <h2>Monitors</h2>
        <ErrorBox error={monitors.error ?? runError} />
        {!monitors.data && !monitors.error ? <Loading what="monitors" /> : null}
        {monitors.data?.length === 0 ? (
          <p className="muted">
            No monitors defined: export `monitors` from gyre.config.ts and start `gyre server` there.
          </p>
        ) : null}
        {monitors.data?.length ? (
          <MonitorsTable monitors={monitors.data} running={running} onRun={(n) => void run(n)} />
        ) : null}
      </div>
      <div className="card">
        <h2>Recent alerts</h2>
        <ErrorBox error={alerts.error} />
        {alerts.data ? <AlertsTable alerts={alerts.data} showDeployment /> : <Loading what="alerts" />}
      </div>
    </section>
  );
}
