import { Link } from "react-router";
import {
  type Definition,
  formatTtl,
  listDefinitions,
  ofKind,
  type ViewSpec,
  viewStats,
} from "../../api/features.js";
import { ErrorBox, Loading } from "../../components/Status.js";
import { formatTime } from "../../lib/format.js";
import { useApi } from "../../lib/use-api.js";
import { Catalog, Types } from "./Catalog.js";
import { freshness } from "./freshness.js";

const viewLink = (name: string) => `/features/views/${encodeURIComponent(name)}`;

/** One view's row; its statistics load on their own so a slow source does not hold up the table. */
function ViewRow({ def }: { def: Definition<ViewSpec> }) {
  const stats = useApi((s) => viewStats(def.name, s), [def.name, def.version]);
  const f = stats.data ? freshness(stats.data, def.spec.ttlSeconds) : undefined;
  return (
    <tr data-testid={`view-${def.name}`}>
      <td>
        <Link to={viewLink(def.name)}>{def.name}</Link> <span className="muted small">v{def.version}</span>
      </td>
      <td>{def.spec.entity}</td>
      <td>{def.spec.source}</td>
      <td>{formatTtl(def.spec.ttlSeconds)}</td>
      <td className="wrap">
        <Types types={def.spec.features} />
      </td>
      {stats.error ? (
        <td colSpan={4}>
          <ErrorBox error={stats.error} />
        </td>
      ) : (
        <>
          <td className="num">{stats.data?.rowCount ?? "…"}</td>
          <td className="num">{stats.data?.onlineRows ?? "…"}</td>
          <td className="small">{stats.data ? formatTime(stats.data.watermark) : "…"}</td>
          <td title={f?.text}>{f ? <span className={`badge badge-${f.state}`}>{f.state}</span> : "…"}</td>
        </>
      )}
    </tr>
  );
}

/** The feature registry: views with statistics and freshness, on-demand views, services, entities, sources. */
export function FeaturesPage() {
  const defs = useApi((s) => listDefinitions(s), [], 10_000);
  const all = defs.data?.definitions ?? [];
  const views = ofKind(all, "featureView");
  return (
    <section className="page">
      <h1>Features</h1>
      <ErrorBox error={defs.error} />
      {!defs.data && !defs.error ? <Loading what="feature definitions" /> : null}
      {defs.data && all.length === 0 ? (
        <p className="muted">
          No feature definitions applied: define them in gyre.config.ts and run `gyre features apply`.
        </p>
      ) : null}
      {defs.data ? <p className="small muted">Registry revision {defs.data.revision}</p> : null}
      {views.length ? (
        <div className="card">
          <h2>Feature views</h2>
          <table className="table" data-testid="views">
            <thead>
              <tr>
                <th>View</th>
                <th>Entity</th>
                <th>Source</th>
                <th>TTL</th>
                <th>Features</th>
                <th className="num">Offline rows</th>
                <th className="num">Online rows</th>
                <th>Materialized until</th>
                <th>Freshness</th>
              </tr>
            </thead>
            <tbody>
              {views.map((d) => (
                <ViewRow key={d.name} def={d} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Catalog defs={all} viewLink={viewLink} />
    </section>
  );
}
