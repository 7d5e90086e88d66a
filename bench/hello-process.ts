/**
 * The latency floor for `bench/registry.ts`: a hello-world Fastify route in its own process, answering
 * `GET /hello` with a small JSON body. IPC: sends `{ url }` once it listens; exits when the parent disconnects.
 */
import Fastify from "fastify";

const app = Fastify({ logger: false });
app.get("/hello", async () => ({ model_version: { name: "hello", version: "1" } }));
await app.listen({ host: "127.0.0.1", port: 0 });
const addr = app.server.address();
process.send?.({ url: `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}` });
process.on("disconnect", () => {
  void app.close().then(() => process.exit(0));
});
