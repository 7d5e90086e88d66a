/**
 * The flights project's pipelines as code:
 * - `flights-features` checks the raw dataset, aggregates it per airport/route and day (registered as
 *   datasets), applies the feature definitions and materializes the online store up to `until`;
 * - `flights-train` builds a point-in-time training set from the feature store, trains the reference model,
 *   gates it against the champion on the same evaluation window and registers it (champion the first time,
 *   challenger afterwards). Monitoring alerts start it with `until` empty: train on the latest known window.
 */
import { definePipeline, defineStep, param } from "../../src/pipelines/index.js";

const steps = new URL("./steps.ts", import.meta.url);

const aggregate = defineStep({
  name: "aggregate",
  module: steps,
  export: "aggregate",
  outputs: { report: "metrics" },
  params: { dataset: param.string("flights") },
  cache: false,
});

const materialize = defineStep({
  name: "materialize",
  module: steps,
  export: "materialize",
  outputs: { summary: "metrics" },
  params: { until: param.string("2001-04-01") },
  cache: false,
});

export const flightsFeatures = definePipeline({
  name: "flights-features",
  description:
    "Check the flights dataset, aggregate it per airport/route and day, apply the feature definitions, materialize the online store up to `until`",
  params: { dataset: param.string("flights"), until: param.string("2001-04-01") },
  outputs: { summary: "metrics" },
  build(p) {
    const checked = p.step(aggregate, { params: { dataset: p.param("dataset") } });
    const m = p.step(materialize, { params: { until: p.param("until") }, after: [checked] });
    return { summary: m.outputs.summary };
  },
});

const trainingSet = defineStep({
  name: "training-set",
  module: steps,
  export: "trainingSet",
  outputs: { train: "dataset", eval: "dataset" },
  params: {
    dataset: param.string("flights"),
    until: param.string(""),
    train_days: param.number(59),
    eval_days: param.number(31),
    sample: param.number(20_000),
    eval_sample: param.number(20_000),
  },
  cache: false,
});

const train = defineStep({
  name: "train",
  module: steps,
  export: "train",
  inputs: { train: "dataset", eval: "dataset" },
  outputs: { model: "model" },
  params: { epochs: param.number(4), hidden: param.string("32") },
  timeoutMs: 600_000,
});

const gate = defineStep({
  name: "gate",
  module: steps,
  export: "gate",
  inputs: { model: "model", eval: "dataset" },
  outputs: { decision: "metrics" },
  params: { model: param.string("flights"), tolerance: param.number(0.02) },
  cache: false,
});

const register = defineStep({
  name: "register",
  module: steps,
  export: "register",
  inputs: { model: "model", decision: "metrics" },
  outputs: { version: "metrics" },
  params: { model: param.string("flights") },
  cache: false,
});

export const flightsTrain = definePipeline({
  name: "flights-train",
  description: "Point-in-time training set → reference trainer → gate against the champion → register",
  params: {
    dataset: param.string("flights"),
    model: param.string("flights"),
    until: param.string(""),
    train_days: param.number(59),
    eval_days: param.number(31),
    sample: param.number(20_000),
    eval_sample: param.number(20_000),
    epochs: param.number(4),
    hidden: param.string("32"),
    tolerance: param.number(0.02),
    // Filled from the alert when monitoring starts the pipeline.
    alert_id: param.string(""),
    deployment: param.string(""),
    monitor: param.string(""),
    features: param.string(""),
  },
  outputs: { decision: "metrics" },
  build(p) {
    const set = p.step(trainingSet, {
      params: {
        dataset: p.param("dataset"),
        until: p.param("until"),
        train_days: p.param("train_days"),
        eval_days: p.param("eval_days"),
        sample: p.param("sample"),
        eval_sample: p.param("eval_sample"),
      },
    });
    const model = p.step(train, {
      inputs: { train: set.outputs.train, eval: set.outputs.eval },
      params: { epochs: p.param("epochs"), hidden: p.param("hidden") },
    });
    const decision = p.step(gate, {
      inputs: { model: model.outputs.model, eval: set.outputs.eval },
      params: { model: p.param("model"), tolerance: p.param("tolerance") },
    });
    p.step(register, {
      inputs: { model: model.outputs.model, decision: decision.outputs.decision },
      params: { model: p.param("model") },
      when: { metric: decision.outputs.decision, key: "pass", op: ">", value: 0 },
    });
    return { decision: decision.outputs.decision };
  },
});

export const pipelines = [flightsFeatures, flightsTrain];
