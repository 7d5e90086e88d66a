import { type ErrorCode, GyreError, isGyreError } from "../core/errors.js";
import {
  decodePageToken,
  type FilterExpr,
  type OrderKey,
  parseFilter,
  parseOrderBy,
  type SearchTarget,
  type Tag,
} from "../metadata/index.js";
import { MODEL_STAGES } from "./types.js";

/** Registry limits, MLflow's where MLflow has one. */
export const REGISTRY_LIMITS = {
  nameLength: 256,
  aliasLength: 255,
  tagKeyLength: 250,
  tagValueLength: 5000,
  reasonLength: 5000,
  modelsPerPage: 1000,
  modelsDefault: 100,
  versionsPerPage: 200_000,
  versionsDefault: 10_000,
} as const;

const NAME_RE = /^[\p{L}\p{N}_][\p{L}\p{N}_.\- ]*$/u;
const ALIAS_RE = /^[\p{L}\p{N}_-]+$/u;
const TAG_KEY_RE = /^[\p{L}\p{N}_/.\- :]+$/u;

function bad(code: ErrorCode, field: string, message: string): GyreError {
  return new GyreError(code, message, { field });
}

/** Model names: 1–256 characters of letters, digits, spaces, `_`, `-`, `.`; not starting or ending with a space. */
export function checkModelName(name: unknown, field = "name"): string {
  if (typeof name !== "string" || name === "") {
    throw bad("REGISTRY_INVALID_NAME", field, `Missing value for required parameter '${field}'.`);
  }
  if (name.length > REGISTRY_LIMITS.nameLength || !NAME_RE.test(name) || name.endsWith(" ")) {
    throw bad(
      "REGISTRY_INVALID_NAME",
      field,
      `Invalid model name '${name}': use 1-${REGISTRY_LIMITS.nameLength} letters, digits, spaces, '_', '-' or '.', starting with a letter, digit or '_' (no '/', ':' or quotes).`,
    );
  }
  return name;
}

/** MLflow's alias rules: letters, digits, `_` and `-`, ≤ 255 characters, not `latest`, not `v<digits>`. */
export function checkAlias(alias: unknown, field = "alias"): string {
  if (typeof alias !== "string" || alias === "") {
    throw bad("REGISTRY_INVALID_ALIAS", field, "Registered model alias name cannot be empty.");
  }
  if (!ALIAS_RE.test(alias)) {
    throw bad(
      "REGISTRY_INVALID_ALIAS",
      field,
      `Invalid alias name: '${alias}'. Names may only contain alphanumerics, underscores (_), and dashes (-).`,
    );
  }
  if (alias.length > REGISTRY_LIMITS.aliasLength) {
    throw bad(
      "REGISTRY_INVALID_ALIAS",
      field,
      `'Registered model alias name' exceeds the maximum length of ${REGISTRY_LIMITS.aliasLength} characters`,
    );
  }
  if (alias.toLowerCase() === "latest") {
    throw bad("REGISTRY_INVALID_ALIAS", field, "'latest' alias name (case insensitive) is reserved.");
  }
  if (/^[vV]\d+$/.test(alias)) {
    throw bad("REGISTRY_INVALID_ALIAS", field, `Version alias name '${alias}' is reserved.`);
  }
  return alias;
}

/** A version number given as a number or a decimal string; must be a positive integer. */
export function checkVersion(version: unknown, field = "version"): number {
  const n = typeof version === "string" && /^\d{1,15}$/.test(version.trim()) ? Number(version) : version;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 1) {
    throw bad(
      "REGISTRY_INVALID_VALUE",
      field,
      `Parameter '${field}' must be an integer, got '${String(version)}'.`,
    );
  }
  return n;
}

