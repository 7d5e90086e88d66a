import { z } from "zod";
import { toDouble } from "../../core/json.js";

/** Field types as MLflow's protobuf JSON parser accepts them. */

/** int64: a JSON number or a numeric string (GET query values are strings). */
export const int64 = z.preprocess(
  (v) => (typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v) : v),
  z.number().int("expected an integer"),
);

/** double: a number, a numeric string, or "NaN" / "Infinity" / "-Infinity". */
export const double = z.unknown().transform((v, ctx) => {
  const d = toDouble(v);
  if (d === undefined) {
    ctx.addIssue({ code: "custom", message: "expected a number (or 'NaN', 'Infinity', '-Infinity')" });
    return z.NEVER;
  }
  return d;
});

/** Experiment ids are strings in MLflow's API; clients sometimes send integers. */
export const id = z.preprocess((v) => (typeof v === "number" ? String(v) : v), z.string().min(1));

/** A repeated field from a query string arrives as a string when given once. */
export const list = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]), z.array(item));

export const kv = z.object({ key: z.string().min(1), value: z.string().optional().default("") });

export const viewType = z.preprocess(
  (v) =>
    v === 1 || v === "1"
      ? "ACTIVE_ONLY"
      : v === 2 || v === "2"
        ? "DELETED_ONLY"
        : v === 3 || v === "3"
          ? "ALL"
          : v,
  z.enum(["ACTIVE_ONLY", "DELETED_ONLY", "ALL"]),
);

/** run_id, or the deprecated run_uuid that clients still send alongside it. */
export const runRef = {
  run_id: z.string().optional(),
  run_uuid: z.string().optional(),
};

export const metric = z.object({
  key: z.string().min(1),
  value: double,
  timestamp: int64,
  step: int64.optional().default(0),
});
