import type { AliasHistory } from "../../api/types.js";
import { formatTime } from "../../lib/format.js";
import { PALETTE } from "../../lib/theme.js";

const LANE = 28;
const LEFT = 110;

/** One lane per alias: coloured segments for the version it pointed to over time, then the list of moves. */
export function AliasTimeline({ histories }: { histories: AliasHistory[] }) {
  const events = histories.flatMap((h) => h.events);
  if (events.length === 0) return <p className="muted">No alias has moved yet.</p>;
  const now = Date.now();
  const t0 = Math.min(...events.map((e) => e.timestamp));
  const span = Math.max(1, now - t0);
  const W = 760;
  const xOf = (t: number) => LEFT + ((t - t0) / span) * (W - LEFT - 10);
  return (
    <div data-testid="alias-timeline">
      <div className="scroll-x">
        <svg
          width={W}
          height={histories.length * LANE + 24}
          role="img"
          aria-label="Alias history timeline"
          className="timeline"
        >
          {histories.map((h, lane) => {
            const y = lane * LANE + 4;
            const segs = h.events.map((e, i) => ({ e, end: h.events[i + 1]?.timestamp ?? now }));
            return (
              <g key={h.alias}>
                <text x={0} y={y + 15} className="axis-title">
                  @{h.alias}
                </text>
                {segs
                  .filter((s) => s.e.toVersion !== null)
                  .map((s) => (
                    <g key={s.e.seq}>
                      <rect
                        x={xOf(s.e.timestamp)}
                        y={y}
                        width={Math.max(2, xOf(s.end) - xOf(s.e.timestamp))}
                        height={LANE - 8}
                        rx={3}
                        fill={PALETTE[(s.e.toVersion! - 1) % PALETTE.length]}
                      >
                        <title>{`@${h.alias} → v${s.e.toVersion} from ${formatTime(s.e.timestamp)}`}</title>
                      </rect>
                      <text x={xOf(s.e.timestamp) + 4} y={y + 14} className="seg-label">
                        v{s.e.toVersion}
                      </text>
                    </g>
                  ))}
              </g>
            );
          })}
          <text x={LEFT} y={histories.length * LANE + 20} className="axis-tick">
            {formatTime(t0)}
          </text>
          <text x={W - 10} y={histories.length * LANE + 20} textAnchor="end" className="axis-tick">
            now
          </text>
        </svg>
      </div>
      <table className="table compact">
        <thead>
          <tr>
            <th>When</th>
            <th>Alias</th>
            <th>Move</th>
            <th>Who</th>
            <th>Why</th>
          </tr>
        </thead>
        <tbody>
          {[...events]
            .sort((a, b) => b.timestamp - a.timestamp || b.seq - a.seq)
            .map((e) => (
              <tr key={`${e.alias}-${e.seq}`}>
                <td>{formatTime(e.timestamp)}</td>
                <td>@{e.alias}</td>
                <td>
                  {e.fromVersion === null ? "set" : `v${e.fromVersion}`} →{" "}
                  {e.toVersion === null ? "deleted" : `v${e.toVersion}`}
                </td>
                <td>{e.userId}</td>
                <td>{e.reason ?? ""}</td>
              </tr>
            ))}
        </tbody>
      </table>
    </div>
  );
}
