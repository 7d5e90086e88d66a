import { type Experiment, parseFilter, parseOrderBy, type Run } from "../metadata/index.js";
import { formatTime, printFields, printTable } from "./output.js";

/** A metric or param shown as an extra column, e.g. `metrics.acc`. */
export interface RunColumn {
  entity: "metrics" | "params";
  key: string;
}

type FilterExpr = ReturnType<typeof parseFilter>;

function collectColumns(expr: FilterExpr | null, out: RunColumn[]): void {
  if (!expr) return;
  if (expr.kind !== "cmp") {
    for (const item of expr.items) collectColumns(item, out);
    return;
  }
  if (expr.entity === "metrics" || expr.entity === "params") out.push({ entity: expr.entity, key: expr.key });
}

/** The metrics and params a filter and order-by mention, in order of first mention, without repeats. */
export function columnsOf(filter: string | undefined, orderBy: string[] | undefined): RunColumn[] {
  const all: RunColumn[] = [];
  collectColumns(parseFilter(filter), all);
  for (const o of parseOrderBy(orderBy)) {
    if (o.entity === "metrics" || o.entity === "params") all.push({ entity: o.entity, key: o.key });
  }
  const seen = new Set<string>();
  return all.filter((c) => {
    const id = `${c.entity}.${c.key}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

function cell(run: Run, column: RunColumn): string {
  const list = column.entity === "metrics" ? run.data.metrics : run.data.params;
  const found = list.find((x) => x.key === column.key);
  return found === undefined ? "-" : String(found.value);
}

/** Prints runs as a table: id, name, status, start time, then one column per extra metric or param. */
export function printRuns(runs: Run[], columns: RunColumn[] = []): void {
  if (runs.length === 0) {
    process.stdout.write("No runs found.\n");
    return;
  }
  const headers = ["RUN ID", "NAME", "STATUS", "START (UTC)", ...columns.map((c) => `${c.entity}.${c.key}`)];
  const rows = runs.map((r) => [
    r.info.runId,
    r.info.runName,
    r.info.status,
    formatTime(r.info.startTime),
    ...columns.map((c) => cell(r, c)),
  ]);
  printTable(headers, rows);
}

function printSection(title: string, headers: string[], rows: string[][]): void {
  process.stdout.write(`\n${title}\n`);
  if (rows.length === 0) process.stdout.write("  (none)\n");
  else printTable(headers, rows, "  ");
}

/** Prints one run for people: its info, then params, latest metrics, tags and dataset inputs. */
export function printRun(run: Run, experiment: Experiment): void {
  const i = run.info;
  process.stdout.write(`Run ${i.runId}\n`);
  printFields([
    ["name", i.runName],
    ["experiment", `${experiment.name} (id ${i.experimentId})`],
    ["status", i.status],
    ["start (UTC)", formatTime(i.startTime)],
    ["end (UTC)", formatTime(i.endTime)],
    ["user", i.userId || "-"],
    ["stage", i.lifecycleStage],
    ["parent run", i.parentRunId ?? "-"],
    ["artifacts", i.artifactUri],
  ]);
  const d = run.data;
  printSection(
    "Params",
    ["KEY", "VALUE"],
    d.params.map((p) => [p.key, p.value]),
  );
  printSection(
    "Metrics (latest)",
    ["KEY", "VALUE", "STEP", "TIME (UTC)"],
    d.metrics.map((m) => [m.key, String(m.value), String(m.step), formatTime(m.timestamp)]),
  );
  printSection(
    "Tags",
    ["KEY", "VALUE"],
    d.tags.map((t) => [t.key, t.value]),
  );
  printSection(
    "Inputs",
    ["DATASET", "DIGEST", "SOURCE TYPE", "SOURCE"],
    run.inputs.datasetInputs.map(({ dataset: s }) => [s.name, s.digest, s.sourceType, s.source]),
  );
}
