import { describe, expect, it } from "vitest";
import { GyreError } from "../../core/errors.js";
import type { Comparison, FilterEntity, FilterExpr, FilterOp } from "./index.js";
import { parseFilter, parseOrderBy } from "./index.js";

function cmp(
  entity: FilterEntity,
  key: string,
  op: FilterOp,
  value: Comparison["value"],
  pos = 0,
): Comparison {
  return { kind: "cmp", entity, key, op, value, pos };
}

/** Parses a filter that must consist of a single comparison. */
function one(filter: string, target: "runs" | "experiments" = "runs"): Comparison {
  const expr = parseFilter(filter, target);
  if (expr?.kind !== "cmp") throw new Error(`expected one comparison, got ${JSON.stringify(expr)}`);
  return expr;
}

/** Strips positions from a whole tree. */
function shape(expr: FilterExpr | null): unknown {
  if (expr === null) return null;
  if (expr.kind === "cmp") return `${expr.entity}.${expr.key} ${expr.op} ${JSON.stringify(expr.value)}`;
  return { [expr.kind]: expr.items.map(shape) };
}

/** Asserts a positioned TRACKING_SEARCH_SYNTAX error; `at` is an offset or the text found at that offset. */
function syntaxError(run: () => unknown, input: string, at: number | string, fragment?: string): GyreError {
  const position = typeof at === "number" ? at : input.indexOf(at);
  expect(position).toBeGreaterThanOrEqual(0);
  let caught: unknown;
  try {
    run();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(GyreError);
  const err = caught as GyreError;
  expect(err.code).toBe("TRACKING_SEARCH_SYNTAX");
  expect(err.details?.["position"]).toBe(position);
  expect(err.message).toContain(`at position ${position}:`);
  if (fragment !== undefined) expect(err.message).toContain(fragment);
  return err;
}

function filterError(
  filter: string,
  at: number | string,
  fragment?: string,
  target?: "runs" | "experiments",
) {
  const err = syntaxError(() => parseFilter(filter, target), filter, at, fragment);
  expect(err.field).toBe("filter");
  expect(err.message).toMatch(/^Invalid filter at position \d+: /);
  return err;
}

describe("parseFilter: empty input", () => {
  it.each([undefined, null, "", "   ", "\n\t"])("returns null for %j", (f) => {
    expect(parseFilter(f)).toBeNull();
  });
});

describe("parseFilter: MLflow documentation examples", () => {
  it("metrics.rmse < 1 and params.model = 'tree'", () => {
    expect(parseFilter("metrics.rmse < 1 and params.model = 'tree'")).toEqual({
      kind: "and",
      items: [cmp("metrics", "rmse", "<", 1, 0), cmp("params", "model", "=", "tree", 21)],
    });
  });
  it("quoted tag keys with dots", () => {
    expect(one(`tags."mlflow.source.type" = 'LOCAL'`)).toMatchObject({
      key: "mlflow.source.type",
      value: "LOCAL",
    });
    expect(one("tags.`mlflow.user` = 'alice'")).toMatchObject({ entity: "tags", key: "mlflow.user" });
    expect(one("tags.mlflow.user = 'alice'")).toMatchObject({ entity: "tags", key: "mlflow.user" });
  });
  it("attributes.run_id IN ('a','b')", () => {
    expect(one("attributes.run_id IN ('a','b')")).toEqual(cmp("attributes", "run_id", "IN", ["a", "b"]));
  });
  it("attributes.start_time >= 1664067852747", () => {
    expect(one("attributes.start_time >= 1664067852747").value).toBe(1664067852747);
  });
  it("more examples from the search-runs guide", () => {
    expect(shape(parseFilter("metrics.accuracy > 0.72 AND params.model = 'CNN'"))).toEqual({
      and: ["metrics.accuracy > 0.72", 'params.model = "CNN"'],
    });
    expect(one("attributes.status = 'FINISHED'")).toMatchObject({ key: "status", value: "FINISHED" });
    expect(one("attributes.run_name = 'my-run'")).toMatchObject({ key: "run_name", value: "my-run" });
    expect(one("tags.`mlflow.runName` ILIKE '%fast%'")).toMatchObject({ op: "ILIKE", value: "%fast%" });
    expect(one("datasets.digest IN ('s8ds293b', 'jks834s2')").value).toEqual(["s8ds293b", "jks834s2"]);
  });
});

describe("parseFilter: operators per entity", () => {
  it.each(["=", "!=", "<", "<=", ">", ">="] as const)("metrics %s", (op) => {
    expect(one(`metrics.acc ${op} 0.5`)).toEqual(cmp("metrics", "acc", op, 0.5));
  });
  it("normalises <> to != and accepts operators without spaces", () => {
    expect(one("metrics.acc<>1").op).toBe("!=");
    expect(one("metrics.acc>=-2.5e-3")).toMatchObject({ op: ">=", value: -0.0025 });
  });
  it.each([
    ["1", 1],
    ["-1", -1],
    ["0.25", 0.25],
    [".5", 0.5],
    ["1e3", 1000],
    ["-1.5E+2", -150],
  ])("numbers: %s", (text, value) => {
    expect(one(`metrics.x = ${text}`).value).toBe(value);
  });
  it.each(["params", "tags"] as const)("%s string operators", (entity) => {
    expect(one(`${entity}.k = 'v'`)).toMatchObject({ entity, op: "=", value: "v" });
    expect(one(`${entity}.k != 'v'`).op).toBe("!=");
    expect(one(`${entity}.k LIKE 'v%'`).op).toBe("LIKE");
    expect(one(`${entity}.k ILIKE '%V'`).op).toBe("ILIKE");
    expect(one(`${entity}.k IN ('a')`).value).toEqual(["a"]);
    expect(one(`${entity}.k NOT IN ('a', "b")`)).toMatchObject({ op: "NOT IN", value: ["a", "b"] });
  });
  it.each(["metrics.m", "params.p", "tags.t", "attributes.end_time", "attributes.run_name"])(
    "%s IS [NOT] NULL",
    (id) => {
      expect(one(`${id} IS NULL`)).toMatchObject({ op: "IS NULL", value: null });
      expect(one(`${id} is not null`)).toMatchObject({ op: "IS NOT NULL", value: null });
    },
  );
  it("string attributes", () => {
    expect(one("attributes.user_id LIKE 'ali%'")).toMatchObject({ key: "user_id", op: "LIKE" });
    expect(one("attributes.artifact_uri != 'x'")).toMatchObject({ key: "artifact_uri", op: "!=" });
    expect(one("attributes.status NOT IN ('FAILED', 'KILLED')").value).toEqual(["FAILED", "KILLED"]);
    expect(one("attributes.run_name ILIKE '%a%'").op).toBe("ILIKE");
  });
  it("numeric attributes", () => {
    expect(one("attributes.end_time < 5")).toMatchObject({ key: "end_time", op: "<", value: 5 });
    expect(one("attributes.start_time != 0").op).toBe("!=");
  });
  it.each(["name", "digest", "context"])("datasets.%s", (key) => {
    expect(one(`datasets.${key} = 'x'`)).toMatchObject({ entity: "datasets", key, value: "x" });
    expect(one(`datasets.${key} NOT IN ('x')`).op).toBe("NOT IN");
    expect(one(`datasets.${key} ILIKE 'x%'`).op).toBe("ILIKE");
  });
});

describe("parseFilter: identifiers and aliases", () => {
  it.each([
    ["metric.a > 1", "metrics"],
    ["param.a = 'x'", "params"],
    ["parameters.a = 'x'", "params"],
    ["tag.a = 'x'", "tags"],
    ["attribute.status = 'x'", "attributes"],
    ["attr.status = 'x'", "attributes"],
    ["run.status = 'x'", "attributes"],
    ["dataset.name = 'x'", "datasets"],
    ["METRICS.a > 1", "metrics"],
  ])("prefix %s", (filter, entity) => {
    expect(one(filter).entity).toBe(entity);
  });
  it.each([
    ["attributes.id = 'x'", "run_id"],
    ["attributes.`Run name` = 'x'", "run_name"],
    ["attributes.\"run name\" = 'x'", "run_name"],
    ["attributes.`Run Name` = 'x'", "run_name"],
    ["attributes.created > 1", "start_time"],
    ["attributes.Created > 1", "start_time"],
    ["run_id = 'x'", "run_id"],
    ["run_name = 'x'", "run_name"],
    ["status = 'x'", "status"],
    ["start_time > 1", "start_time"],
    ["end_time > 1", "end_time"],
    ["user_id = 'x'", "user_id"],
    ["artifact_uri = 'x'", "artifact_uri"],
    ["created > 1", "start_time"],
    ["`Run name` = 'x'", "run_name"],
  ])("%s → attributes.%s", (filter, key) => {
    expect(one(filter)).toMatchObject({ entity: "attributes", key });
  });
  it("quoted metric and param keys keep case and spaces", () => {
    expect(one("metrics.`my metric` > 1").key).toBe("my metric");
    expect(one("params.\"a b\" = 'x'").key).toBe("a b");
    expect(one("metrics.`a``b` > 1").key).toBe("a`b");
    expect(one("metrics.train/loss < 1").key).toBe("train/loss");
  });
});

describe("parseFilter: string literals", () => {
  it.each([
    [`'it''s'`, "it's"],
    [`'it\\'s'`, "it's"],
    [`"say ""hi"""`, 'say "hi"'],
    [`"say \\"hi\\""`, 'say "hi"'],
    [`'a\\\\b'`, "a\\b"],
    [`'100\\%'`, "100\\%"],
    [`''`, ""],
    [`'a AND b OR (c)'`, "a AND b OR (c)"],
  ])("%s", (literal, value) => {
    expect(one(`params.p = ${literal}`).value).toBe(value);
  });
});

describe("parseFilter: boolean structure", () => {
  it("AND binds tighter than OR", () => {
    expect(shape(parseFilter("metrics.a > 1 AND metrics.b > 2 OR metrics.c > 3"))).toEqual({
      or: [{ and: ["metrics.a > 1", "metrics.b > 2"] }, "metrics.c > 3"],
    });
    expect(shape(parseFilter("metrics.a > 1 OR metrics.b > 2 AND metrics.c > 3"))).toEqual({
      or: ["metrics.a > 1", { and: ["metrics.b > 2", "metrics.c > 3"] }],
    });
  });
  it("parentheses group", () => {
    expect(shape(parseFilter("metrics.a > 1 AND (metrics.b > 2 OR metrics.c > 3)"))).toEqual({
      and: ["metrics.a > 1", { or: ["metrics.b > 2", "metrics.c > 3"] }],
    });
    expect(shape(parseFilter("((metrics.a > 1))"))).toBe("metrics.a > 1");
  });
  it("flattens nested nodes of the same kind", () => {
    expect(
      shape(parseFilter("metrics.a > 1 AND (metrics.b > 2 AND metrics.c > 3) and metrics.d > 4")),
    ).toEqual({
      and: ["metrics.a > 1", "metrics.b > 2", "metrics.c > 3", "metrics.d > 4"],
    });
    expect(shape(parseFilter("(metrics.a > 1 OR metrics.b > 2) OR metrics.c > 3"))).toEqual({
      or: ["metrics.a > 1", "metrics.b > 2", "metrics.c > 3"],
    });
  });
  it("keywords are case-insensitive", () => {
    expect(shape(parseFilter("params.a like 'x' aNd (params.b Not In ('y') oR tags.t iS nOt NuLl)"))).toEqual(
      {
        and: ['params.a LIKE "x"', { or: ['params.b NOT IN ["y"]', "tags.t IS NOT NULL null"] }],
      },
    );
  });
  it("records the offset of each comparison", () => {
    const expr = parseFilter("  (metrics.a > 1) OR\n params.b = 'x'");
    expect(expr).toEqual({
      kind: "or",
      items: [cmp("metrics", "a", ">", 1, 3), cmp("params", "b", "=", "x", 22)],
    });
  });
});

describe("parseFilter: experiments", () => {
  it("accepts name, times and tags", () => {
    expect(one("name = 'exp'", "experiments")).toEqual(cmp("attributes", "name", "=", "exp"));
    expect(one("attributes.name LIKE 'a%'", "experiments")).toMatchObject({ key: "name", op: "LIKE" });
    expect(one("creation_time > 10", "experiments")).toMatchObject({ key: "creation_time", value: 10 });
    expect(one("attributes.last_update_time <= 3", "experiments").op).toBe("<=");
    expect(one("tags.team != 'ml'", "experiments")).toMatchObject({ entity: "tags", key: "team" });
  });
  it("rejects run-only identifiers", () => {
    filterError("metrics.a > 1", 0, "valid prefixes are tags., attributes.", "experiments");
    filterError(
      "tags.a = 'x' AND run_id = 'x'",
      "run_id",
      "name, creation_time, last_update_time",
      "experiments",
    );
    filterError("run.name = 'x'", 0, "unknown prefix 'run.'", "experiments");
    filterError("creation_time > 'x'", "'x'", "numbers", "experiments");
  });
});

describe("parseFilter: errors", () => {
  it("missing value", () => {
    const f = "metrics.acc > 0.9 AND metrics.b > AND x";
    expect(filterError(f, 34, "expected a number after '>'").message).toContain('(near "AND x")');
    filterError("metrics.acc >", 13, "expected a number after '>', found the end of the filter");
    filterError("params.a =", 10, "(at end of input)");
  });
  it("values of the wrong type, with fixes", () => {
    filterError("params.lr = 0.01", 12, "string values need quotes: params.lr = '0.01'");
    filterError("params.model = tree", 15, "string values need quotes: params.model = 'tree'");
    filterError(
      "metrics.acc > '0.9'",
      14,
      "metrics compare with numbers, not quoted strings: metrics.acc > 0.9",
    );
    filterError("metrics.acc > 'high'", 14, "metrics compare with numbers");
    filterError("attributes.start_time >= '17'", "'17'", "attributes.start_time >= 17");
    filterError("attributes.status = FINISHED", "FINISHED", "attributes.status = 'FINISHED'");
    filterError("tags.a = NULL", "NULL", "tags.a IS NULL");
  });
  it("operators not allowed for the entity", () => {
    filterError(
      "metrics.a LIKE '1'",
      10,
      "LIKE is not supported for metrics; use one of =, !=, <, <=, >, >=",
    );
    filterError("metrics.a IN ('1')", 10, "IN is not supported for metrics");
    filterError("params.a > 'x'", 9, "> is not supported for params; use one of =, !=, LIKE");
    filterError("tags.a <= 'x'", 7, "<= is not supported for tags");
    filterError("attributes.start_time LIKE '1%'", 22, "LIKE is not supported for numeric attributes");
    filterError("attributes.status < 'x'", 18, "< is not supported for string attributes");
    filterError("datasets.name IS NULL", 14, "IS NULL is not supported for datasets");
    filterError("datasets.name > 'x'", 14, "not supported for datasets");
  });
  it("unknown identifiers list the valid ones", () => {
    filterError(
      "foo.bar = 'x'",
      0,
      "unknown prefix 'foo.'; valid prefixes are metrics., params., tags., attributes., datasets.",
    );
    filterError(
      "metrics.a > 1 AND attributes.color = 'x'",
      18,
      "unknown attribute 'color'; valid attributes are run_id",
    );
    filterError("datasets.size = 'x'", 0, "valid fields are name, digest, context");
    filterError("accuracy > 1", 0, "use a prefix (e.g. metrics.accuracy, params.accuracy, tags.accuracy)");
  });
  it("bad IN lists", () => {
    filterError("attributes.run_id IN ()", 22, "the IN list must not be empty");
    filterError("attributes.run_id IN 'a'", 21, "expected '(' after IN");
    filterError("params.a NOT IN ('a', 1)", 22, "NOT IN lists take quoted strings only: '1'");
    filterError("params.a IN ('a',)", 17, "expected a quoted string in the IN list");
    filterError("params.a IN ('a' 'b')", 17, "expected ',' or ')' in the IN list opened at position 12");
    filterError("params.a IN ('a'", 16, "expected ',' or ')'");
  });
  it("parentheses and structure", () => {
    filterError("(metrics.a > 1", 14, "expected ')' to close the '(' at position 0");
    filterError("metrics.a > 1)", 13, "unexpected ')' without a matching '('");
    filterError("()", 1, "expected a condition");
    filterError("metrics.a > 1 AND", 17, "expected a condition such as metrics.acc > 0.9 after 'AND'");
    filterError("metrics.a > 1 OR OR metrics.b > 1", 17, "after 'OR', found 'OR'");
    filterError("metrics.a > 1 metrics.b > 2", 14, "expected AND or OR between conditions");
    filterError("metrics.a > 1 2", 14, "unexpected '2'");
    filterError("NOT metrics.a > 1", 0, "NOT is only supported as NOT IN and IS NOT NULL");
    filterError("'x' = params.a", 0, "expected a condition");
  });
  it("operator problems", () => {
    filterError("metrics.my metric > 1", 11, "need backticks: metrics.`my metric`");
    filterError("metrics.a", 9, "expected a comparison operator");
    filterError("metrics.a == 1", 10, "use '=' for equality, not '=='");
    filterError("metrics.a ! 1", 10, "expected '!='");
    filterError("params.a NOT LIKE 'x'", 9, "NOT must be followed by IN");
    filterError("params.a IS 'x'", 12, "expected NULL after 'IS'");
    filterError("params.a IS NOT 'x'", 16, "expected NULL after 'IS NOT'");
  });
  it("lexical errors", () => {
    filterError("params.a = 'abc", 11, "unterminated string: add the closing '");
    filterError('params.a = "abc', 11, 'unterminated string: add the closing "');
    filterError("metrics.`abc > 1", 8, "unterminated key");
    filterError("metrics.`` > 1", 8, "must not be empty");
    filterError("metrics. > 1", 8, "expected a key after 'metrics.'");
    filterError("metrics.a > 1abc", 12, "invalid number '1abc'");
    filterError("metrics.a > 1e999", 12, "out of range");
    filterError("params.a = 'x' & params.b = 'y'", 15, "unexpected character '&'");
  });
  it("long input is truncated in the message", () => {
    const err = filterError("metrics.a > 1 AND metrics.b > 'a very long quoted value here'", 30);
    expect(err.message).toContain(`(near "'a very long quoted ...")`);
  });
});

function orderError(clauses: string[], at: number, fragment: string, target?: "runs" | "experiments") {
  const err = syntaxError(() => parseOrderBy(clauses, target), "", at, fragment);
  expect(err.field).toBe("order_by");
  return err;
}

describe("parseOrderBy", () => {
  it("defaults to ascending and accepts ASC/DESC in any case", () => {
    expect(
      parseOrderBy(["metrics.acc DESC", "params.lr", "tags.x asc", "attributes.start_time Desc"]),
    ).toEqual([
      { entity: "metrics", key: "acc", ascending: false },
      { entity: "params", key: "lr", ascending: true },
      { entity: "tags", key: "x", ascending: true },
      { entity: "attributes", key: "start_time", ascending: false },
    ]);
  });
  it("quoted keys, aliases and bare attributes", () => {
    expect(parseOrderBy(["metrics.`a b` DESC", "attributes.`Run name` asc", "created", "attr.id"])).toEqual([
      { entity: "metrics", key: "a b", ascending: false },
      { entity: "attributes", key: "run_name", ascending: true },
      { entity: "attributes", key: "start_time", ascending: true },
      { entity: "attributes", key: "run_id", ascending: true },
    ]);
    expect(parseOrderBy(['tags."mlflow.runName" DESC', "  end_time  "])).toEqual([
      { entity: "tags", key: "mlflow.runName", ascending: false },
      { entity: "attributes", key: "end_time", ascending: true },
    ]);
  });
  it("handles missing and blank clauses", () => {
    expect(parseOrderBy(undefined)).toEqual([]);
    expect(parseOrderBy(["", "  ", "metrics.a"])).toEqual([{ entity: "metrics", key: "a", ascending: true }]);
  });
  it("experiments", () => {
    expect(
      parseOrderBy(["name", "creation_time DESC", "last_update_time", "experiment_id desc"], "experiments"),
    ).toEqual([
      { entity: "attributes", key: "name", ascending: true },
      { entity: "attributes", key: "creation_time", ascending: false },
      { entity: "attributes", key: "last_update_time", ascending: true },
      { entity: "attributes", key: "experiment_id", ascending: false },
    ]);
    orderError(["tags.x"], 0, "valid prefixes are attributes.", "experiments");
    orderError(["start_time"], 0, "name, creation_time, last_update_time, experiment_id", "experiments");
  });
  it("errors carry the position and clause index", () => {
    const err = orderError(
      ["metrics.a", "metrics.b DOWN"],
      10,
      "expected ASC or DESC after 'metrics.b', found 'DOWN'",
    );
    expect(err.details).toEqual({ index: 1, position: 10 });
    expect(err.message).toMatch(/^Invalid order_by clause "metrics\.b DOWN" at position 10: /);
    orderError(["metrics.a DESC NULLS"], 15, "unexpected 'NULLS'");
    orderError(["datasets.name"], 0, "datasets cannot be used in runs order_by");
    orderError(["'metrics.a'"], 0, "expected a column to sort by");
    orderError(["foo"], 0, "unknown identifier 'foo'");
    orderError(
      ["metrics.a", " metrics.a DESC"],
      1,
      "duplicate order_by column metrics.a (already in clause 0)",
    );
    orderError(["metrics.`a"], 8, "unterminated key");
  });
});
