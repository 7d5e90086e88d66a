/**
 * Recursive-descent parser for search filters (MLflow's run/experiment search grammar plus OR and
 * parentheses) and `order_by` clauses. Validates MLflow's per-entity operator and value rules and
 * reports every mistake as a positioned TRACKING_SEARCH_SYNTAX error.
 *
 *   filter     := or EOF
 *   or         := and ("OR" and)*
 *   and        := primary ("AND" primary)*
 *   primary    := "(" or ")" | comparison
 *   comparison := ident (comparator value | ["NOT"] "IN" list | ("LIKE" | "ILIKE") string | "IS" ["NOT"] "NULL")
 *   list       := "(" string ("," string)* ")"
 *   order_by   := ident ["ASC" | "DESC"] EOF
 */
import type { BoolExpr, Comparison, FilterEntity, FilterExpr, FilterOp, OrderKey } from "./ast.js";
import { type IdentToken, type SyntaxContext, syntaxError, type Token, tokenize } from "./lexer.js";

/** What is being searched: decides which identifiers are valid. */
export type SearchTarget = "runs" | "experiments" | "registered_models" | "model_versions";

type ValueType = "number" | "string";

/** A resolved identifier: where it lives, its normalised key and what may be done with it. */
interface FieldSpec {
  entity: FilterEntity;
  key: string;
  type: ValueType;
  ops: readonly FilterOp[];
  /** How the family is named in messages (`metrics`, `numeric attributes`, ...). */
  label: string;
}

const NUMERIC_OPS: readonly FilterOp[] = ["=", "!=", "<", "<=", ">", ">="];
const STRING_OPS: readonly FilterOp[] = ["=", "!=", "LIKE", "ILIKE", "IN", "NOT IN"];
const NULL_OPS: readonly FilterOp[] = ["IS NULL", "IS NOT NULL"];

const PREFIXES: ReadonlyMap<string, FilterEntity> = new Map([
  ["metric", "metrics"],
  ["metrics", "metrics"],
  ["param", "params"],
  ["params", "params"],
  ["parameter", "params"],
  ["parameters", "params"],
  ["tag", "tags"],
  ["tags", "tags"],
  ["attribute", "attributes"],
  ["attributes", "attributes"],
  ["attr", "attributes"],
  ["run", "attributes"],
  ["dataset", "datasets"],
  ["datasets", "datasets"],
]);

const RUN_ATTRS: ReadonlyMap<string, ValueType> = new Map([
  ["run_id", "string"],
  ["run_name", "string"],
  ["status", "string"],
  ["user_id", "string"],
  ["artifact_uri", "string"],
  ["start_time", "number"],
  ["end_time", "number"],
]);
const EXPERIMENT_ATTRS: ReadonlyMap<string, ValueType> = new Map([
  ["name", "string"],
  ["creation_time", "number"],
  ["last_update_time", "number"],
]);
const EXPERIMENT_ORDER_ATTRS: ReadonlyMap<string, ValueType> = new Map([
  ...EXPERIMENT_ATTRS,
  ["experiment_id", "string"],
]);
/** MLflow's model-registry search attributes (SearchModelUtils, SearchModelVersionUtils). */
const REGISTERED_MODEL_ORDER_ATTRS: ReadonlyMap<string, ValueType> = new Map([
  ["name", "string"],
  ["creation_timestamp", "number"],
  ["last_updated_timestamp", "number"],
]);
const MODEL_VERSION_ATTRS: ReadonlyMap<string, ValueType> = new Map([
  ["name", "string"],
  ["version_number", "number"],
  ["run_id", "string"],
  ["source_path", "string"],
]);
const MODEL_VERSION_ORDER_ATTRS: ReadonlyMap<string, ValueType> = new Map([
  ["name", "string"],
  ["version_number", "number"],
  ["creation_timestamp", "number"],
  ["last_updated_timestamp", "number"],
]);
const ATTRIBUTES: Record<SearchTarget, Record<"filter" | "order_by", ReadonlyMap<string, ValueType>>> = {
  runs: { filter: RUN_ATTRS, order_by: RUN_ATTRS },
  experiments: { filter: EXPERIMENT_ATTRS, order_by: EXPERIMENT_ORDER_ATTRS },
  registered_models: { filter: new Map([["name", "string"]]), order_by: REGISTERED_MODEL_ORDER_ATTRS },
  model_versions: { filter: MODEL_VERSION_ATTRS, order_by: MODEL_VERSION_ORDER_ATTRS },
};
/** Attribute aliases, matched after lower-casing and turning spaces into `_` (`Run name` → `run_name`). */
const ATTR_ALIASES: Record<SearchTarget, ReadonlyMap<string, string>> = {
  runs: new Map([
    ["id", "run_id"],
    ["created", "start_time"],
  ]),
  experiments: new Map(),
  registered_models: new Map([["timestamp", "last_updated_timestamp"]]),
  model_versions: new Map(),
};
const DATASET_KEYS: readonly string[] = ["name", "digest", "context"];
const ENTITIES: Record<SearchTarget, readonly FilterEntity[]> = {
  runs: ["metrics", "params", "tags", "attributes", "datasets"],
  experiments: ["tags", "attributes"],
  registered_models: ["tags", "attributes"],
  model_versions: ["tags", "attributes"],
};

