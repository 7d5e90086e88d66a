/** Search filters and `order_by` clauses: parse MLflow-style text into a validated syntax tree. */
export type { BoolExpr, Comparison, FilterEntity, FilterExpr, FilterOp, OrderKey } from "./ast.js";
export { parseFilter, parseOrderBy, type SearchTarget } from "./parser.js";
