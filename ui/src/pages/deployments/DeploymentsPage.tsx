import { Link } from "react-router";
import { type DeploymentView, listDeployments } from "../../api/deployments.js";
import { ErrorBox, Loading } from "../../components/Status.js";
import { PALETTE } from "../../lib/theme.js";
import { useApi } from "../../lib/use-api.js";
import { formatMs, formatRate, splitSegments, variantLabel } from "./live.js";

/** A small bar of the split, for the list (the deployment page has the full one). */
function MiniSplit({ d }: { d: DeploymentView }) {
  return (
    <div className="split-bar mini" aria-hidden="true">
      {splitSegments(d.variants).map((s) => (
        <div
          key={s.variant}
          className="split-seg"
          style={{ width: `${s.weight}%`, background: PALETTE[s.index % PALETTE.length] }}
        />
      ))}
    </div>
  );
}

function split(d: DeploymentView): string {
  return d.variants
    .filter((v) => v.variant !== "shadow")
    .map((v) => `${variantLabel(v)} ${Math.round(v.weight * 10) / 10}%`)
    .join(" · ");
}

function Row({ d }: { d: DeploymentView }) {
  const shadow = d.variants.find((v) => v.variant === "shadow");
  const unresolved = d.variants.filter((v) => v.version === null);
  return (
    <tr data-testid={`deployment-${d.name}`}>
      <td>
        <Link to={`/deployments/${encodeURIComponent(d.name)}`}>{d.name}</Link>
      </td>
      <td>
        <MiniSplit d={d} />
        {split(d)}
        {shadow ? <span className="chip">shadow {variantLabel(shadow)}</span> : null}
        {unresolved.length ? (
          <span className="badge badge-failed" title={unresolved.map((v) => v.error).join("; ")}>
            {unresolved.length} unresolved
          </span>
        ) : null}
      </td>
      <td className="num">{d.live?.reachable ? formatRate(d.live.requestsPerSecond) : "—"}</td>
      <td className="num">{d.live?.reachable ? formatMs(d.live.p99Ms) : "—"}</td>
      <td className="num">{d.live?.reachable ? d.live.requests : "—"}</td>
      <td>{d.origin === "config" ? "gyre.config.ts" : "database"}</td>
      <td>
        <Link to={`/monitoring/${encodeURIComponent(d.name)}`}>monitoring</Link>
      </td>
    </tr>
  );
}

/** Every deployment with its traffic split, the versions it serves and live requests/s and p99. */
export function DeploymentsPage() {
  const { data, error } = useApi((s) => listDeployments(s), [], 2000);
  const reachable = data?.deployments.some((d) => d.live?.reachable);
  return (
    <section className="page">
      <h1>Deployments</h1>
      <ErrorBox error={error} />
      {!data && !error ? <Loading what="deployments" /> : null}
      {data?.deployments.length === 0 ? (
        <p className="muted">
          No deployments yet: declare them in gyre.config.ts or create one with `gyre deployments create`.
        </p>
      ) : null}
      {data && data.deployments.length > 0 ? (
        <>
          {data.servingUrls.length === 0 || reachable === false ? (
            <div className="notice" role="status" data-testid="live-unreachable">
              {data.servingUrls.length === 0
                ? "No serving data plane is configured, so there are no live figures."
                : `The serving data plane (${data.servingUrls.join(", ")}) is not reachable, so there are no live figures.`}
            </div>
          ) : null}
          <table className="table" data-testid="deployments">
            <thead>
              <tr>
                <th>Deployment</th>
                <th>Traffic split</th>
                <th className="num">Requests/s</th>
                <th className="num">p99</th>
                <th className="num">Requests served</th>
                <th>Defined in</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {data.deployments.map((d) => (
                <Row key={d.name} d={d} />
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}
