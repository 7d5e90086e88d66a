/**
 * The flight-delays training pipeline: extract → validate → train (Python) → evaluate → publish (only when
 * the model beats the baseline), plus a per-airport fan-out/fan-in report on the same data.
 */
import { definePipeline, defineStep, param } from "../../src/pipelines/index.js";

const steps = new URL("./steps.ts", import.meta.url);

const extract = defineStep({
  name: "extract",
  module: steps,
  export: "extract",
  outputs: { train: "dataset", test: "dataset" },
  params: { source: param.string("flights-10k.json"), rows: param.number(10_000) },
});

const validate = defineStep({
  name: "validate",
  module: steps,
  export: "validate",
  inputs: { data: "dataset" },
  outputs: { profile: "metrics" },
});

const train = defineStep({
  name: "train",
  command: ["python3", "train.py"],
  cwd: new URL(".", import.meta.url).pathname,
  inputs: { data: "dataset" },
  outputs: { model: "model" },
  params: { ridge: param.number(0) },
  retries: 1,
  timeoutMs: 120_000,
});

const evaluate = defineStep({
  name: "evaluate",
  module: steps,
  export: "evaluate",
  inputs: { model: "model", test: "dataset" },
  outputs: { metrics: "metrics" },
});

const byOrigin = defineStep({
  name: "by-origin",
  module: steps,
  export: "byOrigin",
  inputs: { data: "dataset" },
  outputs: { airports: "dataset[]" },
  params: { top: param.number(5) },
});

const airportStats = defineStep({
  name: "airport-stats",
  module: steps,
  export: "airportStats",
  inputs: { airport: "dataset" },
  outputs: { stats: "metrics" },
});

const report = defineStep({
  name: "report",
  module: steps,
  export: "report",
  inputs: { stats: "metrics[]" },
  outputs: { summary: "metrics" },
});

const publish = defineStep({
  name: "publish",
  command: [
    "sh",
    "-c",
    'cp "$GYRE_INPUT_MODEL" "$GYRE_OUTPUT_MODEL" && echo "published model of run $GYRE_RUN_ID"',
  ],
  inputs: { model: "model" },
  outputs: { model: "model" },
});

export const flightDelays = definePipeline({
  name: "flight-delays",
  description: "Train and evaluate a delay model on the vega-datasets flights sample",
  params: { rows: param.number(10_000), ridge: param.number(0), airports: param.number(5) },
  outputs: { metrics: "metrics" },
  build(p) {
    const data = p.step(extract, { params: { rows: p.param("rows") } });
    const checked = p.step(validate, { inputs: { data: data.outputs.train } });
    const model = p.step(train, {
      inputs: { data: data.outputs.train },
      params: { ridge: p.param("ridge") },
      after: [checked],
    });
    const ev = p.step(evaluate, { inputs: { model: model.outputs.model, test: data.outputs.test } });
    p.step(publish, {
      inputs: { model: model.outputs.model },
      when: { metric: ev.outputs.metrics, key: "improvement", op: ">", value: 0 },
    });
    const airports = p.step(byOrigin, {
      inputs: { data: data.outputs.train },
      params: { top: p.param("airports") },
    });
    const stats = p.map(airportStats, { over: airports.outputs.airports, as: "airport" });
    p.step(report, { inputs: { stats: stats.outputs.stats } });
    return { metrics: ev.outputs.metrics };
  },
});
