import { type RefObject, useLayoutEffect, useRef, useState } from "react";
import type { DeploymentDetail, TimelineEvent } from "../../api/deployments.js";
import { AliasLane } from "../../components/AliasLane.js";
import { formatTime } from "../../lib/format.js";

const LANE = 28;
const LEFT = 150;
const MIN_WIDTH = 600;

/** The element's width, following resizes. */
function useWidth(ref: RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(MIN_WIDTH);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setWidth(Math.max(MIN_WIDTH, el.clientWidth));
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    measure();
    return () => observer.disconnect();
  }, [ref]);
  return width;
}

type Timeline = DeploymentDetail["timeline"];

/** Lanes: the deployment's own changes as markers, then each followed alias as segments of the version it served. */
function Lanes({ timeline }: { timeline: Timeline }) {
  const host = useRef<HTMLDivElement>(null);
  const W = useWidth(host);
  const now = Date.now();
  const t0 = Math.min(...timeline.events.map((e) => e.time));
  const span = Math.max(1, now - t0);
  const xOf = (t: number) => LEFT + ((t - t0) / span) * (W - LEFT - 16);
  const changes = timeline.events.filter((e) => e.kind === "deployment");
  const models = new Set(timeline.aliases.map((h) => h.name));
  const height = (timeline.aliases.length + 1) * LANE + 24;
  return (
    <div className="scroll-x" ref={host}>
      <svg width={W} height={height} role="img" aria-label="Version timeline" className="timeline">
        <text x={0} y={15} className="axis-title">
          deployment
        </text>
        <line x1={LEFT} x2={W - 16} y1={10} y2={10} className="axis-line" />
        {changes.map((e) => (
          <circle
            key={`${e.time}-${e.summary}`}
            cx={xOf(e.time)}
            cy={10}
            r={6}
            className={`marker marker-${e.action}`}
            data-testid="timeline-marker"
          >
            <title>{`${formatTime(e.time)}: ${e.summary}`}</title>
          </circle>
        ))}
        {timeline.aliases.map((h, lane) => (
          <AliasLane
            key={`${h.name}@${h.alias}`}
            history={h}
            label={models.size > 1 ? `${h.name}@${h.alias}` : `@${h.alias}`}
            y={(lane + 1) * LANE + 4}
            height={LANE - 8}
            now={now}
            xOf={xOf}
          />
        ))}
        <text x={LEFT} y={height - 4} className="axis-tick">
          {formatTime(t0)}
        </text>
        <text x={W - 16} y={height - 4} textAnchor="end" className="axis-tick">
          now
        </text>
      </svg>
    </div>
  );
}

function kindOf(e: TimelineEvent): string {
  return e.kind === "alias"
    ? "alias"
    : e.action === "create"
      ? "created"
      : e.action === "delete"
        ? "deleted"
        : "traffic";
}

/** The version timeline of a deployment: lanes over time, then every event newest first. */
export function VersionTimeline({ timeline }: { timeline: Timeline }) {
  if (timeline.events.length === 0)
    return (
      <p className="muted">
        No recorded changes: the deployment is declared in gyre.config.ts and follows pinned versions.
      </p>
    );
  return (
    <div data-testid="version-timeline">
      <Lanes timeline={timeline} />
      <table className="table compact" data-testid="timeline-events">
        <thead>
          <tr>
            <th>When</th>
            <th>Kind</th>
            <th>Change</th>
            <th>Who</th>
            <th>Why</th>
          </tr>
        </thead>
        <tbody>
          {timeline.events.map((e) => (
            <tr key={`${e.time}-${e.kind}-${e.alias ?? ""}-${e.summary}`}>
              <td>{formatTime(e.time)}</td>
              <td>
                <span className={`badge badge-event-${kindOf(e)}`}>{kindOf(e)}</span>
              </td>
              <td>{e.summary}</td>
              <td>{e.userId ?? ""}</td>
              <td>{e.reason ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
