import { type RawBuilder, sql } from "kysely";
import type { Comparison, FilterExpr, OrderKey } from "../search/ast.js";
import type { ViewType } from "../types.js";
import type { SqlDialect } from "./dialect.js";

/**
 * Compiles a parsed filter into a SQL boolean expression over `runs r` (or `experiments e`).
 * Every value is a bound parameter; operators and column names come from closed lists below.
 */

const SQL_OPS: Record<string, string> = {
  "=": "=",
  "!=": "<>",
  "<": "<",
  "<=": "<=",
  ">": ">",
  ">=": ">=",
  LIKE: "LIKE",
};

const RUN_ATTRIBUTES: Record<string, string> = {
  run_id: "r.run_uuid",
  run_name: "r.name",
  status: "r.status",
  user_id: "r.user_id",
  artifact_uri: "r.artifact_uri",
  start_time: "r.start_time",
  end_time: "r.end_time",
  lifecycle_stage: "r.lifecycle_stage",
};

const EXPERIMENT_ATTRIBUTES: Record<string, string> = {
  experiment_id: "e.experiment_id",
  name: "e.name",
  creation_time: "e.creation_time",
  last_update_time: "e.last_update_time",
};

type Target = "runs" | "experiments";

/** `column op value` for one comparison, where `column` is a trusted SQL fragment; values are bound. */
export function compare(d: SqlDialect, column: RawBuilder<unknown>, c: Comparison): RawBuilder<boolean> {
  switch (c.op) {
    case "IS NULL":
      return sql<boolean>`${column} IS NULL`;
    case "IS NOT NULL":
      return sql<boolean>`${column} IS NOT NULL`;
    case "ILIKE":
      return d.ilike(column, String(c.value));
    case "IN":
    case "NOT IN": {
      const values = (c.value as string[]).map((v) => sql`${v}`);
      return sql<boolean>`${column} ${sql.raw(c.op)} (${sql.join(values)})`;
    }
    default: {
      const op = SQL_OPS[c.op];
      if (!op) throw new Error(`unsupported operator ${c.op}`);
      return sql<boolean>`${column} ${sql.raw(op)} ${c.value}`;
    }
  }
}

/** Where a child-table comparison looks: the table, and its column naming the run or experiment. */
interface Child {
  table: string;
  owner: "run_uuid" | "experiment_id";
}

function childOf(target: Target, c: Comparison): Child | null {
  if (target === "experiments")
    return c.entity === "tags" ? { table: "experiment_tags", owner: "experiment_id" } : null;
  if (c.entity === "metrics") return { table: "latest_metrics", owner: "run_uuid" };
  if (c.entity === "params" || c.entity === "tags") return { table: c.entity, owner: "run_uuid" };
  return null;
}

const ownerColumn = (target: Target) => sql.raw(target === "runs" ? "r.run_uuid" : "e.experiment_id");

/** The ids of owners with a row for this key whose value matches: read once from the (key, value, owner) index. */
function childIds(d: SqlDialect, child: Child, c: Comparison): RawBuilder<unknown> {
  const base = sql`SELECT x.${sql.raw(child.owner)} FROM ${sql.raw(child.table)} x WHERE x.key = ${c.key}`;
  if (c.op === "IS NOT NULL") return base;
  const nan = child.table === "latest_metrics" ? sql` AND x.is_nan = 0` : sql``;
  return sql`${base}${nan} AND ${compare(d, sql.ref("x.value"), c)}`;
}

/**
 * A child-table comparison: a row with this key whose value matches exists; IS NULL means no such row.
 * Matches are an uncorrelated `owner IN (SELECT owner …)` rather than a probe of the child table per run.
 */
function childExists(d: SqlDialect, target: Target, child: Child, c: Comparison): RawBuilder<boolean> {
  const owner = ownerColumn(target);
  if (c.op === "IS NULL") {
    return sql<boolean>`NOT EXISTS (SELECT 1 FROM ${sql.raw(child.table)} x
      WHERE x.${sql.raw(child.owner)} = ${owner} AND x.key = ${c.key})`;
  }
  return sql<boolean>`${owner} IN (${childIds(d, child, c)})`;
}

function datasetExists(d: SqlDialect, c: Comparison): RawBuilder<boolean> {
  const column =
    c.key === "context"
      ? sql`(SELECT it.value FROM input_tags it WHERE it.input_uuid = i.input_uuid AND it.key = 'mlflow.data.context')`
      : sql.ref(`ds.${c.key === "digest" ? "digest" : "name"}`);
  const match = compare(d, column, c);
  return sql<boolean>`EXISTS (SELECT 1 FROM inputs i JOIN datasets ds ON ds.dataset_uuid = i.dataset_uuid
    WHERE i.run_uuid = r.run_uuid AND ${match})`;
}

