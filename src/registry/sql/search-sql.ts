import { type RawBuilder, sql } from "kysely";
import {
  type Comparison,
  compileComparison,
  type FilterExpr,
  type OrderKey,
  type SqlDialect,
} from "../../metadata/index.js";

/**
 * Compiles parsed registry filters into SQL over `registered_models m` or `model_versions v`. Every value is
 * a bound parameter; columns and operators come from the closed lists below.
 */

export type RegistryTarget = "registered_models" | "model_versions";

const COLUMNS: Record<RegistryTarget, Record<string, string>> = {
  registered_models: {
    name: "m.name",
    creation_timestamp: "m.creation_time",
    last_updated_timestamp: "m.last_updated_time",
  },
  model_versions: {
    name: "v.name",
    version_number: "v.version",
    run_id: "v.run_id",
    source_path: "v.source",
    creation_timestamp: "v.creation_time",
    last_updated_timestamp: "v.last_updated_time",
  },
};

const compare = compileComparison;

/** A tag comparison: a tag with this key exists and its value matches (MLflow: a missing tag never matches). */
function tagMatch(d: SqlDialect, target: RegistryTarget, c: Comparison): RawBuilder<boolean> {
  const base =
    target === "registered_models"
      ? sql`SELECT 1 FROM registered_model_tags t WHERE t.name = m.name AND t.key = ${c.key}`
      : sql`SELECT 1 FROM model_version_tags t WHERE t.name = v.name AND t.version = v.version AND t.key = ${c.key}`;
  if (c.op === "IS NULL") return sql<boolean>`NOT EXISTS (${base})`;
  if (c.op === "IS NOT NULL") return sql<boolean>`EXISTS (${base})`;
  return sql<boolean>`EXISTS (${base} AND ${compare(d, sql.ref("t.value"), c)})`;
}

/** Compiles a filter tree into a boolean SQL expression; null matches everything. */
export function compileRegistryFilter(
  d: SqlDialect,
  target: RegistryTarget,
  expr: FilterExpr | null,
): RawBuilder<boolean> {
  if (!expr) return sql<boolean>`1 = 1`;
  if (expr.kind !== "cmp") {
    const parts = expr.items.map((e) => sql`(${compileRegistryFilter(d, target, e)})`);
    return sql<boolean>`${sql.join(parts, sql.raw(expr.kind === "and" ? " AND " : " OR "))}`;
  }
  if (expr.entity === "tags") return tagMatch(d, target, expr);
  const column = COLUMNS[target][expr.key];
  if (!column || expr.entity !== "attributes") throw new Error(`unknown ${target} field ${expr.key}`);
  return compare(d, sql.raw(column), expr);
}

/**
 * ORDER BY terms. Ties break as MLflow's do: models by name ASC; versions by name ASC, then version DESC.
 */
export function registryOrdering(target: RegistryTarget, orderBy: OrderKey[]): RawBuilder<unknown> {
  const terms: RawBuilder<unknown>[] = [];
  const keys = new Set<string>();
  for (const o of orderBy) {
    const column = COLUMNS[target][o.key];
    if (!column) throw new Error(`unknown ${target} order key ${o.key}`);
    keys.add(o.key);
    terms.push(sql`${sql.raw(column)} ${sql.raw(o.ascending ? "ASC" : "DESC")}`);
  }
  const alias = target === "registered_models" ? "m" : "v";
  if (!keys.has("name")) terms.push(sql.raw(`${alias}.name ASC`));
  if (target === "model_versions" && !keys.has("version_number")) terms.push(sql.raw("v.version DESC"));
  return sql.join(terms);
}
