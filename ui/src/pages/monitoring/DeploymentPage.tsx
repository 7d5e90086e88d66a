import { type FormEvent, useMemo } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import {
  evaluateDrift,
  feedbackStatus,
  listAlerts,
  listMonitors,
  listResults,
  RESULT_LIMIT,
  specsOf,
} from "../../api/monitoring.js";
import { Chart } from "../../components/Chart.js";
import { ErrorBox, Facts, Loading } from "../../components/Status.js";
import { formatTime } from "../../lib/format.js";
import { useApi } from "../../lib/use-api.js";
import { AlertsTable } from "./AlertsTable.js";
import { Distributions } from "./Distributions.js";
import { DriftTable } from "./DriftTable.js";
import { chartsOf, type Family, latestDrift } from "./series.js";

const HELP: Record<Family, string> = {
  drift:
    "Drift score per window (p-value for ks/chi2 — low means drift; distance for psi/jensenshannon/wasserstein — high means drift).",
  performance: "Model quality per window, from ground-truth feedback joined to logged predictions.",
  quality: "Data-quality shares per window (missing values, out of range, unseen categories, type errors).",
};

function Charts({ points, family }: { points: Parameters<typeof chartsOf>[0]; family: Family }) {
  const all = useMemo(() => chartsOf(points, family), [points, family]);
  // Data-quality shares are usually zero throughout: name those instead of drawing flat lines.
  const zero = (c: (typeof all)[number]) =>
    family === "quality" && c.lines.every((l) => l.y.every((v) => v === 0));
  const charts = all.filter((c) => !zero(c));
  const flat = all.filter(zero).map((c) => c.title);
  if (all.length === 0) return null;
  return (
    <div className="card" data-testid={`charts-${family}`}>
      <h2>
        {family === "drift"
          ? "Drift over time"
          : family === "performance"
            ? "Performance over time"
            : "Data quality over time"}
      </h2>
      <p className="small muted">{HELP[family]}</p>
      {flat.length ? (
        <p className="small" data-testid="quality-zero">
          Zero in every window: {flat.join(", ")}
        </p>
      ) : null}
      <div className="chart-grid">
        {charts.map((c) => (
          <Chart key={c.title} title={c.title} lines={c.lines} xKind="time" height={220} />
        ))}
      </div>
    </div>
  );
}

/** Ad-hoc evaluation with binned distributions; window and reference default to the deployment's monitor. */
function LiveDrift({
  deployment,
  window,
  reference,
}: {
  deployment: string;
  window: string;
  reference: string;
}) {
  const [params, setParams] = useSearchParams();
  const w = params.get("window") ?? window;
  const r = params.get("reference") ?? reference;
  const report = useApi((s) => evaluateDrift(deployment, w, r, s), [deployment, w, r]);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setParams((p) => {
      p.set("window", String(form.get("window")));
      p.set("reference", String(form.get("reference")));
      return p;
    });
  };
  return (
    <div className="card">
      <h2>Distributions: reference vs current</h2>
      <form className="run-form" onSubmit={submit} key={`${w}|${r}`}>
        <label>
          Window <input name="window" defaultValue={w} aria-label="Window" />
        </label>
        <label>
          Reference <input name="reference" defaultValue={r} aria-label="Reference" />
        </label>
        <button type="submit">Evaluate</button>
        <span className="small muted">
          window: 1h or a row count · reference: profile, first:N or from..to
        </span>
      </form>
      <ErrorBox error={report.error} />
      {report.loading && !report.data ? <Loading what="distributions" /> : null}
      {report.data ? (
        <>
          <p className="small" data-testid="live-window">
            {report.data.window.rows} rows ({formatTime(report.data.window.from)} –{" "}
            {formatTime(report.data.window.to)}) vs {report.data.reference.rows} reference rows (
            {report.data.reference.source}
            {report.data.reference.model
              ? ` of ${report.data.reference.model} v${report.data.reference.version}`
              : ""}
            ){report.data.status === "ok" ? "" : ` · ${report.data.reason ?? "not enough data"}`}
          </p>
          <p className="small legend">
            <span className="swatch ref" /> reference <span className="swatch cur" /> current
          </p>
          <Distributions features={report.data.features} />
        </>
      ) : null}
    </div>
  );
}