/** MLflow sorts runs by anything but datasets, and experiments by attributes only. */
const ORDER_ENTITIES: Record<SearchTarget, readonly FilterEntity[]> = {
  runs: ["metrics", "params", "tags", "attributes"],
  experiments: ["attributes"],
  registered_models: ["attributes"],
  model_versions: ["attributes"],
};

type Purpose = "filter" | "order_by";

function attributeTable(target: SearchTarget, purpose: Purpose): ReadonlyMap<string, ValueType> {
  return ATTRIBUTES[target][purpose];
}

function normaliseAttribute(key: string, target: SearchTarget): string {
  const k = key.trim().toLowerCase().replace(/\s+/g, "_");
  return ATTR_ALIASES[target].get(k) ?? k;
}

function fieldSpec(entity: FilterEntity, key: string, type: ValueType): FieldSpec {
  const base = type === "number" ? NUMERIC_OPS : STRING_OPS;
  const ops = entity === "datasets" ? base : [...base, ...NULL_OPS];
  const label =
    entity !== "attributes" ? entity : type === "number" ? "numeric attributes" : "string attributes";
  return { entity, key, type, ops, label };
}

/** Maps an identifier token to its entity, normalised key and allowed operators, or throws. */
function resolveField(
  tok: IdentToken,
  target: SearchTarget,
  purpose: Purpose,
  ctx: SyntaxContext,
): FieldSpec {
  const fail = (message: string): never => {
    throw syntaxError(ctx, tok.pos, message);
  };
  const attrs = attributeTable(target, purpose);
  const attrList = [...attrs.keys()].join(", ");
  const allowed = purpose === "filter" ? ENTITIES[target] : ORDER_ENTITIES[target];
  const prefixes = allowed.map((e) => `${e}.`).join(", ");
  if (tok.prefix === null) {
    const key = normaliseAttribute(tok.key, target);
    const type = attrs.get(key);
    if (type !== undefined) return fieldSpec("attributes", key, type);
    const example = target === "runs" ? ` (e.g. metrics.${tok.key}, params.${tok.key}, tags.${tok.key})` : "";
    return fail(
      `unknown identifier '${tok.text}'; use a prefix${example} or one of the attributes ${attrList}`,
    );
  }
  const prefix = tok.prefix.toLowerCase();
  const entity = target === "runs" || prefix !== "run" ? PREFIXES.get(prefix) : undefined;
  if (entity === undefined || !allowed.includes(entity)) {
    const what = entity === undefined ? "unknown prefix" : `${entity} cannot be used in ${target} ${purpose}`;
    return fail(`${what} '${tok.prefix}.'; valid prefixes are ${prefixes}`);
  }
  if (entity === "metrics") return fieldSpec(entity, tok.key, "number");
  if (entity === "params" || entity === "tags") return fieldSpec(entity, tok.key, "string");
  if (entity === "datasets") {
    const key = tok.key.toLowerCase();
    if (DATASET_KEYS.includes(key)) return fieldSpec(entity, key, "string");
    return fail(`unknown dataset field '${tok.key}'; valid fields are ${DATASET_KEYS.join(", ")}`);
  }
  const key = normaliseAttribute(tok.key, target);
  const type = attrs.get(key);
  if (type === undefined) return fail(`unknown attribute '${tok.key}'; valid attributes are ${attrList}`);
  return fieldSpec(entity, key, type);
}

/** Builds an and/or node, flattening children of the same kind; a single item is returned as is. */
function combine(kind: BoolExpr["kind"], items: FilterExpr[]): FilterExpr {
  const flat = items.flatMap((item) => (item.kind === kind ? item.items : [item]));
  return flat.length === 1 ? flat[0]! : { kind, items: flat };
}

function describe(tok: Token): string {
  return tok.kind === "eof" ? "the end of the filter" : `'${tok.text}'`;
}

class FilterParser {
  private i = 0;
  private readonly tokens: Token[];

  constructor(
    private readonly ctx: SyntaxContext,
    private readonly target: SearchTarget,
  ) {
    this.tokens = tokenize(ctx);
  }

  parse(): FilterExpr {
    const expr = this.parseOr();
    const tok = this.peek();
    if (tok.kind === "rparen") this.fail(tok, "unexpected ')' without a matching '('");
    if (tok.kind === "ident") this.fail(tok, "expected AND or OR between conditions");
    if (tok.kind !== "eof")
      this.fail(tok, `unexpected ${describe(tok)}; expected AND, OR or the end of the filter`);
    return expr;
  }

