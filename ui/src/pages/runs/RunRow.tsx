import { memo } from "react";
import { Link } from "react-router";
import type { Run } from "../../api/types.js";
import type { Column } from "./columns.js";

function NameCell({ run }: { run: Run }) {
  const parent = run.info.parentRunId;
  return (
    <>
      {parent ? (
        <span className="nested" title={`Child of run ${parent}`}>
          ↳{" "}
        </span>
      ) : null}
      <Link to={`/runs/${run.info.runId}`} tabIndex={-1}>
        {run.info.runName || run.info.runId}
      </Link>
    </>
  );
}

interface Props {
  run: Run;
  columns: Column[];
  index: number;
  start: number;
  active: boolean;
  selected: boolean;
  onToggle(runId: string): void;
}

/**
 * One row of the runs grid, positioned by the virtualiser. Memoised: while scrolling, rows that stay in view
 * are not rendered again, only those that enter it.
 */
export const RunRow = memo(function RunRow({
  run,
  columns,
  index,
  start,
  active,
  selected,
  onToggle,
}: Props) {
  const id = run.info.runId;
  return (
    <tr
      aria-rowindex={index + 2}
      aria-selected={selected}
      className={`grid-row ${active ? "active" : ""} ${selected ? "selected" : ""}`}
      style={{ transform: `translateY(${start}px)` }}
    >
      <td className="grid-cell check">
        <input
          type="checkbox"
          aria-label={`Select ${run.info.runName}`}
          checked={selected}
          onChange={() => onToggle(id)}
          tabIndex={-1}
        />
      </td>
      {columns.map((c) => (
        <td key={c.id} className={`grid-cell ${c.numeric ? "num" : ""}`} style={{ width: c.width }}>
          {c.id === "a:name" ? (
            <NameCell run={run} />
          ) : c.id === "a:status" ? (
            <span className={`badge badge-${run.info.status.toLowerCase()}`}>{run.info.status}</span>
          ) : (
            c.value(run)
          )}
        </td>
      ))}
    </tr>
  );
});