function comparison(d: SqlDialect, target: Target, c: Comparison): RawBuilder<boolean> {
  switch (c.entity) {
    case "metrics":
    case "params":
    case "tags":
      return childExists(d, target, childOf(target, c)!, c);
    case "datasets":
      return datasetExists(d, c);
    case "attributes": {
      const column = (target === "runs" ? RUN_ATTRIBUTES : EXPERIMENT_ATTRIBUTES)[c.key];
      if (!column) throw new Error(`unknown attribute ${c.key}`);
      return compare(d, sql.raw(column), c);
    }
  }
}

/**
 * Compiles a filter tree; null means "no filter". Within one AND (OR) node, the child-table comparisons
 * become one `owner IN (… INTERSECT …)` (`UNION`): the engine combines the id sets once, then tests
 * each run against one set instead of one per comparison.
 */
export function compileFilter(d: SqlDialect, target: Target, expr: FilterExpr | null): RawBuilder<boolean> {
  if (!expr) return sql<boolean>`1 = 1`;
  if (expr.kind === "cmp") return comparison(d, target, expr);
  const sets: RawBuilder<unknown>[] = [];
  const parts: RawBuilder<unknown>[] = [];
  for (const e of expr.items) {
    const child = e.kind === "cmp" && e.op !== "IS NULL" ? childOf(target, e) : null;
    if (child && e.kind === "cmp") sets.push(childIds(d, child, e));
    else parts.push(sql`(${compileFilter(d, target, e)})`);
  }
  const and = expr.kind === "and";
  if (sets.length > 0)
    parts.unshift(
      sql`${ownerColumn(target)} IN (${sql.join(sets, sql.raw(and ? " INTERSECT " : " UNION "))})`,
    );
  return sql<boolean>`${sql.join(parts, sql.raw(and ? " AND " : " OR "))}`;
}

export function viewTypeClause(alias: string, viewType: ViewType): RawBuilder<boolean> {
  const col = sql.raw(`${alias}.lifecycle_stage`);
  if (viewType === "ALL") return sql<boolean>`1 = 1`;
  return sql<boolean>`${col} = ${viewType === "DELETED_ONLY" ? "deleted" : "active"}`;
}

/**
 * Joins and ORDER BY terms for run search. Missing values sort last in both directions; for metrics,
 * NaN sorts after numbers and before missing (MLflow's order). Ties break on start_time DESC, run id ASC.
 */
export function runOrdering(orderBy: OrderKey[]): { joins: RawBuilder<unknown>; terms: RawBuilder<unknown> } {
  const joins: RawBuilder<unknown>[] = [];
  const terms: RawBuilder<unknown>[] = [];
  let hasStart = false;
  orderBy.forEach((o, i) => {
    const dir = sql.raw(o.ascending ? "ASC" : "DESC");
    if (o.entity === "attributes") {
      const col = RUN_ATTRIBUTES[o.key];
      if (!col) throw new Error(`unknown attribute ${o.key}`);
      if (o.key === "start_time") hasStart = true;
      terms.push(sql`(${sql.raw(col)} IS NULL)`, sql`${sql.raw(col)} ${dir}`);
      return;
    }
    const alias = sql.raw(`o${i}`);
    const table = sql.raw(o.entity === "metrics" ? "latest_metrics" : o.entity);
    joins.push(
      sql`LEFT JOIN ${table} ${alias} ON ${alias}.run_uuid = r.run_uuid AND ${alias}.key = ${o.key}`,
    );
    if (o.entity === "metrics") {
      terms.push(sql`CASE WHEN ${alias}.is_nan = 1 THEN 1 WHEN ${alias}.value IS NULL THEN 2 ELSE 0 END`);
    } else {
      terms.push(sql`(${alias}.value IS NULL)`);
    }
    terms.push(sql`${alias}.value ${dir}`);
  });
  if (!hasStart) terms.push(sql`r.start_time DESC`);
  terms.push(sql`r.run_uuid ASC`);
  return { joins: sql.join(joins, sql` `), terms: sql.join(terms) };
}

/** ORDER BY for experiment search; default creation_time DESC, then experiment_id. */
export function experimentOrdering(orderBy: OrderKey[]): RawBuilder<unknown> {
  const terms: RawBuilder<unknown>[] = [];
  for (const o of orderBy) {
    const col = EXPERIMENT_ATTRIBUTES[o.key];
    if (!col) throw new Error(`unknown experiment order key ${o.key}`);
    terms.push(sql`${sql.raw(col)} ${sql.raw(o.ascending ? "ASC" : "DESC")}`);
  }
  if (orderBy.length === 0) terms.push(sql`e.creation_time DESC`);
  terms.push(sql`e.experiment_id ASC`);
  return sql.join(terms);
}
