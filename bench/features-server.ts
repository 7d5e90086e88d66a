/**
 * The feature server under test, as a child process of bench/features.ts so that the load generator and
 * the server do not share an event loop. argv[2] is a JSON `Partial<GyreConfig>` (with onlineStore).
 * IPC: sends `{ url }` once it listens; exits when the parent disconnects.
 */
import { DEFAULTS, type GyreConfig } from "../src/core/config.js";
import { startServer } from "../src/server/index.js";

const overrides = JSON.parse(process.argv[2] ?? "{}") as Partial<GyreConfig>;
const config: GyreConfig = Object.freeze({
  ...DEFAULTS,
  ...overrides,
  server: Object.freeze({ ...DEFAULTS.server, ...overrides.server }),
});
const server = await startServer(config, { features: [] });
process.send?.({ url: server.url });

let closing = false;
async function shutdown(): Promise<void> {
  if (closing) return;
  closing = true;
  await server.close();
  process.exit(0);
}
process.on("disconnect", shutdown);
process.on("SIGTERM", shutdown);
