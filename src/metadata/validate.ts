import { GyreError } from "../core/errors.js";
import type { LogBatch, Metric, Tag } from "./types.js";

/** Domain rules for tracking input, shared by every front end. Limits follow MLflow's. */
export const LIMITS = {
  keyLength: 250,
  paramValueLength: 6000,
  tagValueLength: 8000,
  experimentTagValueLength: 5000,
  experimentNameLength: 500,
  metricsPerBatch: 1000,
  paramsPerBatch: 100,
  tagsPerBatch: 100,
  entitiesPerBatch: 1000,
  maxResults: 50_000,
} as const;

const KEY_RE = /^[\p{L}\p{N}_/.\- :]*$/u;

function bad(field: string, message: string): GyreError {
  return new GyreError("TRACKING_INVALID_VALUE", message, { field });
}

/** Metric, param and tag keys: MLflow's character set, no path tricks ('a//b', '../x', '/x'), ≤ 250 chars. */
export function checkKey(key: unknown, field: string): string {
  if (typeof key !== "string" || key === "")
    throw bad(field, `Missing value for required parameter '${field}'.`);
  if (key.length > LIMITS.keyLength) {
    throw bad(field, `'${field}' exceeds the maximum length of ${LIMITS.keyLength} characters`);
  }
  if (!KEY_RE.test(key)) {
    throw bad(
      field,
      `Invalid value "${key}" for parameter '${field}' supplied: Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).`,
    );
  }
  const parts = key.split("/");
  if (key.startsWith("/") || key.endsWith("/") || parts.some((p) => p === "" || p === "." || p === "..")) {
    throw bad(
      field,
      `Invalid value "${key}" for parameter '${field}' supplied: Names may be treated as files in certain cases, and must not resolve to other names when treated as such.`,
    );
  }
  return key;
}

function checkValue(value: unknown, field: string, max: number): string {
  if (typeof value !== "string")
    throw bad(field, `Invalid value for parameter '${field}': expected a string`);
  if (value.length > max) {
    throw bad(
      field,
      `'${field}' exceeds the maximum length of ${max} characters (got ${value.length}); shorten the value`,
    );
  }
  return value;
}

export function checkTag(t: Tag, field: string, max: number = LIMITS.tagValueLength): Tag {
  return { key: checkKey(t.key, `${field}.key`), value: checkValue(t.value ?? "", `${field}.value`, max) };
}

export function checkParam(p: Tag, field: string): Tag {
  return {
    key: checkKey(p.key, `${field}.key`),
    value: checkValue(p.value ?? "", `${field}.value`, LIMITS.paramValueLength),
  };
}

function checkInt(v: unknown, field: string, min = Number.MIN_SAFE_INTEGER): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min) {
    throw bad(
      field,
      `Invalid value ${JSON.stringify(v)} for parameter '${field}': expected an integer${min === 0 ? " ≥ 0" : ""}`,
    );
  }
  return v;
}

export function checkMetric(m: Metric, field: string): Metric {
  const key = checkKey(m.key, `${field}.key`);
  if (typeof m.value !== "number") {
    throw bad(
      `${field}.value`,
      `Invalid value ${JSON.stringify(m.value)} for parameter '${field}.value': expected a number`,
    );
  }
  return {
    key,
    value: m.value,
    timestamp: checkInt(m.timestamp, `${field}.timestamp`, 0),
    step: checkInt(m.step ?? 0, `${field}.step`),
  };
}

function limit(n: number, max: number, entity: string): void {
  if (n > max) {
    throw new GyreError(
      "TRACKING_BATCH_TOO_LARGE",
      `A batch logging request can contain at most ${max} ${entity}. Got ${n} ${entity}. Please split up ${entity} across multiple requests and try again.`,
      { field: entity.startsWith("metrics,") ? "batch" : entity },
    );
  }
}

/**
 * `checkMetric` for each metric, except that a metric whose key was already checked in this batch and
 * whose numbers are plainly valid is copied as is: a batch repeats a few keys many times.
 */
function checkMetrics(metrics: Metric[]): Metric[] {
  const keys = new Set<string>();
  return metrics.map((m, i) => {
    const { timestamp, step = 0 } = m;
    if (
      keys.has(m.key) &&
      typeof m.value === "number" &&
      Number.isSafeInteger(timestamp) &&
      timestamp >= 0 &&
      Number.isSafeInteger(step)
    )
      return { key: m.key, value: m.value, timestamp, step };
    const checked = checkMetric(m, `metrics[${i}]`);
    keys.add(checked.key);
    return checked;
  });
}

/** Validates a log-batch: MLflow's size limits, keys, values, and no param key twice with different values. */
export function checkBatch(batch: LogBatch): Required<LogBatch> {
  const metrics = batch.metrics ?? [];
  const params = batch.params ?? [];
  const tags = batch.tags ?? [];
  limit(metrics.length, LIMITS.metricsPerBatch, "metrics");
  limit(params.length, LIMITS.paramsPerBatch, "params");
  limit(tags.length, LIMITS.tagsPerBatch, "tags");
  limit(metrics.length + params.length + tags.length, LIMITS.entitiesPerBatch, "metrics, params, and tags");
  const out = {
    metrics: checkMetrics(metrics),
    params: params.map((p, i) => checkParam(p, `params[${i}]`)),
    tags: tags.map((t, i) => checkTag(t, `tags[${i}]`)),
  };
  const seen = new Map<string, string>();
  for (const p of out.params) {
    const prev = seen.get(p.key);
    if (prev !== undefined && prev !== p.value) {
      throw bad(
        "params",
        `Duplicate parameter keys have been submitted: ['${p.key}']. Please ensure the request contains only one param value per param key.`,
      );
    }
    seen.set(p.key, p.value);
  }
  out.params = [...seen].map(([key, value]) => ({ key, value }));
  return out;
}

export function checkExperimentName(name: unknown): string {
  if (typeof name !== "string" || name.trim() === "") {
    throw bad("name", "Missing value for required parameter 'name'. Give the experiment a non-empty name.");
  }
  if (name.length > LIMITS.experimentNameLength) {
    throw bad("name", `'name' exceeds the maximum length of ${LIMITS.experimentNameLength} characters`);
  }
  return name;
}

export function checkMaxResults(v: number | undefined, fallback: number, field = "max_results"): number {
  if (v === undefined || v === null) return fallback;
  if (!Number.isSafeInteger(v) || v < 1 || v > LIMITS.maxResults) {
    throw bad(
      field,
      `Invalid value ${v} for parameter '${field}': it must be between 1 and ${LIMITS.maxResults}`,
    );
  }
  return v;
}

/** Page tokens are MLflow's: base64 of `{"offset": N}`. */
export function encodePageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }).replace(":", ": ")).toString("base64");
}

export function decodePageToken(token: string | undefined | null): number {
  if (!token) return 0;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64").toString("utf8"));
  } catch {
    throw new GyreError(
      "TRACKING_PAGE_TOKEN",
      "Invalid page token, could not base64-decode. Pass the token from the previous page unchanged.",
      {
        field: "page_token",
      },
    );
  }
  const offset = (parsed as { offset?: unknown } | null)?.offset;
  if (typeof offset !== "number" || !Number.isSafeInteger(offset) || offset < 0) {
    throw new GyreError("TRACKING_PAGE_TOKEN", `Invalid page token, parsed value=${JSON.stringify(parsed)}`, {
      field: "page_token",
    });
  }
  return offset;
}
