import type { Run } from "../../api/types.js";
import { metricValue } from "../../lib/format.js";
import { PALETTE } from "../../lib/theme.js";

interface Axis {
  name: string;
  /** Position 0..1 of each run's value on this axis, null when the run lacks it. */
  pos: Array<number | null>;
  ticks: Array<{ at: number; text: string }>;
}

function axisFor(name: string, values: Array<string | number | undefined>): Axis {
  const nums = values.map((v) => (v === undefined || v === "" ? Number.NaN : Number(v)));
  if (nums.every((n, i) => values[i] === undefined || Number.isFinite(n))) {
    const finite = nums.filter(Number.isFinite);
    const lo = Math.min(...finite);
    const hi = Math.max(...finite);
    const span = hi - lo || 1;
    return {
      name,
      pos: nums.map((n) => (Number.isFinite(n) ? (n - lo) / span : null)),
      ticks: finite.length
        ? [
            { at: 0, text: String(Number(lo.toPrecision(4))) },
            { at: 1, text: String(Number(hi.toPrecision(4))) },
          ]
        : [],
    };
  }
  const cats = [...new Set(values.filter((v) => v !== undefined).map(String))].sort();
  const at = (c: string) => (cats.length === 1 ? 0.5 : cats.indexOf(c) / (cats.length - 1));
  return {
    name,
    pos: values.map((v) => (v === undefined ? null : at(String(v)))),
    ticks: cats.map((c) => ({ at: at(c), text: c })),
  };
}

/** One axis per parameter that varies plus the chosen metric last; one polyline per run (SVG). */
export function ParallelCoordinates({ runs, metric }: { runs: Run[]; metric: string }) {
  const keys = [...new Set(runs.flatMap((r) => r.data.params.map((p) => p.key)))].sort();
  const varying = keys.filter(
    (k) => new Set(runs.map((r) => r.data.params.find((p) => p.key === k)?.value)).size > 1,
  );
  const axes = varying.map((k) =>
    axisFor(
      k,
      runs.map((r) => r.data.params.find((p) => p.key === k)?.value),
    ),
  );
  const m = runs.map((r) => {
    const v = r.data.metrics.find((x) => x.key === metric)?.value;
    return v === undefined ? undefined : metricValue(v);
  });
  axes.push(axisFor(metric, m));
  if (axes.length < 2) return <p className="muted">No parameter differs between these runs.</p>;
  const W = Math.max(480, axes.length * 140);
  const H = 260;
  const top = 30;
  const h = H - top - 30;
  const xOf = (i: number) => 60 + (i * (W - 120)) / (axes.length - 1);
  const yOf = (p: number) => top + (1 - p) * h;
  return (
    <div className="scroll-x">
      <svg
        width={W}
        height={H}
        className="parcoords"
        role="img"
        aria-label={`Parallel coordinates of parameters and ${metric}`}
      >
        {runs.map((r, ri) => {
          const pts = axes.flatMap((a, i) => (a.pos[ri] === null ? [] : [`${xOf(i)},${yOf(a.pos[ri]!)}`]));
          return (
            <polyline
              key={r.info.runId}
              points={pts.join(" ")}
              fill="none"
              stroke={PALETTE[ri % PALETTE.length]}
              strokeWidth={2}
              opacity={0.85}
            >
              <title>{r.info.runName || r.info.runId}</title>
            </polyline>
          );
        })}
        {axes.map((a, i) => (
          <g key={a.name}>
            <line x1={xOf(i)} x2={xOf(i)} y1={top} y2={top + h} className="axis-line" />
            <text x={xOf(i)} y={16} textAnchor="middle" className="axis-title">
              {a.name}
            </text>
            {a.ticks.map((t) => (
              <text key={t.text} x={xOf(i) + 6} y={yOf(t.at) + 4} className="axis-tick">
                {t.text}
              </text>
            ))}
          </g>
        ))}
      </svg>
    </div>
  );
}
