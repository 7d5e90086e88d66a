/**
 * The HTTP ceiling for `bench/serving.ts`: a hello-world Fastify server with the same number of cluster
 * workers as gyre serve, answering `POST /hello` (JSON body parsed, small JSON answer) and `GET /hello`.
 * Sends `{ url }` over IPC once every worker listens; stops when the parent disconnects.
 *
 *   node --import tsx bench/serving-hello.ts <workers>
 */
import cluster from "node:cluster";
import Fastify from "fastify";

const workers = Number(process.argv[2] ?? 1);

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
  await app.listen({ host: "127.0.0.1", port: Number(process.env.GYRE_BENCH_PORT ?? 0) });
  const addr = app.server.address();
  process.send?.({ url: `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}` });
  process.on("disconnect", () => void app.close().then(() => process.exit(0)));
}
