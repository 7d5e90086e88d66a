import type { DuckDBConnection } from "@duckdb/node-api";
import { ident, kindOf, literal } from "./duck.js";
import type {
  ColumnProfile,
  ColumnSchema,
  Expectations,
  ValidationIssue,
  ValidationReport,
} from "./types.js";

function typeMatches(expected: NonNullable<Expectations["columns"]>[string]["type"], duck: string): boolean {
  const kind = kindOf(duck);
  if (expected === "number") return kind === "number" || kind === "integer";
  return expected === kind;
}

/** Row-level checks as one aggregate query: each expectation counts its failing rows. */
function countingChecks(schema: ColumnSchema[], expectations: Expectations) {
  const checks: Array<{ column: string; check: ValidationIssue["check"]; sql: string; what: string }> = [];
  const present = new Set(schema.map((c) => c.name));
  for (const [name, e] of Object.entries(expectations.columns ?? {})) {
    if (!present.has(name)) continue;
    const col = ident(name);
    if (e.min !== undefined)
      checks.push({
        column: name,
        check: "min",
        sql: `count(*) FILTER (WHERE ${col} < ${Number(e.min)})`,
        what: `below the minimum ${e.min}`,
      });
    if (e.max !== undefined)
      checks.push({
        column: name,
        check: "max",
        sql: `count(*) FILTER (WHERE ${col} > ${Number(e.max)})`,
        what: `above the maximum ${e.max}`,
      });
    if (e.values)
      checks.push({
        column: name,
        check: "values",
        sql: `count(*) FILTER (WHERE ${col} IS NOT NULL AND ${col}::VARCHAR NOT IN (${e.values.map(literal).join(", ") || "NULL"}))`,
        what: `with a value outside [${e.values.slice(0, 5).join(", ")}${e.values.length > 5 ? ", …" : ""}]`,
      });
    if (e.pattern)
      checks.push({
        column: name,
        check: "pattern",
        sql: `count(*) FILTER (WHERE ${col} IS NOT NULL AND NOT regexp_full_match(${col}::VARCHAR, ${literal(e.pattern)}))`,
        what: `not matching /${e.pattern}/`,
      });
  }
  return checks;
}

function schemaIssues(schema: ColumnSchema[], profile: ColumnProfile[], rows: number, ex: Expectations) {
  const issues: ValidationIssue[] = [];
  if (ex.minRows !== undefined && rows < ex.minRows)
    issues.push({
      column: null,
      check: "rows",
      failing: 0,
      message: `${rows} rows, fewer than the ${ex.minRows} expected`,
    });
  const byName = new Map(schema.map((c) => [c.name, c]));
  const nulls = new Map(profile.map((p) => [p.name, p.nulls]));
  for (const [name, e] of Object.entries(ex.columns ?? {})) {
    const col = byName.get(name);
    if (!col) {
      issues.push({
        column: name,
        check: "missing-column",
        failing: 0,
        message: `Column '${name}' is missing`,
      });
      continue;
    }
    if (e.type && !typeMatches(e.type, col.type))
      issues.push({
        column: name,
        check: "type",
        failing: 0,
        message: `Column '${name}' is ${col.type}, expected ${e.type}`,
      });
    const n = nulls.get(name) ?? 0;
    if (e.nullable === false && n > 0)
      issues.push({
        column: name,
        check: "nulls",
        failing: n,
        message: `Column '${name}' has ${n} missing values; it must have none`,
      });
  }
  if (ex.allowExtraColumns === false) {
    for (const c of schema)
      if (!(c.name in (ex.columns ?? {})))
        issues.push({
          column: c.name,
          check: "extra-column",
          failing: 0,
          message: `Column '${c.name}' is not expected`,
        });
  }
  return issues;
}

/** Checks `expectations` against the data; the report lists every failed check with its failing row count. */
export async function validate(
  conn: DuckDBConnection,
  from: string,
  schema: ColumnSchema[],
  profile: ColumnProfile[],
  rows: number,
  expectations: Expectations,
): Promise<ValidationReport> {
  const issues = schemaIssues(schema, profile, rows, expectations);
  const checks = countingChecks(schema, expectations);
  if (checks.length > 0) {
    const sql = `SELECT ${checks.map((c, i) => `${c.sql} AS c${i}`).join(", ")} FROM ${from}`;
    const counts = (await conn.runAndReadAll(sql)).getRowObjectsJS()[0] as Record<string, unknown>;
    checks.forEach((c, i) => {
      const failing = Number(counts[`c${i}`]);
      if (failing > 0)
        issues.push({
          column: c.column,
          check: c.check,
          failing,
          message: `Column '${c.column}' has ${failing} rows ${c.what}`,
        });
    });
  }
  return { valid: issues.length === 0, rows, issues };
}
