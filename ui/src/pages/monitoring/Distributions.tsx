import type { DistributionSummary, FeatureReport } from "../../api/monitoring.js";
import { formatNumber } from "../../lib/format.js";

const W = 320;
const H = 120;

/** Reference (outline) and current (filled) shares per bin or category, as an SVG overlay. */
function Overlay({ s, name }: { s: DistributionSummary; name: string }) {
  const n = s.reference.length;
  const max = Math.max(...s.reference, ...s.current, 1e-9);
  const bw = W / Math.max(n, 1);
  const h = (v: number) => (v / max) * (H - 4);
  const label = (i: number) =>
    s.kind === "categorical"
      ? (s.categories[i] ?? "")
      : `${formatNumber(s.edges[i])} – ${formatNumber(s.edges[i + 1])}`;
  return (
    <svg
      viewBox={`0 0 ${W} ${H}`}
      width="100%"
      height={H}
      role="img"
      aria-label={`${name}: reference vs current distribution`}
      className="overlay"
    >
      {s.current.map((v, i) => (
        <rect key={`c${label(i)}`} x={i * bw + 1} y={H - h(v)} width={bw - 2} height={h(v)} className="cur">
          <title>{`${label(i)}: current ${(v * 100).toFixed(1)}%, reference ${((s.reference[i] ?? 0) * 100).toFixed(1)}%`}</title>
        </rect>
      ))}
      {s.reference.map((v, i) => (
        <rect key={`r${label(i)}`} x={i * bw + 1} y={H - h(v)} width={bw - 2} height={h(v)} className="ref" />
      ))}
    </svg>
  );
}

function axis(s: DistributionSummary): string {
  if (s.kind === "categorical") return s.categories.join(" · ");
  return `${formatNumber(s.edges[0])} … ${formatNumber(s.edges[s.edges.length - 1])}`;
}

/** One card per feature: reference vs current distribution, and its drift verdicts. */
export function Distributions({ features }: { features: FeatureReport[] }) {
  const shown = features.filter((f) => f.summary);
  if (shown.length === 0) return <p className="muted">No binned distributions for this window.</p>;
  return (
    <div className="cards" data-testid="distributions">
      {shown.map((f) => (
        <div className="card dist" key={f.feature} data-testid={`dist-${f.feature}`}>
          <h3>
            {f.feature}{" "}
            {f.drifted === null ? null : (
              <span className={`badge badge-${f.drifted ? "drift" : "stable"}`}>
                {f.drifted ? "drift" : "stable"}
              </span>
            )}
          </h3>
          <Overlay s={f.summary!} name={f.feature} />
          <p className="small muted">{axis(f.summary!)}</p>
          <p className="small">
            {f.drift
              .map(
                (d) =>
                  `${d.method} ${d.status === "ok" ? formatNumber(d.score ?? undefined) : d.status}, threshold ${formatNumber(d.threshold)}`,
              )
              .join(" · ")}
            {f.quality.missingShare > 0 ? ` · missing ${(f.quality.missingShare * 100).toFixed(1)}%` : ""}
          </p>
        </div>
      ))}
    </div>
  );
}
