import { useCallback, useMemo, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import type { ApiError } from "../../api/client.js";
import { getExperiment } from "../../api/tracking.js";
import { ErrorBox } from "../../components/Status.js";
import { useApi } from "../../lib/use-api.js";
import { ColumnPicker } from "./ColumnPicker.js";
import { type Column, columnFor, defaultColumns } from "./columns.js";
import { FilterBox } from "./FilterBox.js";
import { RunsTable, type Sort } from "./RunsTable.js";
import { useRuns } from "./use-runs.js";

/** `metrics.loss DESC` ⇄ { column, desc }. */
function parseSort(order: string | null): Sort | null {
  const m = order ? /^(.*?)(?:\s+(ASC|DESC))?$/i.exec(order.trim()) : null;
  return m?.[1] ? { column: m[1], desc: (m[2] ?? "ASC").toUpperCase() === "DESC" } : null;
}

/** An experiment's runs: filter (URL `filter`), sort (`order`), columns (`cols`), selection → Compare. */
export function RunsPage() {
  const { experimentId = "0" } = useParams();
  const [search, setSearch] = useSearchParams();
  const navigate = useNavigate();
  const filter = search.get("filter") ?? "";
  const order = search.get("order");
  const sort = parseSort(order);
  const orderBy = useMemo(() => (order ? [order] : []), [order]);
  const exp = useApi((s) => getExperiment(experimentId, s), [experimentId]);
  const [nonce, setNonce] = useState(0);
  const { runs, error, loading, more, loadMore } = useRuns(experimentId, filter, orderBy, nonce);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const cols = search.get("cols");
  // Defaults come from the first page only, so columns (and memoised rows) stay put as more pages load.
  const first = runs.length > 0 ? runs[0]!.info.runId : "";
  // biome-ignore lint/correctness/useExhaustiveDependencies: recomputed per search (first run), not per page
  const defaults = useMemo(() => defaultColumns(runs), [first]);
  const ids = useMemo(() => (cols ? cols.split(",").filter(Boolean) : defaults), [cols, defaults]);
  const columns = useMemo(() => ids.map(columnFor).filter((c): c is Column => c !== null), [ids]);

  const update = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(search);
    for (const [k, v] of Object.entries(changes))
      if (v) next.set(k, v);
      else next.delete(k);
    setSearch(next);
  };
  const onSort = (c: Column) => {
    const desc = sort?.column === c.sortKey ? !sort.desc : c.kind === "metric" || c.id === "a:start";
    update({ order: `${c.sortKey} ${desc ? "DESC" : "ASC"}` });
  };
  const toggle = useCallback((id: string) => {
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  }, []);
  const toggleAll = () =>
    setSelected((s) =>
      runs.every((r) => s.has(r.info.runId)) ? new Set() : new Set(runs.map((r) => r.info.runId)),
    );
  const syntax = (error as ApiError | undefined)?.code === "TRACKING_SEARCH_SYNTAX";

  return (
    <section className="page runs-page">
      <p className="crumbs">
        <Link to="/experiments">Experiments</Link> /
      </p>
      <h1>{exp.data?.name ?? `Experiment ${experimentId}`}</h1>
      <ErrorBox error={exp.error} />
      <div className="toolbar">
        <FilterBox
          value={filter}
          onApply={(f) => update({ filter: f || null })}
          error={error as ApiError | undefined}
        />
      </div>
      <div className="toolbar">
        <ColumnPicker runs={runs} columns={ids} onChange={(c) => update({ cols: c.join(",") })} />
        <button
          type="button"
          disabled={selected.size < 1}
          onClick={() => navigate(`/compare?runs=${[...selected].join(",")}`)}
        >
          Compare ({selected.size})
        </button>
        <button type="button" onClick={() => setNonce((n) => n + 1)}>
          Refresh
        </button>
        <span className="muted" data-testid="run-count">
          {loading ? "Loading…" : `${runs.length}${more ? "+" : ""} runs`}
        </span>
      </div>
      {!syntax ? <ErrorBox error={error} /> : null}
      <RunsTable
        runs={runs}
        columns={columns}
        sort={sort}
        onSort={onSort}
        selected={selected}
        onToggle={toggle}
        onToggleAll={toggleAll}
        onNearEnd={loadMore}
      />
    </section>
  );
}
