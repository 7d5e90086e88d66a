import { GyreError } from "../core/errors.js";
import type { PlanStep } from "./types.js";

/**
 * Orders steps so that every step follows its dependencies; among ready steps, definition order wins, so
 * the same pipeline always compiles to the same plan. Throws PIPELINE_CYCLE naming the steps of one cycle.
 */
export function sortSteps(steps: PlanStep[]): PlanStep[] {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const indegree = new Map(steps.map((s) => [s.id, s.dependsOn.length]));
  const children = new Map<string, string[]>();
  for (const s of steps) for (const d of s.dependsOn) children.set(d, [...(children.get(d) ?? []), s.id]);
  const order = new Map(steps.map((s, i) => [s.id, i]));
  const ready = steps.filter((s) => s.dependsOn.length === 0).map((s) => s.id);
  const out: PlanStep[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => order.get(a)! - order.get(b)!);
    const id = ready.shift()!;
    out.push(byId.get(id)!);
    for (const c of children.get(id) ?? []) {
      const n = indegree.get(c)! - 1;
      indegree.set(c, n);
      if (n === 0) ready.push(c);
    }
  }
  if (out.length < steps.length) {
    const cycle = findCycle(
      steps.filter((s) => indegree.get(s.id)! > 0),
      byId,
    );
    throw new GyreError(
      "PIPELINE_CYCLE",
      `Steps form a cycle: ${cycle.join(" → ")}. Remove one of these connections.`,
      { field: "steps", details: { steps: cycle, step: cycle[0] } },
    );
  }
  return out;
}

/** One cycle among the unsorted steps, as step ids from a step back to itself (downstream direction). */
function findCycle(left: PlanStep[], byId: Map<string, PlanStep>): string[] {
  const stack: string[] = [];
  const state = new Map<string, "open" | "done">();
  const visit = (id: string): string[] | null => {
    state.set(id, "open");
    stack.push(id);
    for (const d of byId.get(id)?.dependsOn ?? []) {
      if (state.get(d) === "open") return [...stack.slice(stack.indexOf(d)), d].reverse();
      if (!state.has(d)) {
        const found = visit(d);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(id, "done");
    return null;
  };
  for (const s of left) {
    if (state.has(s.id)) continue;
    const found = visit(s.id);
    if (found) return found;
  }
  return left.map((s) => s.id);
}
