/**
 * The syntax tree of a search filter: MLflow's grammar (`metrics.acc > 0.9 AND params.lr = '0.01'`)
 * plus OR and parentheses. Produced by `parseFilter`, consumed by the SQL store's compiler.
 */

/** Which family an identifier belongs to: `metrics.x`, `params.x`, `tags.x`, `attributes.x`, `datasets.x`. */
export type FilterEntity = "metrics" | "params" | "tags" | "attributes" | "datasets";

/** A comparison operator as normalised by the parser (`<>` becomes `!=`, keywords upper-cased). */
export type FilterOp =
  | "="
  | "!="
  | "<"
  | "<="
  | ">"
  | ">="
  | "LIKE"
  | "ILIKE"
  | "IN"
  | "NOT IN"
  | "IS NULL"
  | "IS NOT NULL";

/** One comparison. `value` is a number for numeric comparisons, a string for string ones, a list for IN. */
export interface Comparison {
  kind: "cmp";
  entity: FilterEntity;
  /** The key after the prefix, unquoted: `metrics.\`my acc\`` → `my acc`. Attribute aliases are normalised. */
  key: string;
  op: FilterOp;
  value: number | string | string[] | null;
  /** 0-based character offset of the comparison in the filter string (for error messages). */
  pos: number;
}

/** A conjunction or disjunction; the parser flattens nested nodes of the same kind. */
export interface BoolExpr {
  kind: "and" | "or";
  items: FilterExpr[];
}

/** A whole filter: one comparison or a tree of and/or nodes. */
export type FilterExpr = Comparison | BoolExpr;

/** One `order_by` clause: `metrics.acc DESC`, `attributes.start_time`, `params.lr ASC`. */
export interface OrderKey {
  entity: Exclude<FilterEntity, "datasets">;
  key: string;
  ascending: boolean;
}
