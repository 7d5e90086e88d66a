import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef, useState } from "react";
import { useNavigate } from "react-router";
import type { Run } from "../../api/types.js";
import type { Column } from "./columns.js";
import { RunRow } from "./RunRow.js";

const ROW = 32;

export interface Sort {
  column: string;
  desc: boolean;
}

interface Props {
  runs: Run[];
  columns: Column[];
  sort: Sort | null;
  onSort(column: Column): void;
  selected: Set<string>;
  onToggle(runId: string): void;
  onToggleAll(): void;
  /** Called when the visible window nears the end of the loaded runs. */
  onNearEnd(): void;
}

function SortMark({ column, sort }: { column: Column; sort: Sort | null }) {
  if (sort?.column !== column.sortKey) return null;
  return <span aria-hidden="true">{sort.desc ? " ▼" : " ▲"}</span>;
}

/**
 * The runs grid: only visible rows are in the DOM (TanStack Virtual), so 100,000 runs scroll as smoothly as 100.
 * Keyboard: arrows, Page Up/Down, Home/End move the focus row; Space selects it; Enter opens it.
 */
export function RunsTable(props: Props) {
  const { runs, columns, selected } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const navigate = useNavigate();
  const [active, setActive] = useState(0);
  const v = useVirtualizer({
    count: runs.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW,
    overscan: 12,
    // Let React batch scroll updates with the frame instead of rendering synchronously in each scroll event.
    useFlushSync: false,
  });
  const items = v.getVirtualItems();
  const last = items[items.length - 1]?.index ?? 0;
  const { onNearEnd } = props;
  useEffect(() => {
    if (runs.length > 0 && last >= runs.length - 100) onNearEnd();
  }, [last, runs.length, onNearEnd]);
  useEffect(() => {
    if (runs.length === 0 || performance.getEntriesByName("gyre:runs-table").length > 0) return;
    // First rows on screen; once the browser has painted them and is free for input, the table is interactive.
    performance.mark("gyre:runs-table");
    requestAnimationFrame(() => setTimeout(() => performance.mark("gyre:runs-interactive")));
  }, [runs.length]);

  const width = 36 + columns.reduce((s, c) => s + c.width, 0);
  const move = (to: number) => {
    const i = Math.max(0, Math.min(runs.length - 1, to));
    setActive(i);
    v.scrollToIndex(i, { align: "auto" });
  };
  const onKey = (e: React.KeyboardEvent) => {
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? 320) / ROW) - 1);
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(active + 1),
      ArrowUp: () => move(active - 1),
      PageDown: () => move(active + page),
      PageUp: () => move(active - page),
      Home: () => move(0),
      End: () => move(runs.length - 1),
      " ": () => runs[active] && props.onToggle(runs[active].info.runId),
      Enter: () => runs[active] && navigate(`/runs/${runs[active].info.runId}`),
    };
    const action = keys[e.key];
    if (!action || e.target !== e.currentTarget) return;
    e.preventDefault();
    action();
  };
  const allSelected = runs.length > 0 && runs.every((r) => selected.has(r.info.runId));

  return (
    <div className="grid" ref={scroller} data-testid="runs-grid">
      <table
        className="grid-table"
        // biome-ignore lint/a11y/noNoninteractiveElementToInteractiveRole: WAI-ARIA's data grid pattern is a table with role=grid
        role="grid"
        aria-rowcount={runs.length + 1}
        aria-label="Runs"
        tabIndex={0}
        onKeyDown={onKey}
        style={{ width }}
      >
        <thead className="grid-head">
          <tr>
            <th className="grid-cell check">
              <input
                type="checkbox"
                aria-label="Select all loaded runs"
                checked={allSelected}
                onChange={props.onToggleAll}
              />
            </th>
            {columns.map((c) => (
              <th
                key={c.id}
                className={`grid-cell ${c.numeric ? "num" : ""} kind-${c.kind}`}
                style={{ width: c.width }}
                aria-sort={
                  props.sort?.column === c.sortKey
                    ? props.sort?.desc
                      ? "descending"
                      : "ascending"
                    : undefined
                }
              >
                {c.sortKey ? (
                  <button
                    type="button"
                    className="link"
                    onClick={() => props.onSort(c)}
                    title={`Sort by ${c.sortKey}`}
                  >
                    {c.label}
                    <SortMark column={c} sort={props.sort} />
                  </button>
                ) : (
                  c.label
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody style={{ height: v.getTotalSize() }}>
          {items.map((item) => {
            const run = runs[item.index]!;
            return (
              <RunRow
                key={run.info.runId}
                run={run}
                columns={columns}
                index={item.index}
                start={item.start}
                active={item.index === active}
                selected={selected.has(run.info.runId)}
                onToggle={props.onToggle}
              />
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
