/**
 * Ground truth arriving after the prediction: validated at the boundary, keyed to the prediction it labels
 * (request id + row index, or entity key + timestamp), checked against the log, and kept even when no
 * prediction matches yet (reported as unmatched, re-checked at every performance evaluation).
 */
import { z } from "zod";
import { GyreError } from "../core/errors.js";
import { canonicalJson } from "./metrics/config.js";
import type { FeedbackRecord, Label } from "./store.js";

/** Most feedback items accepted in one call. */
export const MAX_FEEDBACK_ITEMS = 10_000;

const scalar = z.union([z.string().max(256), z.number(), z.boolean()]);
const label = z.union([
  z.string().min(1).max(256),
  z.number().refine(Number.isFinite, "must be a finite number"),
  z.boolean(),
]);

/** One feedback item as clients send it (snake_case, as the serving protocols). */
export const feedbackItem = z
  .strictObject({
    request_id: z.string().min(1).max(256).optional(),
    row_index: z.int().min(0).optional(),
    entity_key: z.record(z.string().min(1).max(128), scalar).optional(),
    timestamp: z.union([z.iso.datetime({ offset: true }), z.int().min(0)]).optional(),
    label,
  })
  .superRefine((item, ctx) => {
    const byRequest = item.request_id !== undefined;
    const byEntity = item.entity_key !== undefined;
    if (byRequest === byEntity) {
      ctx.addIssue({
        code: "custom",
        path: ["request_id"],
        message: "give either request_id (and row_index) or entity_key and timestamp",
      });
    }
    if (byEntity && item.timestamp === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["timestamp"],
        message: "entity_key feedback needs the timestamp the label refers to",
      });
    }
    if (byEntity && Object.keys(item.entity_key ?? {}).length === 0) {
      ctx.addIssue({ code: "custom", path: ["entity_key"], message: "must name at least one join key" });
    }
  });
export type FeedbackItem = z.infer<typeof feedbackItem>;

/** The body of POST /api/v1/monitoring/feedback: one item, or many under `items`, for one deployment. */
export const feedbackBody = z.union([
  z.strictObject({
    deployment: z.string().min(1),
    items: z.array(feedbackItem).min(1).max(MAX_FEEDBACK_ITEMS),
  }),
  feedbackItem.and(z.object({ deployment: z.string().min(1) })),
]);

/** The match key of an item: `req:<request_id>#<row>` or `ent:<canonical entity json>@<epoch ms>`. */
export function matchKeyOf(item: FeedbackItem): string {
  if (item.request_id !== undefined) return `req:${item.request_id}#${item.row_index ?? 0}`;
  return `ent:${canonicalJson(item.entity_key)}@${toMillis(item.timestamp!)}`;
}

function toMillis(t: string | number): number {
  return typeof t === "number" ? t : Date.parse(t);
}

/** Feedback records (matched = false until checked) from validated items. */
export function feedbackRecords(
  deployment: string,
  items: FeedbackItem[],
  receivedTime: number,
): FeedbackRecord[] {
  const byKey = new Map<string, FeedbackRecord>();
  for (const item of items) {
    const byRequest = item.request_id !== undefined;
    const record: FeedbackRecord = {
      deployment,
      matchKey: matchKeyOf(item),
      requestId: item.request_id ?? null,
      rowIndex: byRequest ? (item.row_index ?? 0) : null,
      entityKey: byRequest ? null : (JSON.parse(canonicalJson(item.entity_key)) as Record<string, unknown>),
      ts: item.timestamp === undefined ? null : toMillis(item.timestamp),
      label: item.label as Label,
      receivedTime,
      matched: false,
    };
    byKey.set(record.matchKey, record);
  }
  return [...byKey.values()];
}

/** Parses items with zod; throws MONITOR_FEEDBACK_INVALID naming the first bad field (e.g. `items[3].label`). */
export function parseFeedbackItems(raw: unknown[]): FeedbackItem[] {
  return raw.map((item, i) => {
    const r = feedbackItem.safeParse(item);
    if (r.success) return r.data;
    const issue = r.error.issues[0]!;
    const field = [`items[${i}]`, ...issue.path.map(String)].join(".");
    throw new GyreError("MONITOR_FEEDBACK_INVALID", `Feedback ${field}: ${issue.message}`, { field });
  });
}

/** A label as a class name: booleans and numbers by their JSON text ("true", "1"). */
export function labelClass(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}
