/**
 * The HTTP ceiling for `bench/serving.ts`: a hello-world Fastify server with the same number of cluster
 * workers as gyre serve, answering `POST /hello` (JSON body parsed, small JSON answer) and `GET /hello`.
 * Sends `{ url }` over IPC once every worker listens; stops when the parent disconnects.
 *
 * Given a model (`GYRE_BENCH_MODEL`, an ONNX file whose inputs are [N, 1] columns), it is also the ceiling of
 * the batching speed-up: `POST /infer` runs the same ONNX Runtime session once per request and
 * `POST /infer-batched` through the smallest batcher there is (a lone request runs at once; requests that
 * arrive during a call are merged into the next, up to 64 rows). Both take MLflow's `dataframe_records` and
 * answer `{predictions: [...]}`, with no validation, metrics or log: what remains is HTTP plus ORT.
 *
 *   node --import tsx bench/serving-hello.ts <workers>
 */
import cluster from "node:cluster";
import Fastify from "fastify";
import * as ort from "onnxruntime-node";

const workers = Number(process.argv[2] ?? 1);

type Row = Record<string, number | string>;

/** ORT behind a one-call-at-a-time queue: `single` runs a call per request, `batched` merges waiting rows. */
async function openModel(path: string) {
  const session = await ort.InferenceSession.create(path, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
  });
  const run = async (rows: Row[]): Promise<ort.Tensor> => {
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of Object.keys(rows[0]!)) {
      const values = rows.map((r) => r[name]!);
      feeds[name] =
        typeof values[0] === "number"
          ? new ort.Tensor("float32", Float32Array.from(values as number[]), [rows.length, 1])
          : new ort.Tensor("string", values.map(String), [rows.length, 1]);
    }
    const out = await session.run(feeds);
    return out[session.outputNames[0]!]!;
  };
  let queue: { row: Row; resolve(p: number): void; reject(e: unknown): void }[] = [];
  let busy = false;
  const dispatch = async (): Promise<void> => {
    busy = true;
    const batch = queue.slice(0, 64);
    queue = queue.slice(batch.length);
    try {
      const data = (await run(batch.map((b) => b.row))).data as Float32Array;
      for (const [i, b] of batch.entries()) b.resolve(data[i]!);
    } catch (e) {
      for (const b of batch) b.reject(e);
    }
    busy = false;
    if (queue.length > 0) setImmediate(dispatch);
  };
  return {
    single: async (row: Row) => ((await run([row])).data as Float32Array)[0]!,
    batched: (row: Row) =>
      new Promise<number>((resolve, reject) => {
        queue.push({ row, resolve, reject });
        if (!busy && queue.length === 1) void dispatch();
      }),
  };
}

if (cluster.isPrimary && workers > 1) {
  let ready = 0;
  let url = "";
  for (let i = 0; i < workers; i++) {
    cluster.fork().on("message", (m: { url: string }) => {
      url = m.url;
      if (++ready === workers) process.send?.({ url });
    });
  }
  process.on("disconnect", () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.kill();
    process.exit(0);
  });
} else {
  const app = Fastify({ logger: false });
  app.post("/hello", async () => ({ predictions: [{ probability: 0.5 }] }));
  app.get("/hello", async () => ({ hello: "world" }));
  const modelPath = process.env.GYRE_BENCH_MODEL;
  if (modelPath) {
    const model = await openModel(modelPath);
    type Body = { Body: { dataframe_records: Row[] } };
    app.post<Body>("/infer", async (req) => ({
      predictions: [{ probability: await model.single(req.body.dataframe_records[0]!) }],
    }));
    app.post<Body>("/infer-batched", async (req) => ({
      predictions: [{ probability: await model.batched(req.body.dataframe_records[0]!) }],
    }));
  }
  await app.listen({ host: "127.0.0.1", port: Number(process.env.GYRE_BENCH_PORT ?? 0) });
  const addr = app.server.address();
  process.send?.({ url: `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}` });
  process.on("disconnect", () => void app.close().then(() => process.exit(0)));
}
