/** Small inline SVG charts for reports: reference vs current distribution overlays and a line over time. */
import type { DistributionSummary } from "../summary.js";

const W = 360;
const H = 120;
const PAD = 18;

/** Escapes text for HTML and SVG. */
export function esc(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

const round = (v: number) => Math.round(v * 10) / 10;

/** Reference (grey) and current (blue) shares per bin or category, side by side. */
export function overlaySvg(s: DistributionSummary, title: string): string {
  const n = s.reference.length;
  const max = Math.max(...s.reference, ...s.current, 1e-9);
  const slot = (W - 2 * PAD) / Math.max(n, 1);
  const bar = Math.max(1, slot / 2 - 1);
  const y = (v: number) => round(H - PAD - ((H - 2 * PAD) * v) / max);
  const bars: string[] = [];
  for (let i = 0; i < n; i++) {
    const x = PAD + i * slot;
    bars.push(
      `<rect x="${round(x)}" y="${y(s.reference[i]!)}" width="${round(bar)}" height="${round(H - PAD - y(s.reference[i]!))}" fill="#9ca3af"/>`,
    );
    bars.push(
      `<rect x="${round(x + bar)}" y="${y(s.current[i]!)}" width="${round(bar)}" height="${round(H - PAD - y(s.current[i]!))}" fill="#2563eb"/>`,
    );
  }
  const labels =
    s.kind === "numeric"
      ? `<text x="${PAD}" y="${H - 4}">${fmt(s.edges[0]!)}</text><text x="${W - PAD}" y="${H - 4}" text-anchor="end">${fmt(s.edges[s.edges.length - 1]!)}</text>`
      : s.categories
          .slice(0, 8)
          .map(
            (c, i) =>
              `<text x="${round(PAD + i * slot + slot / 2)}" y="${H - 4}" text-anchor="middle">${esc(c.slice(0, 8))}</text>`,
          )
          .join("");
  return `<svg role="img" aria-label="${esc(title)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}"><title>${esc(title)}</title>${bars.join("")}<line x1="${PAD}" y1="${H - PAD}" x2="${W - PAD}" y2="${H - PAD}" stroke="#374151"/>${labels}</svg>`;
}

/** One line per series over time (x = window end), with min/max labels. */
export function lineSvg(
  series: { name: string; points: { t: number; v: number }[] }[],
  title: string,
): string {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return "";
  const t0 = Math.min(...all.map((p) => p.t));
  const t1 = Math.max(...all.map((p) => p.t));
  const v0 = Math.min(...all.map((p) => p.v));
  const v1 = Math.max(...all.map((p) => p.v));
  const x = (t: number) => round(PAD + ((W - 2 * PAD) * (t - t0)) / Math.max(t1 - t0, 1));
  const y = (v: number) => round(H - PAD - ((H - 2 * PAD) * (v - v0)) / Math.max(v1 - v0, 1e-9));
  const colors = ["#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed"];
  const lines = series.map((s, i) => {
    const pts = [...s.points]
      .sort((a, b) => a.t - b.t)
      .map((p) => `${x(p.t)},${y(p.v)}`)
      .join(" ");
    return `<polyline fill="none" stroke="${colors[i % colors.length]}" stroke-width="2" points="${pts}"/><text x="${W - PAD}" y="${12 + 12 * i}" text-anchor="end" fill="${colors[i % colors.length]}">${esc(s.name)}</text>`;
  });
  return `<svg role="img" aria-label="${esc(title)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}"><title>${esc(title)}</title>${lines.join("")}<text x="2" y="${PAD}">${fmt(v1)}</text><text x="2" y="${H - PAD}">${fmt(v0)}</text></svg>`;
}

/** A compact number for labels. */
export function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}
