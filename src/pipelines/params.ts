import { GyreError } from "../core/errors.js";
import type { ParamRef } from "./dsl.js";
import type { JsonValue, ParamSpec, PlanParamValue } from "./types.js";

function typeOk(spec: ParamSpec, v: unknown): boolean {
  switch (spec.type) {
    case "string":
      return typeof v === "string";
    case "number":
      return typeof v === "number" && Number.isFinite(v);
    case "boolean":
      return typeof v === "boolean";
    case "json":
      return v !== undefined;
  }
}

/** Throws PIPELINE_PARAM_INVALID unless `value` has the declared type; `where` names the step or pipeline. */
export function checkParamValue(spec: ParamSpec, value: unknown, where: string, name: string): JsonValue {
  if (!typeOk(spec, value)) {
    throw new GyreError(
      "PIPELINE_PARAM_INVALID",
      `Parameter '${name}' of ${where} must be a ${spec.type}; got ${JSON.stringify(value)}`,
      { field: name, details: { param: name } },
    );
  }
  return value as JsonValue;
}

function isParamRef(v: unknown): v is ParamRef {
  return typeof v === "object" && v !== null && typeof (v as ParamRef).$param === "string";
}

/**
 * Binds the declared `specs` from given `values` (literals or references into the enclosing `env`), falling
 * back to defaults. Throws PIPELINE_PARAM_INVALID for unknown names, missing required values and bad types.
 */
export function bindParams(
  specs: Record<string, ParamSpec>,
  values: Record<string, unknown>,
  env: Record<string, PlanParamValue>,
  where: string,
): Record<string, PlanParamValue> {
  for (const name of Object.keys(values)) {
    if (!(name in specs) && values[name] !== undefined) {
      const known = Object.keys(specs).join(", ") || "none";
      throw new GyreError(
        "PIPELINE_PARAM_INVALID",
        `${where} has no parameter '${name}' (it has: ${known})`,
        {
          field: name,
          details: { param: name },
        },
      );
    }
  }
  const out: Record<string, PlanParamValue> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const v = values[name];
    if (isParamRef(v)) {
      const bound = env[v.$param];
      if (!bound) {
        throw new GyreError(
          "PIPELINE_PARAM_INVALID",
          `Parameter '${name}' of ${where} refers to pipeline parameter '${v.$param}', which is not declared`,
          { field: name, details: { param: v.$param } },
        );
      }
      out[name] = bound;
    } else if (v !== undefined) {
      out[name] = { literal: checkParamValue(spec, v, where, name) };
    } else if (spec.default !== undefined) {
      out[name] = { literal: spec.default };
    } else {
      throw new GyreError("PIPELINE_PARAM_INVALID", `${where} needs a value for parameter '${name}'`, {
        field: name,
        details: { param: name },
      });
    }
  }
  return out;
}

/**
 * The parameter values of one pipeline run: `given` checked against the plan's specs, defaults filled in.
 * Values given as strings (CLI `--param k=v`) are parsed for number, boolean and json parameters.
 */
export function runParams(
  specs: Record<string, ParamSpec>,
  given: Record<string, unknown>,
  pipeline: string,
): Record<string, JsonValue> {
  const parsed: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(given)) {
    parsed[k] = typeof v === "string" && specs[k] && specs[k].type !== "string" ? parseLoose(v) : v;
  }
  const bound = bindParams(specs, parsed, {}, `pipeline '${pipeline}'`);
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(bound)) out[k] = "literal" in v ? v.literal : null;
  return out;
}

function parseLoose(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/** The value of a plan parameter binding given the run's parameters. */
export function paramValue(v: PlanParamValue, run: Record<string, JsonValue>): JsonValue {
  return "literal" in v ? v.literal : (run[v.param] ?? null);
}
