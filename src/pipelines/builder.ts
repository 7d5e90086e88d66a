import { GyreError } from "../core/errors.js";
import {
  checkName,
  type Handle,
  type NodeOptions,
  type PipelineBuilder,
  type PipelineDef,
  type Ports,
  type RecordedNode,
  type Ref,
} from "./dsl.js";
import type { PortType } from "./types.js";

/** A pipeline body after it ran: its nodes in definition order and the refs it returned as outputs. */
export interface RecordedPipeline {
  def: PipelineDef;
  nodes: RecordedNode[];
  outputs: Record<string, Ref>;
}

function outputRefs(id: string, ports: Ports, list: boolean): Record<string, Ref> {
  const out: Record<string, Ref> = {};
  for (const [port, type] of Object.entries(ports)) {
    out[port] = { $ref: { step: id, port }, type: (list ? `${type}[]` : type) as PortType };
  }
  return out;
}

function common(o: NodeOptions | undefined): NodeOptions {
  const { id: _id, ...rest } = o ?? {};
  return rest;
}

/** Hands out node ids of one pipeline body. Throws PIPELINE_INVALID for a bad or duplicate id. */
function idClaimer(def: PipelineDef): (id: string | undefined, fallback: string) => string {
  const ids = new Set<string>();
  return (id, fallback) => {
    const name = checkName(id ?? fallback, `node id in pipeline '${def.name}'`);
    if (ids.has(name)) {
      throw new GyreError(
        "PIPELINE_INVALID",
        `Pipeline '${def.name}' has two nodes with id '${name}': give one of them another \`id\``,
        { field: "id", details: { pipeline: def.name, step: name } },
      );
    }
    ids.add(name);
    return name;
  };
}

/** Runs a pipeline body against a recording builder. Throws PIPELINE_INVALID for duplicate or bad ids. */
export function recordPipeline(def: PipelineDef): RecordedPipeline {
  const nodes: RecordedNode[] = [];
  const claim = idClaimer(def);
  const builder: PipelineBuilder<Ports, Record<string, never>> = {
    step(stepDef, options) {
      const id = claim(options?.id, stepDef.spec.name);
      const inputs = (options?.inputs ?? {}) as Record<string, Ref>;
      const params = (options?.params ?? {}) as Record<string, unknown>;
      nodes.push({ kind: "step", id, def: stepDef as never, inputs, params, options: common(options) });
      return handle(id, stepDef.spec.outputs ?? {}, false);
    },
    map(stepDef, options) {
      const id = claim(options.id, stepDef.spec.name);
      const inputs = (options.inputs ?? {}) as Record<string, Ref>;
      const params = (options.params ?? {}) as Record<string, unknown>;
      const over = options.over as Ref;
      nodes.push({
        kind: "map",
        id,
        def: stepDef as never,
        inputs,
        params,
        over,
        as: options.as,
        options: common(options),
      });
      return handle(id, stepDef.spec.outputs ?? {}, true) as never;
    },
    pipeline(child, options) {
      const id = claim(options?.id, child.name);
      const inputs = (options?.inputs ?? {}) as Record<string, Ref>;
      const params = (options?.params ?? {}) as Record<string, unknown>;
      nodes.push({ kind: "pipeline", id, def: child as never, inputs, params, options: common(options) });
      return handle(id, child.outputs, false);
    },
    param: (name) => ({ $param: name }),
    input: (name) => {
      const type = def.inputs[name];
      if (type === undefined) {
        throw new GyreError(
          "PIPELINE_INPUT_MISSING",
          `Pipeline '${def.name}' has no input '${name}': declare it in \`inputs\``,
          { field: "inputs", details: { pipeline: def.name, port: name } },
        );
      }
      return { $ref: { input: name }, type } as never;
    },
    ref: (step, port) => ({ $ref: { step, port }, type: "file" as PortType }),
  };
  const returned = def.build(builder as never) ?? {};
  return { def, nodes, outputs: returned as Record<string, Ref> };
}

function handle<O extends Ports>(id: string, ports: Ports, list: boolean): Handle<O> {
  return Object.freeze({ id, outputs: outputRefs(id, ports, list) as Handle<O>["outputs"] });
}
