/**
 * Training benchmark: the reference trainer's MLP throughput on the TF.js wasm backend, and single-row
 * in-process latency of its exported ONNX model in ONNX Runtime, next to a one-Add graph run the same way
 * (the ceiling: what InferenceSession.run costs when the graph does nothing).
 *
 *   npm run bench:training -- [--quick]
 *
 * Full: 500k seeded synthetic rows × 20 features (16 numeric, 4 categorical with 8 levels), MLP [64, 32],
 * 3 epochs; 10,000 timed single-row calls per graph. Prints a table, writes bench/results/training.json.
 */
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import onnxProto from "onnx-proto";
import * as ort from "onnxruntime-node";
import {
  exportOnnx,
  type OnnxSignature,
  type Row,
  syntheticTabular,
  type TrainedModel,
  trainTabular,
} from "../src/training/index.js";
import { type Figure, figure, table, writeResults } from "./report.js";

const SIZES = {
  full: { rows: 500_000, epochs: 3, calls: 10_000, warmup: 1_000 },
  quick: { rows: 50_000, epochs: 1, calls: 2_000, warmup: 200 },
};
const SHAPE = { numeric: 16, categorical: 4, levels: 8 };
const HIDDEN = [64, 32];
const BATCH_SIZE = 512;
const VALIDATION_SPLIT = 0.1;
const TARGET_P50_US = 100;

/** Feeds for one row, built per call as a server would from a request. */
function rowFeeds(signature: OnnxSignature, row: Row): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const { name, dtype } of signature.inputs) {
    feeds[name] =
      dtype === "float32"
        ? new ort.Tensor("float32", Float32Array.of(row[name] as number), [1, 1])
        : new ort.Tensor("string", [String(row[name])], [1, 1]);
  }
  return feeds;
}

/** Times `calls` sequential runs after `warmup` untimed ones; returns p50/p99/mean in µs. */
async function latency(
  session: ort.InferenceSession,
  feedsFor: (i: number) => Record<string, ort.Tensor>,
  calls: number,
  warmup: number,
): Promise<{ p50: number; p99: number; mean: number }> {
  for (let i = 0; i < warmup; i++) await session.run(feedsFor(i));
  const times = new Float64Array(calls);
  for (let i = 0; i < calls; i++) {
    const feeds = feedsFor(i);
    const start = process.hrtime.bigint();
    await session.run(feeds);
    times[i] = Number(process.hrtime.bigint() - start) / 1000;
  }
  times.sort();
  const at = (q: number) => times[Math.min(calls - 1, Math.floor(q * calls))]!;
  return { p50: at(0.5), p99: at(0.99), mean: times.reduce((a, b) => a + b, 0) / calls };
}

/** The ceiling graph: x float32 [1,1] + constant → y. */
function addGraph(): Uint8Array {
  const { onnx } = onnxProto;
  const vi = (name: string) => ({
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: [{ dimValue: 1 }, { dimValue: 1 }] },
      },
    },
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: "", version: 17 }],
    graph: {
      name: "add",
      node: [{ opType: "Add", input: ["x", "one"], output: ["y"] }],
      initializer: [{ name: "one", dims: [1], dataType: onnx.TensorProto.DataType.FLOAT, floatData: [1] }],
      input: [vi("x")],
      output: [vi("y")],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

type Sizes = (typeof SIZES)[keyof typeof SIZES];

/** Trains the MLP on seeded synthetic rows; returns the model and its rows/s figure (median epoch). */
async function trainingFigure(sizes: Sizes): Promise<{ trained: TrainedModel; rows: Row[]; figure: Figure }> {
  process.stderr.write(`generating ${sizes.rows.toLocaleString("en-US")} rows…\n`);
  const { rows, spec } = syntheticTabular({ rows: sizes.rows, ...SHAPE, seed: 1 });
  const trained = await trainTabular(rows, spec, {
    head: { kind: "mlp", hidden: HIDDEN },
    epochs: sizes.epochs,
    batchSize: BATCH_SIZE,
    validationSplit: VALIDATION_SPLIT,
    patience: sizes.epochs,
    learningRate: 0.005,
  });
  const perEpoch = trained.history.epochs.map((e) => e.rowsPerSecond);
  const trainRows = rows.length - Math.round(rows.length * VALIDATION_SPLIT);
  return {
    trained,
    rows,
    figure: figure({
      backend: "tfjs-wasm",
      name: `MLP [${HIDDEN}] training, rows/s (median of ${perEpoch.length} epochs)`,
      unit: "rows/s",
      value: [...perEpoch].sort((a, b) => a - b)[Math.floor(perEpoch.length / 2)]!,
      target: null,
      better: "higher",
      detail: { perEpoch, trainRows, batchSize: BATCH_SIZE },
    }),
  };
}

/** Single-row latency of the exported model and of the one-Add ceiling graph, one thread each. */
async function latencyFigures(trained: TrainedModel, rows: Row[], sizes: Sizes): Promise<Figure[]> {
  const options: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1 };
  const { bytes, signature } = exportOnnx(trained);
  const model = await ort.InferenceSession.create(bytes, options);
  const sample = rows.slice(0, 1000);
  const ours = await latency(
    model,
    (i) => rowFeeds(signature, sample[i % sample.length]!),
    sizes.calls,
    sizes.warmup,
  );
  const add = await ort.InferenceSession.create(addGraph(), options);
  const x = (i: number) => ({ x: new ort.Tensor("float32", Float32Array.of(i), [1, 1]) });
  const ceiling = await latency(add, x, sizes.calls, sizes.warmup);
  await Promise.all([model.release(), add.release()]);
  const detail = { calls: sizes.calls, inputs: signature.inputs.length, bytes: bytes.length };
  const f = (name: string, value: number, rest: Partial<Parameters<typeof figure>[0]> = {}) =>
    figure({ backend: "onnxruntime", name, unit: "µs", value, target: null, better: "lower", ...rest });
  return [
    f("exported MLP, 1 row, p50", ours.p50, {
      target: TARGET_P50_US,
      ceiling: ceiling.p50,
      detail: { ...detail, mean: ours.mean },
    }),
    f("exported MLP, 1 row, p99", ours.p99, { ceiling: ceiling.p99, detail }),
    f("ceiling: one Add, 1 row, p50", ceiling.p50, { detail: { mean: ceiling.mean } }),
    f("ceiling: one Add, 1 row, p99", ceiling.p99),
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: "boolean", default: false } } });
  const mode = values.quick ? "quick" : "full";
  const sizes = SIZES[mode];
  const load0 = loadavg()[0]!;
  const training = await trainingFigure(sizes);
  const figures = [training.figure, ...(await latencyFigures(training.trained, training.rows, sizes))];
  training.trained.model.dispose();
  for (const f of figures) f.detail = { ...f.detail, loadavg1Before: load0, loadavg1After: loadavg()[0] };

  const meta = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    mode,
    sizes: { ...sizes, ...SHAPE, hidden: HIDDEN, batchSize: BATCH_SIZE },
    loadavg: loadavg(),
  };
  writeResults("training", meta, figures);
  process.stdout.write(
    `\n${table(figures)}\n\nload average (1/5/15 min): ${meta.loadavg.map((l) => l.toFixed(2)).join(" / ")}\n`,
  );
  process.stdout.write("JSON: bench/results/training.json\n");
}

await main();
