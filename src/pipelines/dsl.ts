import { GyreError } from "../core/errors.js";
import type { ArtifactKind, CompareOp, JsonValue, ParamSpec, PortType, StepPolicy } from "./types.js";

/** Declared ports: name → type. */
export type Ports = Record<string, PortType>;
/** Declared parameters: name → spec. */
export type Params = Record<string, ParamSpec>;

/** A typed reference to an output port (or pipeline input). `type` lets TypeScript reject mismatched wiring. */
export interface Ref<T extends PortType = PortType> {
  readonly $ref: { step: string; port: string } | { input: string };
  readonly type: T;
}

/** A reference to a pipeline parameter, usable as a step parameter value or in a `when` condition. */
export interface ParamRef {
  readonly $param: string;
}

/** A `when` condition: on a pipeline parameter, or on a numeric key of an upstream `metrics` output. */
export type Condition =
  | { param: ParamRef; op: CompareOp; value: JsonValue }
  | { metric: Ref<"metrics">; key: string; op: CompareOp; value: number };

interface StepCommon<I extends Ports, O extends Ports, P extends Params> {
  /** Letters, digits, `_` and `-`; the default id of the step inside a pipeline. */
  name: string;
  description?: string;
  inputs?: I;
  outputs?: O;
  params?: P;
  /** Environment variable names passed to the step and hashed into its cache key. */
  env?: string[];
  /** Code version for the cache key; defaults to a hash of the module or command files. */
  version?: string;
  retries?: number;
  backoff?: Partial<StepPolicy["backoff"]>;
  timeoutMs?: number;
  cache?: boolean;
}

/** A TypeScript/JavaScript function step: `export` of `module` runs in a pooled worker process. */
export interface FunctionStepSpec<I extends Ports, O extends Ports, P extends Params>
  extends StepCommon<I, O, P> {
  /** A file URL or absolute path, e.g. `new URL("./steps.ts", import.meta.url)`. */
  module: string | URL;
  /** Export name; default "default". */
  export?: string;
}

/** A command step in any language: an argv array (no shell), or a string run by `/bin/sh -c`. */
export interface CommandStepSpec<I extends Ports, O extends Ports, P extends Params>
  extends StepCommon<I, O, P> {
  command: string[] | string;
  /** Working directory; relative paths in `command` resolve against it. */
  cwd?: string;
}

/** A step definition: reusable, wired into pipelines with `p.step(...)` or `p.map(...)`. */
export interface StepDef<I extends Ports = Ports, O extends Ports = Ports, P extends Params = Params> {
  readonly kind: "step";
  readonly spec: FunctionStepSpec<I, O, P> | CommandStepSpec<I, O, P>;
}

/** Options common to every node a pipeline adds. */
export interface NodeOptions {
  /** Unique id inside the pipeline; defaults to the definition's name. */
  id?: string;
  when?: Condition;
  /** Extra ordering: run after these nodes even without a data dependency. */
  after?: Array<Handle<Ports> | string>;
  retries?: number;
  timeoutMs?: number;
  cache?: boolean;
}

type Inputs<I extends Ports> = { [K in keyof I]: Ref<I[K]> };
type ParamValues<P extends Params> = { [K in keyof P]?: JsonValue | ParamRef };
type ListOf<O extends Ports> = { [K in keyof O]: O[K] extends ArtifactKind ? `${O[K]}[]` : never };

/** What a pipeline node returns: its id and typed references to its outputs. */
export interface Handle<O extends Ports> {
  readonly id: string;
  readonly outputs: { [K in keyof O]: Ref<O[K]> };
}

/** Options of `p.step`. */
export interface StepOptions<I extends Ports, P extends Params> extends NodeOptions {
  inputs?: Inputs<I>;
  params?: ParamValues<P>;
}

/** Options of `p.map`: fan out over the list `over`, binding each element to input port `as`. */
export interface MapOptions<I extends Ports, P extends Params, A extends keyof I> extends NodeOptions {
  over: Ref<`${I[A] & ArtifactKind}[]`>;
  as: A;
  inputs?: Omit<Inputs<I>, A>;
  params?: ParamValues<P>;
}

interface StepNode {
  kind: "step";
  id: string;
  def: StepDef;
  inputs: Record<string, Ref>;
  params: Record<string, unknown>;
}

/** The recorded nodes of a pipeline body, compiled by `compile()`. */
export type Node =
  | StepNode
  | (Omit<StepNode, "kind"> & { kind: "map"; over: Ref; as: string })
  | {
      kind: "pipeline";
      id: string;
      def: PipelineDef;
      inputs: Record<string, Ref>;
      params: Record<string, unknown>;
    };

/** A node plus its common options, as recorded. */
export type RecordedNode = Node & { options: NodeOptions };

