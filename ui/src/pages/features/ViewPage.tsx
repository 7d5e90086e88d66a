import { Link, useParams } from "react-router";
import {
  formatTtl,
  getDefinition,
  listDefinitions,
  ofKind,
  type ViewSpec,
  type ViewStats,
  viewStats,
} from "../../api/features.js";
import { ErrorBox, Facts, Loading } from "../../components/Status.js";
import { formatNumber, formatTime } from "../../lib/format.js";
import { useApi } from "../../lib/use-api.js";
import { freshness } from "./freshness.js";

/** Per-feature statistics of the offline data: null rate, then min/max/mean or the top values. */
function FeatureStats({ spec, stats }: { spec: ViewSpec; stats: ViewStats | undefined }) {
  const byName = new Map(stats?.features.map((f) => [f.name, f]));
  return (
    <table className="table" data-testid="feature-stats">
      <thead>
        <tr>
          <th>Feature</th>
          <th>Type</th>
          <th className="num">Null rate</th>
          <th className="num">Min</th>
          <th className="num">Mean</th>
          <th className="num">Max</th>
          <th>Top values</th>
        </tr>
      </thead>
      <tbody>
        {Object.entries(spec.features).map(([name, type]) => {
          const f = byName.get(name);
          return (
            <tr key={name}>
              <td>{name}</td>
              <td>{type}</td>
              <td className="num">{f ? `${(f.nullRate * 100).toFixed(1)}%` : "…"}</td>
              <td className="num">{formatNumber(f?.min ?? undefined)}</td>
              <td className="num">{formatNumber(f?.mean ?? undefined)}</td>
              <td className="num">{formatNumber(f?.max ?? undefined)}</td>
              <td className="small">{f?.top?.map((t) => `${t.value} (${t.count})`).join(", ")}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Offline rows, latest event, materialization watermark, online entities, and what that means. */
function FreshnessCard({ spec, stats }: { spec: ViewSpec; stats: ViewStats | undefined }) {
  const fresh = stats ? freshness(stats, spec.ttlSeconds) : undefined;
  return (
    <div className="card" data-testid="freshness">
      <h2>Freshness</h2>
      {stats && fresh ? (
        <Facts
          rows={[
            [
              "State",
              <span key="s" className={`badge badge-${fresh.state}`}>
                {fresh.state}
              </span>,
            ],
            ["Offline rows", String(stats.rowCount)],
            ["Latest event", formatTime(stats.latestEventTime)],
            ["Materialized until", formatTime(stats.watermark)],
            ["Online entities", String(stats.onlineRows)],
            ["Note", fresh.text],
          ]}
        />
      ) : (
        <Loading what="statistics" />
      )}
    </div>
  );
}

/** One feature view: definition, offline statistics, online freshness, and the services that use it. */
export function ViewPage() {
  const name = useParams().name!;
  const def = useApi((s) => getDefinition(name, s), [name]);
  const stats = useApi((s) => viewStats(name, s), [name], 10_000);
  const all = useApi((s) => listDefinitions(s), []);
  const spec = def.data?.kind === "featureView" ? (def.data.spec as ViewSpec) : undefined;
  const users = ofKind(all.data?.definitions ?? [], "featureService").filter((d) =>
    d.spec.features.some((f) => f.startsWith(`${name}:`)),
  );
  return (
    <section className="page">
      <p className="crumbs">
        <Link to="/features">Features</Link> / {name}
      </p>
      <h1>{name}</h1>
      <ErrorBox error={def.error ?? stats.error} />
      {!def.data && !def.error ? <Loading what="feature view" /> : null}
      {spec && def.data ? (
        <>
          {spec.description ? <p>{spec.description}</p> : null}
          <Facts
            rows={[
              ["Entity", spec.entity],
              ["Source", spec.source],
              [
                "Event time",
                spec.timestampField +
                  (spec.createdTimestampField ? ` (created: ${spec.createdTimestampField})` : ""),
              ],
              ["TTL", formatTtl(spec.ttlSeconds)],
              ["Version", `v${def.data.version} · applied ${formatTime(def.data.createdTime)}`],
              ["Digest", <code key="d">{def.data.digest.slice(0, 12)}</code>],
              [
                "Tags",
                Object.entries(spec.tags ?? {})
                  .map(([k, v]) => `${k}=${v}`)
                  .join(", ") || "—",
              ],
              ["Used by", users.map((u) => u.name).join(", ") || "no feature service"],
            ]}
          />
          <FreshnessCard spec={spec} stats={stats.data} />
          <div className="card">
            <h2>Features</h2>
            <FeatureStats spec={spec} stats={stats.data} />
          </div>
          {spec.sql ? (
            <div className="card">
              <h2>SQL</h2>
              <pre className="plain">{spec.sql}</pre>
            </div>
          ) : null}
        </>
      ) : null}
      {def.data && !spec ? (
        <p className="muted">
          '{name}' is a {def.data.kind}, not a feature view.
        </p>
      ) : null}
    </section>
  );
}