/** Registry tag keys follow MLflow's tag-name rules (≤ 250 characters); values are at most 5000 characters. */
export function checkTag(tag: Tag, field = "tag"): Tag {
  const { key, value } = tag;
  if (typeof key !== "string" || key === "") {
    throw bad(
      "REGISTRY_INVALID_VALUE",
      `${field}.key`,
      `Missing value for required parameter '${field}.key'.`,
    );
  }
  const parts = key.split("/");
  if (
    !TAG_KEY_RE.test(key) ||
    key.startsWith("/") ||
    parts.some((p) => p === "" || p === "." || p === "..")
  ) {
    throw bad(
      "REGISTRY_INVALID_VALUE",
      `${field}.key`,
      `Invalid value "${key}" for parameter '${field}.key' supplied: Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/), and must not resolve to other names.`,
    );
  }
  if (key.length > REGISTRY_LIMITS.tagKeyLength) {
    throw bad(
      "REGISTRY_INVALID_VALUE",
      `${field}.key`,
      `'key' exceeds the maximum length of ${REGISTRY_LIMITS.tagKeyLength} characters`,
    );
  }
  const v = value ?? "";
  if (typeof v !== "string" || v.length > REGISTRY_LIMITS.tagValueLength) {
    throw bad(
      "REGISTRY_INVALID_VALUE",
      `${field}.value`,
      `'value' must be a string of at most ${REGISTRY_LIMITS.tagValueLength} characters`,
    );
  }
  return { key, value: v };
}

/** An optional free-text field (description, reason): a string of bounded length, or null. */
export function checkText(value: unknown, field: string, max = Number.MAX_SAFE_INTEGER): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string" || value.length > max) {
    throw bad("REGISTRY_INVALID_VALUE", field, `'${field}' must be a string of at most ${max} characters`);
  }
  return value;
}

/** MLflow refuses sources with relative references ('..', NUL), even percent-encoded. */
export function checkSource(source: unknown): string {
  if (typeof source !== "string" || source.trim() === "") {
    throw bad("REGISTRY_INVALID_VALUE", "source", "Missing value for required parameter 'source'.");
  }
  let decoded = source;
  for (let i = 0; i < 5; i++) {
    let next = decoded;
    try {
      next = decodeURIComponent(decoded.replaceAll("+", " "));
    } catch {
      break;
    }
    if (next === decoded) break;
    decoded = next;
  }
  if (decoded.includes("\0") || decoded.split(/[/\\]/).some((p) => p === "..")) {
    throw bad(
      "REGISTRY_INVALID_VALUE",
      "source",
      `Invalid model version source: '${source}'. An absolute path must be provided without relative path references present.`,
    );
  }
  return source;
}

/** MLflow's stage names, matched case-insensitively (as MLflow's get_canonical_stage does). */
export function checkStages(stages: string[]): (typeof MODEL_STAGES)[number][] {
  return stages.map((s) => {
    const stage = MODEL_STAGES.find((x) => x.toLowerCase() === s.toLowerCase());
    if (!stage) {
      throw bad(
        "REGISTRY_INVALID_VALUE",
        "stages",
        `Invalid Model Version stage: ${s}. Value must be one of ${MODEL_STAGES.join(", ")}.`,
      );
    }
    return stage;
  });
}

/** A limit in 1..max, or the default. */
export function checkMaxResults(v: number | undefined, fallback: number, max: number): number {
  if (v === undefined || v === null) return fallback;
  if (!Number.isSafeInteger(v) || v < 1 || v > max) {
    throw bad(
      "REGISTRY_INVALID_VALUE",
      "max_results",
      `Invalid value ${v} for parameter 'max_results' supplied: it must be between 1 and ${max}`,
    );
  }
  return v;
}

/** Runs `fn`, re-coding tracking's search and page-token errors as the registry's own. */
function recode<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (!isGyreError(e)) throw e;
    const code =
      e.code === "TRACKING_SEARCH_SYNTAX"
        ? "REGISTRY_SEARCH_SYNTAX"
        : e.code === "TRACKING_PAGE_TOKEN"
          ? "REGISTRY_PAGE_TOKEN"
          : null;
    if (!code) throw e;
    throw new GyreError(code, e.message, { field: e.field, details: e.details });
  }
}

/** Parses a registry search (filter, order_by, page token) with the shared MLflow search grammar. */
export function parseSearch(
  target: Extract<SearchTarget, "registered_models" | "model_versions">,
  req: { filter?: string | undefined; orderBy?: string[] | undefined; pageToken?: string | undefined },
): { filter: FilterExpr | null; orderBy: OrderKey[]; offset: number } {
  return recode(() => ({
    filter: parseFilter(req.filter, target),
    orderBy: parseOrderBy(req.orderBy, target),
    offset: decodePageToken(req.pageToken),
  }));
}
