import type { AliasHistory } from "../api/types.js";
import { formatTime } from "../lib/format.js";
import { PALETTE } from "../lib/theme.js";

/**
 * One alias as a lane of an SVG timeline: its label, then a coloured segment per version it pointed to, from
 * each move until the next (or `now`); deleted stretches stay empty.
 */
export function AliasLane({
  history,
  label,
  y,
  height,
  now,
  xOf,
}: {
  history: AliasHistory;
  label: string;
  y: number;
  height: number;
  now: number;
  xOf: (time: number) => number;
}) {
  const segments = history.events.map((e, i) => ({ e, end: history.events[i + 1]?.timestamp ?? now }));
  return (
    <g>
      <text x={0} y={y + 15} className="axis-title">
        {label}
      </text>
      {segments
        .filter((s) => s.e.toVersion !== null)
        .map((s) => (
          <g key={s.e.seq}>
            <rect
              x={xOf(s.e.timestamp)}
              y={y}
              width={Math.max(2, xOf(s.end) - xOf(s.e.timestamp))}
              height={height}
              rx={3}
              fill={PALETTE[(s.e.toVersion! - 1) % PALETTE.length]}
            >
              <title>{`${history.name}@${history.alias} → v${s.e.toVersion} from ${formatTime(s.e.timestamp)}`}</title>
            </rect>
            <text x={xOf(s.e.timestamp) + 4} y={y + 14} className="seg-label">
              v{s.e.toVersion}
            </text>
          </g>
        ))}
    </g>
  );
}