/** Periods of stored results to show, ms back from now. */
const PERIODS: Record<string, number | undefined> = {
  "24h": 86_400_000,
  "7d": 7 * 86_400_000,
  "30d": 30 * 86_400_000,
  all: undefined,
};

/** The period picker; the choice is kept in the URL (`?period=7d`). */
function PeriodPicker(props: { period: string; onChange(p: string): void; capped: boolean }) {
  return (
    <div className="toolbar">
      <label>
        Period{" "}
        <select value={props.period} onChange={(e) => props.onChange(e.target.value)} aria-label="Period">
          {Object.keys(PERIODS).map((p) => (
            <option key={p} value={p}>
              {p === "all" ? "all stored" : `last ${p}`}
            </option>
          ))}
        </select>
      </label>
      {props.capped ? (
        <span className="small muted" data-testid="results-capped">
          Showing the newest {RESULT_LIMIT.toLocaleString()} stored values; choose a shorter period for more
          history.
        </span>
      ) : null}
    </div>
  );
}

/** One deployment: stored drift/performance/quality over time, the latest drift, alerts, live distributions. */
export function DeploymentPage() {
  const deployment = useParams().deployment!;
  const [params, setParams] = useSearchParams();
  const period = params.get("period") ?? "all";
  const from = PERIODS[period] === undefined ? undefined : Date.now() - PERIODS[period];
  const results = useApi((s) => listResults(deployment, from, s), [deployment, period], 10_000);
  const alerts = useApi((s) => listAlerts({ deployment, limit: 200 }, s), [deployment], 10_000);
  const monitors = useApi((s) => listMonitors(s), []);
  const feedback = useApi((s) => feedbackStatus(deployment, s), [deployment]);
  const mine = monitors.data?.filter((m) => m.monitor.deployment === deployment) ?? [];
  const latest = useMemo(() => latestDrift(results.data ?? []), [results.data]);
  const specs = mine[0] ? specsOf(mine[0].monitor) : { window: "1h", reference: "profile" };
  const firing = alerts.data?.filter((a) => a.state === "firing").length ?? 0;
  return (
    <section className="page">
      <p className="crumbs">
        <Link to="/monitoring">Monitoring</Link> / {deployment}
      </p>
      <h1>{deployment}</h1>
      <Facts
        rows={[
          ["Monitors", mine.map((m) => m.monitor.name).join(", ") || "none"],
          ["Last run", formatTime(Math.max(0, ...mine.map((m) => m.state?.lastRunTime ?? 0)))],
          ["Stored results", results.data ? String(results.data.length) : "…"],
          ["Firing alerts", String(firing)],
          [
            "Ground truth",
            feedback.data
              ? `${feedback.data.total} labels, ${feedback.data.matched} matched to logged predictions`
              : feedback.error
                ? feedback.error.message
                : "…",
          ],
        ]}
      />
      <PeriodPicker
        period={period}
        capped={results.data?.length === RESULT_LIMIT}
        onChange={(p) =>
          setParams((q) => {
            q.set("period", p);
            return q;
          })
        }
      />
      <ErrorBox error={results.error ?? monitors.error} />
      {results.data ? null : <Loading what="results" />}
      <div className="card">
        <h2>Latest drift</h2>
        {results.data ? <DriftTable points={latest} /> : null}
      </div>
      {results.data ? (
        <>
          <Charts points={results.data} family="drift" />
          <Charts points={results.data} family="performance" />
          <Charts points={results.data} family="quality" />
        </>
      ) : null}
      <div className="card">
        <h2>Alerts</h2>
        <ErrorBox error={alerts.error} />
        {alerts.data ? <AlertsTable alerts={alerts.data} /> : <Loading what="alerts" />}
      </div>
      {monitors.data ? <LiveDrift deployment={deployment} {...specs} /> : null}
    </section>
  );
}