  private peek(): Token {
    return this.tokens[Math.min(this.i, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const tok = this.peek();
    if (tok.kind !== "eof") this.i++;
    return tok;
  }

  private isKeyword(word: string): boolean {
    const tok = this.peek();
    return tok.kind === "keyword" && tok.value === word;
  }

  private fail(tok: Token | number, message: string): never {
    throw syntaxError(this.ctx, typeof tok === "number" ? tok : tok.pos, message);
  }

  private parseOr(): FilterExpr {
    const items = [this.parseAnd()];
    while (this.isKeyword("OR")) {
      this.next();
      items.push(this.parseAnd());
    }
    return combine("or", items);
  }

  private parseAnd(): FilterExpr {
    const items = [this.parsePrimary()];
    while (this.isKeyword("AND")) {
      this.next();
      items.push(this.parsePrimary());
    }
    return combine("and", items);
  }

  private parsePrimary(): FilterExpr {
    const prev = this.tokens[this.i - 1];
    const tok = this.next();
    if (tok.kind === "ident") return this.parseComparison(tok);
    if (tok.kind === "lparen") {
      const expr = this.parseOr();
      const close = this.peek();
      if (close.kind !== "rparen") {
        this.fail(close, `expected ')' to close the '(' at position ${tok.pos}, found ${describe(close)}`);
      }
      this.next();
      return expr;
    }
    if (tok.kind === "keyword" && tok.value === "NOT") {
      this.fail(
        tok,
        "NOT is only supported as NOT IN and IS NOT NULL; negate the comparison instead (!=, NOT IN)",
      );
    }
    const example = this.target === "runs" ? "metrics.acc > 0.9" : "name LIKE 'exp%'";
    const after = prev === undefined ? "" : ` after '${prev.text}'`;
    return this.fail(tok, `expected a condition such as ${example}${after}, found ${describe(tok)}`);
  }

  private parseComparison(ident: IdentToken): Comparison {
    const spec = resolveField(ident, this.target, "filter", this.ctx);
    const { op, tok } = this.parseOperator(ident);
    if (!spec.ops.includes(op)) {
      this.fail(tok, `${op} is not supported for ${spec.label}; use one of ${spec.ops.join(", ")}`);
    }
    let value: Comparison["value"] = null;
    if (op === "IN" || op === "NOT IN") value = this.parseList(tok);
    else if (op !== "IS NULL" && op !== "IS NOT NULL") value = this.parseScalar(spec, ident, op, tok);
    return { kind: "cmp", entity: spec.entity, key: spec.key, op, value, pos: ident.pos };
  }

  private parseOperator(ident: IdentToken): { op: FilterOp; tok: Token } {
    const tok = this.next();
    if (tok.kind === "op") return { op: tok.value, tok };
    if (tok.kind === "keyword" && (tok.value === "IN" || tok.value === "LIKE" || tok.value === "ILIKE")) {
      return { op: tok.value, tok };
    }
    if (tok.kind === "keyword" && tok.value === "NOT") {
      if (!this.isKeyword("IN"))
        this.fail(tok, "NOT must be followed by IN here (NOT IN); NOT LIKE is not supported");
      this.next();
      return { op: "NOT IN", tok };
    }
    if (tok.kind === "keyword" && tok.value === "IS") {
      const not = this.isKeyword("NOT") ? this.next() : null;
      if (!this.isKeyword("NULL")) this.fail(this.peek(), `expected NULL after '${not ? "IS NOT" : "IS"}'`);
      this.next();
      return { op: not ? "IS NOT NULL" : "IS NULL", tok };
    }
    const ops = "=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN, IS NULL, IS NOT NULL";
    let hint = "";
    if (tok.kind === "ident" && ident.prefix !== null && !ident.quoted) {
      hint = `; keys with spaces or symbols need backticks: ${ident.prefix}.\`${ident.key} ${tok.text}\``;
    }
    return this.fail(tok, `expected a comparison operator (${ops}) after '${ident.text}'${hint}`);
  }

  /** Reads the right-hand side of `=`, `<`, LIKE, ... and checks its type against the field. */
  private parseScalar(spec: FieldSpec, ident: IdentToken, op: FilterOp, opTok: Token): number | string {
    const tok = this.next();
    if (tok.kind === (spec.type === "number" ? "number" : "string"))
      return (tok as { value: number | string }).value;
    if (tok.kind === "keyword" && tok.value === "NULL") {
      this.fail(tok, `use IS NULL or IS NOT NULL to test for missing values: ${ident.text} IS NULL`);
    }
    if (spec.type === "string" && (tok.kind === "number" || tok.kind === "ident")) {
      this.fail(tok, `string values need quotes: ${ident.text} ${op} '${tok.text}'`);
    }
    if (spec.type === "number" && tok.kind === "string") {
      const fix =
        Number.isFinite(Number(tok.value)) && tok.value.trim() !== ""
          ? `: ${ident.text} ${op} ${tok.value}`
          : "";
      this.fail(tok, `${spec.label} compare with numbers, not quoted strings${fix}`);
    }
    const what = spec.type === "number" ? "a number" : "a quoted string";
    return this.fail(tok, `expected ${what} after '${opTok.text}', found ${describe(tok)}`);
  }

  /** Reads `('a', 'b', ...)` after IN / NOT IN. */
  private parseList(opTok: Token): string[] {
    const open = this.next();
    const op = opTok.kind === "keyword" && opTok.value === "NOT" ? "NOT IN" : "IN";
    if (open.kind !== "lparen") this.fail(open, `expected '(' after ${op}, e.g. ${op} ('a', 'b')`);
    if (this.peek().kind === "rparen") this.fail(this.peek(), `the ${op} list must not be empty`);
    const values: string[] = [];
    for (;;) {
      const item = this.next();
      if (item.kind === "string") values.push(item.value);
      else if (item.kind === "number" || item.kind === "ident") {
        this.fail(item, `${op} lists take quoted strings only: '${item.text}'`);
      } else this.fail(item, `expected a quoted string in the ${op} list, found ${describe(item)}`);
      const sep = this.next();
      if (sep.kind === "rparen") return values;
      if (sep.kind !== "comma") {
        this.fail(
          sep,
          `expected ',' or ')' in the ${op} list opened at position ${open.pos}, found ${describe(sep)}`,
        );
      }
    }
  }
}

/**
 * Parses a search filter into its syntax tree. Empty or whitespace-only filters give `null` (match all).
 * OR binds looser than AND, parentheses group, and nested and/or nodes of the same kind are flattened.
 * Throws a GyreError with code TRACKING_SEARCH_SYNTAX and `details.position` on any syntax or semantic error.
 */
export function parseFilter(
  filter: string | undefined | null,
  target: SearchTarget = "runs",
): FilterExpr | null {
  if (filter == null || filter.trim() === "") return null;
  return new FilterParser({ input: filter, label: "filter", field: "filter" }, target).parse();
}

function parseOrderClause(ctx: SyntaxContext, target: SearchTarget): OrderKey {
  const tokens = tokenize(ctx);
  const [first, second, third] = tokens;
  const example = target === "runs" ? "metrics.acc DESC" : "name ASC";
  if (first?.kind !== "ident") {
    throw syntaxError(ctx, first?.pos ?? 0, `expected a column to sort by, e.g. ${example}`);
  }
  const spec = resolveField(first, target, "order_by", ctx);
  let ascending = true;
  const dir = second?.kind === "ident" && second.prefix === null ? second.key.toUpperCase() : null;
  if (second !== undefined && second.kind !== "eof") {
    if (dir !== "ASC" && dir !== "DESC") {
      throw syntaxError(
        ctx,
        second.pos,
        `expected ASC or DESC after '${first.text}', found '${second.text}'`,
      );
    }
    ascending = dir === "ASC";
    if (third !== undefined && third.kind !== "eof") {
      throw syntaxError(
        ctx,
        third.pos,
        `unexpected '${third.text}'; an order_by clause is '<column> [ASC|DESC]'`,
      );
    }
  }
  return { entity: spec.entity as OrderKey["entity"], key: spec.key, ascending };
}

/**
 * Parses `order_by` clauses (`metrics.acc DESC`, `attributes.start_time`, `params.lr ASC`); the direction
 * defaults to ascending and blank clauses are skipped. Datasets cannot be sorted on. Throws a GyreError
 * with code TRACKING_SEARCH_SYNTAX (field `order_by`, `details.position` and `details.index`) on bad or
 * duplicate clauses.
 */
export function parseOrderBy(clauses: string[] | undefined, target: SearchTarget = "runs"): OrderKey[] {
  const keys: OrderKey[] = [];
  const seen = new Map<string, number>();
  (clauses ?? []).forEach((clause, index) => {
    if (clause.trim() === "") return;
    const ctx = {
      input: clause,
      label: `order_by clause "${clause}"`,
      field: "order_by",
      details: { index },
    };
    const key = parseOrderClause(ctx, target);
    const id = `${key.entity}\u0000${key.key}`;
    const earlier = seen.get(id);
    if (earlier !== undefined) {
      const start = clause.length - clause.trimStart().length;
      throw syntaxError(
        ctx,
        start,
        `duplicate order_by column ${key.entity}.${key.key} (already in clause ${earlier})`,
      );
    }
    seen.set(id, index);
    keys.push(key);
  });
  return keys;
}
