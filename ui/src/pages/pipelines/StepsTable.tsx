import { StatusBadge } from "../../components/Status.js";
import { formatDuration } from "../../lib/format.js";
import type { StepView } from "./dag.js";

/** The steps as a table (the keyboard way to pick a step; the DAG is for the eye): status, tries, time, cache. */
export function StepsTable(props: {
  views: StepView[];
  now: number;
  selected: string | null;
  onSelect(id: string): void;
}) {
  return (
    <table className="table compact" data-testid="steps">
      <thead>
        <tr>
          <th>Step</th>
          <th>Status</th>
          <th>Attempt</th>
          <th>Duration</th>
          <th>Cache</th>
        </tr>
      </thead>
      <tbody>
        {props.views.map((v) => {
          const r = v.record;
          return (
            <tr key={v.id} className={props.selected === v.id ? "selected" : ""}>
              <td>
                <button type="button" className="link" onClick={() => props.onSelect(v.id)}>
                  {v.id}
                </button>
                {v.instances.length ? <span className="muted small"> ×{v.instances.length}</span> : null}
              </td>
              <td>
                <StatusBadge status={v.status} />
              </td>
              <td>{r?.attempt || "—"}</td>
              <td>{r?.startedTime ? formatDuration((r.endedTime ?? props.now) - r.startedTime) : "—"}</td>
              <td>{v.status === "CACHED" ? "hit" : r?.cacheKey ? "miss" : "—"}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
