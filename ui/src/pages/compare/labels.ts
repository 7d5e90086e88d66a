import type { Run } from "../../api/types.js";

/** Run names as series labels; a name shared by several of the runs gets its short id appended. */
export function runLabels(runs: Run[]): string[] {
  const names = runs.map((r) => r.info.runName || r.info.runId.slice(0, 8));
  return names.map((n, i) =>
    names.indexOf(n) !== names.lastIndexOf(n) ? `${n} (${runs[i]!.info.runId.slice(0, 6)})` : n,
  );
}
