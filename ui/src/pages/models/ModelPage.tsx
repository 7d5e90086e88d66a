import { Link, useParams } from "react-router";
import { aliasHistory, getModel, listVersions } from "../../api/registry.js";
import { ErrorBox, Loading, StatusBadge } from "../../components/Status.js";
import { formatTime, shortId } from "../../lib/format.js";
import { useApi } from "../../lib/use-api.js";
import { AliasTimeline } from "./AliasTimeline.js";

/** How often the model page re-reads aliases and versions, ms (alias moves show up live). */
const POLL_MS = 2000;

/** One registered model: aliases now and their history, and every version. Refreshes itself every 2 s. */
export function ModelPage() {
  const { name = "" } = useParams();
  const model = useApi((s) => getModel(name, s), [name], POLL_MS);
  const versions = useApi((s) => listVersions(name, s), [name], POLL_MS);
  const aliasNames = (model.data?.aliases ?? []).map((a) => a.alias).sort();
  const histories = useApi(
    (s) => Promise.all(aliasNames.map((a) => aliasHistory(name, a, s))),
    [name, aliasNames.join(","), model.data?.lastUpdatedTimestamp],
    POLL_MS,
  );
  const enc = encodeURIComponent(name);
  return (
    <section className="page">
      <p className="crumbs">
        <Link to="/models">Models</Link> /
      </p>
      <h1>{name}</h1>
      <ErrorBox error={model.error} />
      {model.data?.description ? <p>{model.data.description}</p> : null}
      <div className="card">
        <h2>Aliases</h2>
        {model.data && model.data.aliases.length === 0 ? <p className="muted">No aliases.</p> : null}
        <ul className="plain" data-testid="aliases">
          {model.data?.aliases.map((a) => (
            <li key={a.alias}>
              <span className="chip">@{a.alias}</span> →{" "}
              <Link to={`/models/${enc}/versions/${a.version}`} data-testid={`alias-${a.alias}`}>
                version {a.version}
              </Link>
            </li>
          ))}
        </ul>
        <h3>History</h3>
        <ErrorBox error={histories.error} />
        {histories.data ? <AliasTimeline histories={histories.data} /> : null}
      </div>
      <div className="card">
        <h2>Versions</h2>
        <ErrorBox error={versions.error} />
        {!versions.data && !versions.error ? <Loading what="versions" /> : null}
        <table className="table">
          <thead>
            <tr>
              <th>Version</th>
              <th>Status</th>
              <th>Aliases</th>
              <th>Run</th>
              <th>Flavor</th>
              <th>Registered</th>
              <th>Source</th>
            </tr>
          </thead>
          <tbody>
            {versions.data?.map((v) => (
              <tr key={v.version}>
                <td>
                  <Link to={`/models/${enc}/versions/${v.version}`}>v{v.version}</Link>
                </td>
                <td>
                  <StatusBadge status={v.status} />
                </td>
                <td>{v.aliases.map((a) => `@${a}`).join(" ")}</td>
                <td>{v.runId ? <Link to={`/runs/${v.runId}`}>{shortId(v.runId)}</Link> : "—"}</td>
                <td>{v.flavor ?? "—"}</td>
                <td>{formatTime(v.creationTimestamp)}</td>
                <td className="mono small">{v.source}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
