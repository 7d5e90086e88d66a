import { Link, useParams } from "react-router";
import type { DeploymentDetail } from "../../api/deployments.js";
import { ErrorBox, Facts, Loading } from "../../components/Status.js";
import { LivePanel } from "./LivePanel.js";
import { TrafficSplit } from "./TrafficSplit.js";
import { useDeployment } from "./use-deployment.js";
import { VariantsCompared } from "./VariantsCompared.js";
import { VersionTimeline } from "./VersionTimeline.js";

function facts(d: DeploymentDetail): Array<[string, React.ReactNode]> {
  const rows: Array<[string, React.ReactNode]> = [
    [
      "Defined in",
      d.origin === "config" ? (
        "gyre.config.ts (change it there)"
      ) : (
        <span key="o">
          the metadata database (change it with <code>gyre deployments set-traffic</code>)
        </span>
      ),
    ],
    ["Batching", `up to ${d.batching.maxBatchSize} rows, waiting at most ${d.batching.maxWaitMs} ms`],
  ];
  if (d.description) rows.unshift(["Description", d.description]);
  if (d.features) rows.push(["Features", `${d.features.service} by ${d.features.entityKeys.join(", ")}`]);
  rows.push([
    "Monitoring",
    <Link key="m" to={`/monitoring/${encodeURIComponent(d.name)}`}>
      drift, performance and alerts
    </Link>,
  ]);
  return rows;
}

/** One deployment: its traffic split, live requests/s and latency per version, and its version timeline, live over SSE. */
export function DeploymentPage() {
  const name = useParams().name!;
  const { detail: data, live, error, connected } = useDeployment(name);
  return (
    <section className="page">
      <p className="crumbs">
        <Link to="/deployments">Deployments</Link> /
      </p>
      <h1>{name}</h1>
      <ErrorBox error={error} />
      {!data && !error ? <Loading what="the deployment" /> : null}
      {data ? (
        <>
          <div className="card">
            <Facts rows={facts(data)} />
          </div>
          <div className="card">
            <h2>Traffic split</h2>
            <TrafficSplit variants={data.variants} stickyKey={data.stickyKey} />
          </div>
          <LivePanel data={live} connected={connected} />
          <div className="card">
            <h2>Variants compared</h2>
            <VariantsCompared deployment={name} baseline={data.variants[0]?.variant ?? "primary"} />
          </div>
          <div className="card">
            <h2>Version timeline</h2>
            <VersionTimeline timeline={data.timeline} />
          </div>
        </>
      ) : null}
    </section>
  );
}
