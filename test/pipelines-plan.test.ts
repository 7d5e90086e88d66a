import { describe, expect, it } from "vitest";
import { isGyreError } from "../src/core/index.js";
import {
  compile,
  definePipeline,
  defineStep,
  type PipelinePlan,
  param,
  type Ref,
} from "../src/pipelines/index.js";
import { evaluate, fanout, makeData, training, trainPy } from "./fixtures/pipelines/pipelines.js";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** The plan with machine-specific absolute paths replaced by <root>. */
function portable(plan: PipelinePlan): unknown {
  return JSON.parse(JSON.stringify(plan).replaceAll(ROOT, "<root>"));
}

function codeOf(fn: () => unknown): { code: string; message: string; details: unknown } {
  try {
    fn();
  } catch (e) {
    if (!isGyreError(e)) throw e;
    return { code: e.code, message: e.message, details: e.details };
  }
  throw new Error("expected a GyreError");
}

const a = defineStep({ name: "a", command: "true", inputs: { in: "file" }, outputs: { out: "file" } });
const source = defineStep({ name: "source", command: "true", outputs: { out: "file", m: "metrics" } });

describe("pipeline plans", () => {
  it("compiles the training pipeline to a stable plain plan", () => {
    const plan = compile(training);
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
    expect(plan.steps.map((s) => s.id)).toEqual(["make-data", "train", "evaluate", "publish", "never"]);
    expect(portable(plan)).toMatchSnapshot();
  });

  it("inlines nested pipelines, fan-out and fan-in", () => {
    const prep = definePipeline({
      name: "prep",
      params: { rows: param.number(5) },
      outputs: { data: "dataset" },
      build: (p) => ({ data: p.step(makeData, { params: { rows: p.param("rows") } }).outputs.data }),
    });
    const outer = definePipeline({
      name: "outer",
      params: { n: param.number(7), deploy: param.boolean(false) },
      build(p) {
        const d = p.pipeline(prep, { params: { rows: p.param("n") } });
        const m = p.step(trainPy, { inputs: { data: d.outputs.data }, after: ["fan"] });
        p.step(evaluate, {
          inputs: { model: m.outputs.model },
          when: { param: p.param("deploy"), op: "==", value: true },
        });
        p.pipeline(fanout, { id: "fan" });
      },
    });
    const plan = compile(outer);
    const summary = plan.steps.map((s) => ({
      id: s.id,
      group: s.group,
      dependsOn: s.dependsOn.join(","),
      inputs: Object.entries(s.inputs)
        .map(([k, v]) => `${k}:${v.type}<-${JSON.stringify(v.from)}`)
        .join(" "),
      params: JSON.stringify(s.params),
      map: s.map && JSON.stringify(s.map),
      when: s.when && JSON.stringify(s.when),
    }));
    expect(summary).toMatchInlineSnapshot(`
      [
        {
          "dependsOn": "",
          "group": "prep",
          "id": "prep.make-data",
          "inputs": "",
          "map": null,
          "params": "{"rows":{"param":"n"},"marks":{"literal":""}}",
          "when": null,
        },
        {
          "dependsOn": "",
          "group": "fan",
          "id": "fan.split",
          "inputs": "",
          "map": null,
          "params": "{"parts":{"literal":3},"marks":{"literal":""}}",
          "when": null,
        },
        {
          "dependsOn": "fan.split",
          "group": "fan",
          "id": "fan.square",
          "inputs": "",
          "map": "{"over":{"step":"fan.split","port":"shards"},"as":"shard"}",
          "params": "{"marks":{"literal":""}}",
          "when": null,
        },
        {
          "dependsOn": "fan.square",
          "group": "fan",
          "id": "fan.total",
          "inputs": "results:metrics[]<-{"step":"fan.square","port":"result"}",
          "map": null,
          "params": "{"marks":{"literal":""}}",
          "when": null,
        },
        {
          "dependsOn": "fan.split,fan.square,fan.total,prep.make-data",
          "group": null,
          "id": "train",
          "inputs": "data:dataset<-{"step":"prep.make-data","port":"data"}",
          "map": null,
          "params": "{"lr":{"literal":0.1},"marks":{"literal":""}}",
          "when": null,
        },
        {
          "dependsOn": "train",
          "group": null,
          "id": "evaluate",
          "inputs": "model:model<-{"step":"train","port":"model"}",
          "map": null,
          "params": "{"marks":{"literal":""}}",
          "when": "{"param":{"param":"deploy"},"op":"==","value":true}",
        },
      ]
    `);
  });

  it("rejects a cycle, naming its steps", () => {
    const cyc = definePipeline({
      name: "cyc",
      build(p) {
        p.step(a, { id: "x", inputs: { in: p.ref("z", "out") as Ref<"file"> } });
        p.step(a, { id: "y", inputs: { in: p.ref("x", "out") as Ref<"file"> } });
        p.step(a, { id: "z", inputs: { in: p.ref("y", "out") as Ref<"file"> } });
      },
    });
    const e = codeOf(() => compile(cyc));
    expect(e.code).toBe("PIPELINE_CYCLE");
    expect(e.message).toContain("x → y → z → x");
  });

  it("rejects missing inputs and unknown ports, naming step and port", () => {
    const missing = definePipeline({
      name: "missing",
      build: (p) => void p.step(a, { id: "lonely", inputs: {} as never }),
    });
    const e1 = codeOf(() => compile(missing));
    expect(e1).toMatchObject({ code: "PIPELINE_INPUT_MISSING", details: { step: "lonely", port: "in" } });
    expect(e1.message).toContain("Step 'lonely' input 'in' (file) is not connected");

    const typo = definePipeline({
      name: "typo",
      build(p) {
        p.step(source);
        p.step(a, { inputs: { in: p.ref("source", "oot") as Ref<"file"> } });
      },
    });
    const e2 = codeOf(() => compile(typo));
    expect(e2).toMatchObject({ code: "PIPELINE_INPUT_MISSING", details: { step: "a", port: "in" } });
    expect(e2.message).toContain("(it has: out, m)");

    const nostep = definePipeline({
      name: "nostep",
      build: (p) => void p.step(a, { inputs: { in: p.ref("ghost", "out") as Ref<"file"> } }),
    });
    expect(codeOf(() => compile(nostep)).message).toContain("there is no step 'ghost'");
  });

  it("rejects type mismatches between connected ports", () => {
    const mismatch = definePipeline({
      name: "mismatch",
      build(p) {
        const s = p.step(source);
        p.step(evaluate, { inputs: { model: s.outputs.m as unknown as Ref<"model"> } });
      },
    });
    const e = codeOf(() => compile(mismatch));
    expect(e).toMatchObject({ code: "PIPELINE_TYPE_MISMATCH", details: { step: "evaluate", port: "model" } });
    expect(e.message).toBe("Step 'evaluate' input 'model' expects model, but 'source.m' is metrics");

    const badMap = definePipeline({
      name: "bad-map",
      build(p) {
        const s = p.step(source);
        p.map(a, { over: s.outputs.out as unknown as Ref<"file[]">, as: "in" });
      },
    });
    expect(codeOf(() => compile(badMap))).toMatchObject({
      code: "PIPELINE_TYPE_MISMATCH",
      details: { port: "in" },
    });
  });

  it("rejects duplicate ids, bad params and steps of neither kind", () => {
    const dup = definePipeline({ name: "dup", build: (p) => void [p.step(source), p.step(source)] });
    expect(codeOf(() => compile(dup)).code).toBe("PIPELINE_INVALID");
    const badParam = definePipeline({
      name: "bad-param",
      build: (p) => void p.step(makeData, { params: { rows: "many" as unknown as number } }),
    });
    expect(codeOf(() => compile(badParam))).toMatchObject({
      code: "PIPELINE_PARAM_INVALID",
      details: { param: "rows" },
    });
    expect(codeOf(() => defineStep({ name: "neither" } as never)).code).toBe("PIPELINE_INVALID");
  });
});