/** The builder passed to a pipeline body. */
export interface PipelineBuilder<PI extends Ports, PP extends Params> {
  step<I extends Ports, O extends Ports, P extends Params>(
    def: StepDef<I, O, P>,
    options?: StepOptions<I, P>,
  ): Handle<O>;
  map<I extends Ports, O extends Ports, P extends Params, A extends keyof I & string>(
    def: StepDef<I, O, P>,
    options: MapOptions<I, P, A>,
  ): Handle<ListOf<O>>;
  pipeline<I extends Ports, O extends Ports, P extends Params>(
    def: PipelineDef<I, O, P>,
    options?: StepOptions<I, P>,
  ): Handle<O>;
  param<K extends keyof PP & string>(name: K): ParamRef;
  input<K extends keyof PI & string>(name: K): Ref<PI[K]>;
  /** An untyped reference by id, for forward references; checked when the pipeline is compiled. */
  ref(step: string, port: string): Ref;
}

/** A pipeline definition: declared params, inputs and outputs plus a body that wires nodes. */
export interface PipelineDef<I extends Ports = Ports, O extends Ports = Ports, P extends Params = Params> {
  readonly kind: "pipeline";
  readonly name: string;
  readonly description: string | undefined;
  readonly params: P;
  readonly inputs: I;
  readonly outputs: O;
  readonly build: (p: PipelineBuilder<I, P>) => { [K in keyof O]: Ref<O[K]> } | undefined;
}

const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** Throws PIPELINE_INVALID unless `name` is a valid step, port or pipeline name. */
export function checkName(name: unknown, what: string): string {
  if (typeof name !== "string" || !NAME.test(name)) {
    throw new GyreError(
      "PIPELINE_INVALID",
      `Invalid ${what} '${String(name)}': use a letter then letters, digits, '_' or '-' (at most 64)`,
      { field: what },
    );
  }
  return name;
}

/** Defines a step. Throws PIPELINE_INVALID for a bad name or a spec that is neither function nor command. */
export function defineStep<
  I extends Ports = Record<never, never>,
  O extends Ports = Record<never, never>,
  P extends Params = Record<never, never>,
>(spec: FunctionStepSpec<I, O, P> | CommandStepSpec<I, O, P>): StepDef<I, O, P> {
  checkName(spec.name, "step name");
  const isFn = "module" in spec && spec.module !== undefined;
  const isCmd = "command" in spec && spec.command !== undefined;
  if (isFn === isCmd) {
    throw new GyreError(
      "PIPELINE_INVALID",
      `Step '${spec.name}' needs exactly one of 'module' (a function step) or 'command' (a command step)`,
      { field: "step", details: { step: spec.name } },
    );
  }
  for (const ports of [spec.inputs, spec.outputs, spec.params]) {
    for (const k of Object.keys(ports ?? {})) checkName(k, `port or parameter of step '${spec.name}'`);
  }
  return Object.freeze({ kind: "step" as const, spec });
}

/** Defines a pipeline. The body runs at compile time and only wires nodes; it must not do work. */
export function definePipeline<
  I extends Ports = Record<never, never>,
  O extends Ports = Record<never, never>,
  P extends Params = Record<never, never>,
>(spec: {
  name: string;
  description?: string;
  params?: P;
  inputs?: I;
  outputs?: O;
  // biome-ignore lint/suspicious/noConfusingVoidType: bodies without outputs are written as `build(p) { … }`.
  build: (p: PipelineBuilder<I, P>) => { [K in keyof O]: Ref<O[K]> } | undefined | void;
}): PipelineDef<I, O, P> {
  checkName(spec.name, "pipeline name");
  return Object.freeze({
    kind: "pipeline" as const,
    name: spec.name,
    description: spec.description,
    params: (spec.params ?? {}) as P,
    inputs: (spec.inputs ?? {}) as I,
    outputs: (spec.outputs ?? {}) as O,
    build: spec.build as PipelineDef<I, O, P>["build"],
  });
}

/** Shorthands for parameter specs: `param.number(3)`, `param.string()` (required). */
export const param = {
  string: (def?: string): ParamSpec => spec("string", def),
  number: (def?: number): ParamSpec => spec("number", def),
  boolean: (def?: boolean): ParamSpec => spec("boolean", def),
  json: (def?: JsonValue): ParamSpec => spec("json", def),
};

function spec(type: ParamSpec["type"], def: JsonValue | undefined): ParamSpec {
  return def === undefined ? { type } : { type, default: def };
}

/** The error a step throws to fail at once, without retries (BullMQ's UnrecoverableError). */
export function fatal(message: string): GyreError {
  return new GyreError("PIPELINE_STEP_FATAL", message);
}
