import { Link, useNavigate, useParams } from "react-router";
import { requestText } from "../../api/client.js";
import { getVersion, lineage } from "../../api/registry.js";
import { artifactUrl, listArtifacts } from "../../api/tracking.js";
import type { ModelVersion } from "../../api/types.js";
import { Graph } from "../../components/Graph.js";
import { ErrorBox, Facts, Loading, StatusBadge } from "../../components/Status.js";
import { formatBytes, formatNumber, formatTime } from "../../lib/format.js";
import { useApi } from "../../lib/use-api.js";
import { downstreamOf } from "../deployments/downstream.js";
import { Signature } from "./Signature.js";

interface Manifest {
  flavor: string;
  model: string;
  files: Array<{ path: string; size: number; sha256: string }>;
  metrics?: Record<string, number>;
  frameworks?: Record<string, string>;
  createdAt?: string;
}

/** `runs:/<id>/<path>` → where the package's manifest is among the run's artifacts. */
function manifestLocation(v: ModelVersion): { runId: string; path: string } | null {
  const m = /^runs:\/([^/]+)\/?(.*)$/.exec(v.source);
  if (!m) return null;
  const dir = m[2]!.replace(/\/$/, "");
  return { runId: m[1]!, path: dir ? `${dir}/gyre-model.json` : "gyre-model.json" };
}

function Package({ version }: { version: ModelVersion }) {
  const loc = manifestLocation(version);
  const { data, error } = useApi(
    async (s) => {
      if (!loc) return null;
      // List first: a version without a package has no manifest, and a 404 would only clutter the console.
      const dir = loc.path.split("/").slice(0, -1).join("/");
      if (!(await listArtifacts(loc.runId, dir, s)).some((f) => f.path === loc.path)) return null;
      return JSON.parse(await requestText(artifactUrl(loc.runId, loc.path), 4 << 20, s)) as Manifest;
    },
    [version.source],
  );
  if (!loc)
    return (
      <p className="muted">
        The source {version.source} is not a run's artifacts; its files are not browsable here.
      </p>
    );
  if (error) return <ErrorBox error={error} />;
  if (data === undefined) return <Loading what="package" />;
  if (data === null) return <p className="muted">No gyre-model.json package manifest in {version.source}.</p>;
  return (
    <div data-testid="package">
      <Facts
        rows={[
          ["Flavor", data.flavor],
          ["Model file", <code key="m">{data.model}</code>],
          ["Created", data.createdAt ?? "—"],
          [
            "Frameworks",
            Object.entries(data.frameworks ?? {})
              .map(([k, v]) => `${k} ${v}`)
              .join(", ") || "—",
          ],
          [
            "Metrics",
            Object.entries(data.metrics ?? {})
              .map(([k, v]) => `${k} ${formatNumber(v)}`)
              .join(", ") || "—",
          ],
        ]}
      />
      <table className="table compact">
        <thead>
          <tr>
            <th>File</th>
            <th>Size</th>
            <th>sha256</th>
          </tr>
        </thead>
        <tbody>
          {data.files.map((f) => (
            <tr key={f.path}>
              <td>
                <Link
                  to={`/runs/${loc.runId}?tab=artifacts&file=${encodeURIComponent(loc.path.replace(/gyre-model\.json$/, "") + f.path)}`}
                >
                  {f.path}
                </Link>
              </td>
              <td>{formatBytes(f.size)}</td>
              <td className="mono small">{f.sha256.slice(0, 16)}…</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const KIND_ORDER = ["dataset", "commit", "run", "model_version", "deployment", "monitor"];

function Lineage({ name, version }: { name: string; version: string }) {
  const navigate = useNavigate();
  const { data, error } = useApi(
    async (s) => {
      const [up, down] = await Promise.all([
        lineage(name, version, s),
        downstreamOf(name, Number(version), s),
      ]);
      return { ...up, nodes: [...up.nodes, ...down.nodes], edges: [...up.edges, ...down.edges] };
    },
    [`${name}/${version}`],
  );
  if (error) return <ErrorBox error={error} />;
  if (!data) return <Loading what="lineage" />;
  const nodes = [...data.nodes]
    .sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind))
    .map((n) => ({
      id: n.id,
      className: `kind-${n.kind}`,
      // Deployment labels name the variants serving the version and their shares.
      ...(n.kind === "deployment" ? { width: 280 } : {}),
      label: (
        <div className="node-label">
          <span className="node-kind">{n.kind.replace("_", " ")}</span>
          <span className="node-title">{n.label}</span>
        </div>
      ),
    }));
  const edges = data.edges.map((e) => ({ from: e.from, to: e.to, label: e.kind.replace("_", " ") }));
  const open = (id: string) => {
    const n = data.nodes.find((x) => x.id === id);
    const runId = n?.attributes.runId;
    if (n?.kind === "run" && typeof runId === "string") navigate(`/runs/${runId}`);
    const deployment = n?.attributes.deployment;
    if (n?.kind === "deployment" && typeof deployment === "string")
      navigate(`/deployments/${encodeURIComponent(deployment)}`);
  };
  return (
    <>
      <Graph nodes={nodes} edges={edges} height={300} onNodeClick={open} testId="lineage" />
      <p className="muted small">
        Data → run → version → the deployments serving it now → their monitors; feature views join this graph
        as that component lands.
      </p>
    </>
  );
}

/** One model version: details, signature, package contents, lineage graph. */
export function VersionPage() {
  const { name = "", version = "" } = useParams();
  const { data: v, error } = useApi((s) => getVersion(name, version, s), [`${name}/${version}`], 5000);
  return (
    <section className="page">
      <p className="crumbs">
        <Link to="/models">Models</Link> / <Link to={`/models/${encodeURIComponent(name)}`}>{name}</Link> /
      </p>
      <h1>
        {name} v{version} {v ? <StatusBadge status={v.status} /> : null}
      </h1>
      <ErrorBox error={error} />
      {!v && !error ? <Loading what="version" /> : null}
      {v ? (
        <>
          <div className="cards">
            <div className="card">
              <h2>Version</h2>
              <Facts
                rows={[
                  ["Aliases", v.aliases.map((a) => `@${a}`).join(" ") || "—"],
                  [
                    "Run",
                    v.runId ? (
                      <Link key="r" to={`/runs/${v.runId}`}>
                        {v.runId}
                      </Link>
                    ) : (
                      "—"
                    ),
                  ],
                  ["Source", <code key="s">{v.source}</code>],
                  ["Registered", `${formatTime(v.creationTimestamp)} by ${v.userId || "—"}`],
                  ["Status message", v.statusMessage ?? "—"],
                  ["Description", v.description ?? "—"],
                  ["Tags", v.tags.map((t) => `${t.key}=${t.value}`).join(", ") || "—"],
                ]}
              />
            </div>
            <div className="card">
              <h2>Signature</h2>
              <Signature signature={v.signature} />
            </div>
          </div>
          <div className="card">
            <h2>Lineage</h2>
            <Lineage name={name} version={version} />
          </div>
          <div className="card">
            <h2>Package</h2>
            <Package version={v} />
          </div>
        </>
      ) : null}
    </section>
  );
}
