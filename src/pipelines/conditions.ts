import type { ArtifactIO } from "./artifact-io.js";
import { paramValue } from "./params.js";
import type { CompareOp, JsonValue, OutputValue, PlanCondition } from "./types.js";

function compare(left: unknown, op: CompareOp, right: unknown): boolean {
  switch (op) {
    case "==":
      return JSON.stringify(left) === JSON.stringify(right);
    case "!=":
      return JSON.stringify(left) !== JSON.stringify(right);
    default: {
      if (typeof left !== "number" || typeof right !== "number") return false;
      if (op === ">") return left > right;
      if (op === ">=") return left >= right;
      if (op === "<") return left < right;
      return left <= right;
    }
  }
}

/**
 * Evaluates a `when` condition. A metrics condition reads the upstream metrics artifact (a JSON object);
 * a missing key or unreadable file makes the condition false. Returns whether it holds and a readable why.
 */
export async function evaluateCondition(
  cond: PlanCondition,
  params: Record<string, JsonValue>,
  source: (from: Extract<PlanCondition, { metric: unknown }>["metric"]) => OutputValue | undefined,
  io: ArtifactIO,
): Promise<{ holds: boolean; why: string }> {
  if ("param" in cond) {
    const left = paramValue(cond.param, params);
    const name = "param" in cond.param ? `parameter '${cond.param.param}'` : "value";
    return {
      holds: compare(left, cond.op, cond.value),
      why: `${name} ${JSON.stringify(left)} ${cond.op} ${JSON.stringify(cond.value)}`,
    };
  }
  const ref = source(cond.metric);
  let value: unknown;
  if (ref && !Array.isArray(ref)) {
    try {
      value = (JSON.parse(await io.readText(ref)) as Record<string, unknown>)[cond.key];
    } catch {
      value = undefined;
    }
  }
  const where = "step" in cond.metric ? `${cond.metric.step}.${cond.metric.port}` : cond.metric.input;
  return {
    holds: compare(value, cond.op, cond.value),
    why: `${where} ${cond.key} = ${JSON.stringify(value ?? null)}, condition ${cond.op} ${cond.value}`,
  };
}
