import { useState } from "react";
import type { Run } from "../../api/types.js";
import { formatNumber } from "../../lib/format.js";
import { runLabels } from "./labels.js";

/** Params (and latest metrics) in one row per key, one column per run; rows whose values differ are marked. */
export function ParamDiff({ runs }: { runs: Run[] }) {
  const [onlyDiff, setOnlyDiff] = useState(false);
  const labels = runLabels(runs);
  const params = [...new Set(runs.flatMap((r) => r.data.params.map((p) => p.key)))].sort();
  const metrics = [...new Set(runs.flatMap((r) => r.data.metrics.map((m) => m.key)))].sort();
  const rows = [
    ...params.map((k) => ({
      kind: "param",
      key: k,
      values: runs.map((r) => r.data.params.find((p) => p.key === k)?.value),
    })),
    ...metrics.map((k) => ({
      kind: "metric",
      key: k,
      values: runs.map((r) => {
        const v = r.data.metrics.find((m) => m.key === k)?.value;
        return v === undefined ? undefined : formatNumber(v);
      }),
    })),
  ].map((r) => ({ ...r, differs: new Set(r.values.map(String)).size > 1 }));
  return (
    <>
      <label>
        <input type="checkbox" checked={onlyDiff} onChange={(e) => setOnlyDiff(e.target.checked)} /> Only rows
        that differ
      </label>
      <div className="scroll-x">
        <table className="table compact" data-testid="param-diff">
          <thead>
            <tr>
              <th />
              {runs.map((r, i) => (
                <th key={r.info.runId}>{labels[i]}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows
              .filter((r) => !onlyDiff || r.differs)
              .map((r) => (
                <tr key={`${r.kind}:${r.key}`} className={r.differs ? "differs" : ""}>
                  <th>
                    <span className="muted small">{r.kind}</span> {r.key}
                  </th>
                  {r.values.map((v, i) => (
                    <td key={runs[i]!.info.runId}>{v ?? "—"}</td>
                  ))}
                </tr>
              ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
