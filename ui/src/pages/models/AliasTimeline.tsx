import type { AliasHistory } from "../../api/types.js";
import { AliasLane } from "../../components/AliasLane.js";
import { formatTime } from "../../lib/format.js";

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
          {histories.map((h, lane) => (
            <AliasLane
              key={h.alias}
              history={h}
              label={`@${h.alias}`}
              y={lane * LANE + 4}
              height={LANE - 8}
              now={now}
              xOf={xOf}
            />
          ))}
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
