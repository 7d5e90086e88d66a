import { GyreError } from "../core/errors.js";
import { recordPipeline } from "./builder.js";
import type { PipelineDef } from "./dsl.js";
import { bindParams } from "./params.js";
import { finishStep } from "./plan-finish.js";
import { type Draft, fail, type Group, join, type Pre, type Resolver, toPre } from "./plan-refs.js";
import { sortSteps } from "./plan-sort.js";
import type { PipelinePlan, PlanParamValue, PlanSource, PortType } from "./types.js";

/** Compiles a pipeline definition into its plain plan. Throws PIPELINE_CYCLE, _INPUT_MISSING, _TYPE_MISMATCH, _INVALID, _PARAM_INVALID. */
export function compile(def: PipelineDef): PipelinePlan {
  return new Compiler(def).compile();
}

class Compiler implements Resolver {
  readonly drafts = new Map<string, Draft>();
  readonly groups = new Map<string, Group>();
  readonly bindings = new Map<string, Pre>();

  constructor(readonly root: PipelineDef) {}

  compile(): PipelinePlan {
    const env: Record<string, PlanParamValue> = {};
    for (const name of Object.keys(this.root.params)) env[name] = { param: name };
    const top = this.expand(this.root, "", env);
    const steps = [...this.drafts.values()].map((d) => finishStep(this, d));
    const outputs: Record<string, PlanSource> = {};
    for (const [port, pre] of Object.entries(top.outputs)) {
      const r = this.resolve(pre, this.root.name, port);
      const want = this.root.outputs[port];
      if (want !== undefined && r.type !== want) {
        fail(
          "PIPELINE_TYPE_MISMATCH",
          `Pipeline '${this.root.name}' output '${port}' is declared ${want} but connected to a ${r.type}`,
          this.root.name,
          port,
        );
      }
      outputs[port] = r.src;
    }
    return {
      apiVersion: "gyre.pipeline/v1",
      name: this.root.name,
      description: this.root.description ?? null,
      params: { ...this.root.params },
      inputs: { ...this.root.inputs },
      outputs,
      steps: sortSteps(steps),
    };
  }

  expand(def: PipelineDef, scope: string, env: Record<string, PlanParamValue>): Group {
    const rec = recordPipeline(def);
    const steps: string[] = [];
    for (const node of rec.nodes) {
      const full = join(scope, node.id);
      if (node.kind === "pipeline") {
        const where = `nested pipeline '${full}'`;
        const childEnv = bindParams(node.def.params, node.params, env, where);
        for (const [name, ref] of Object.entries(node.inputs)) {
          if (!(name in node.def.inputs))
            fail("PIPELINE_INVALID", `Nested pipeline '${full}' has no input '${name}'`, full, name);
          this.bindings.set(`${full}|${name}`, toPre(ref, scope, full, name));
        }
        const group = this.expand(node.def, full, childEnv);
        this.groups.set(full, group);
        steps.push(...group.steps);
        continue;
      }
      const where = `step '${full}'`;
      const params = bindParams(node.def.spec.params ?? {}, node.params, env, where);
      const inputs: Record<string, Pre> = {};
      for (const [port, ref] of Object.entries(node.inputs)) inputs[port] = toPre(ref, scope, full, port);
      this.drafts.set(full, { full, scope, node, params, inputs, env });
      steps.push(full);
    }
    const outputs: Record<string, Pre> = {};
    for (const port of Object.keys(def.outputs)) {
      const ref = rec.outputs[port];
      if (!ref)
        fail(
          "PIPELINE_INPUT_MISSING",
          `Pipeline '${def.name}' declares output '${port}' but its body does not return it`,
          scope || def.name,
          port,
        );
      outputs[port] = toPre(ref, scope, scope || def.name, port);
    }
    return { outputs, steps };
  }

  /** Follows nested-pipeline inputs and outputs down to a concrete step port (or a top-level input). */
  resolve(pre: Pre, step: string, port: string, depth = 0): { src: PlanSource; type: PortType } {
    if (depth > 64)
      throw new GyreError(
        "PIPELINE_CYCLE",
        `Input '${port}' of step '${step}' refers back to itself through nested pipelines`,
        { field: port, details: { step, port } },
      );
    if (pre.kind === "input") {
      if (pre.scope === "") {
        const type = this.root.inputs[pre.name];
        if (type === undefined)
          fail(
            "PIPELINE_INPUT_MISSING",
            `Step '${step}' input '${port}' refers to pipeline input '${pre.name}', which is not declared`,
            step,
            port,
          );
        return { src: { input: pre.name }, type };
      }
      const bound = this.bindings.get(`${pre.scope}|${pre.name}`);
      if (!bound)
        fail(
          "PIPELINE_INPUT_MISSING",
          `Nested pipeline '${pre.scope}' input '${pre.name}' is not connected (needed by step '${step}')`,
          pre.scope,
          pre.name,
        );
      return this.resolve(bound, step, port, depth + 1);
    }
    const group = this.groups.get(pre.full);
    if (group) {
      const out = group.outputs[pre.port];
      if (!out)
        fail(
          "PIPELINE_INPUT_MISSING",
          `Step '${step}' input '${port}' refers to '${pre.full}.${pre.port}', but nested pipeline '${pre.full}' has no output '${pre.port}'`,
          step,
          port,
        );
      return this.resolve(out, step, port, depth + 1);
    }
    const draft = this.drafts.get(pre.full);
    if (!draft)
      fail(
        "PIPELINE_INPUT_MISSING",
        `Step '${step}' input '${port}' refers to '${pre.full}.${pre.port}', but there is no step '${pre.full}'`,
        step,
        port,
      );
    return this.stepOutput(draft, pre.port, step, port);
  }

  /** The type of output `out` of a step (a list for fan-out nodes). Throws PIPELINE_INPUT_MISSING. */
  stepOutput(draft: Draft, out: string, step: string, port: string): { src: PlanSource; type: PortType } {
    const outs = draft.node.def.spec.outputs ?? {};
    const type = outs[out];
    if (type === undefined) {
      const has = Object.keys(outs).join(", ") || "none";
      fail(
        "PIPELINE_INPUT_MISSING",
        `Step '${step}' input '${port}' refers to output '${out}' of step '${draft.full}', which declares no such output (it has: ${has})`,
        step,
        port,
      );
    }
    const t = draft.node.kind === "map" ? (`${type}[]` as PortType) : type;
    return { src: { step: draft.full, port: out }, type: t };
  }
}
