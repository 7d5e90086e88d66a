import type { FastifyInstance } from "fastify";
import { openArtifactStore } from "../artifacts/index.js";
import type { GyreConfig } from "../core/config.js";
import { GyreError } from "../core/errors.js";
import { openMetadataStore, TrackingService } from "../metadata/index.js";
import { buildApp } from "./app.js";

export type { AppOptions } from "./app.js";
export { buildApp, VERSION } from "./app.js";

export interface RunningServer {
  app: FastifyInstance;
  /** e.g. http://127.0.0.1:5000 */
  url: string;
  tracking: TrackingService;
  /** Stops accepting connections, lets in-flight requests finish, then closes the stores. */
  close(): Promise<void>;
}

/** Opens the stores named in `config` and serves them on `config.server.host:port` (port 0 = any free port). */
export async function startServer(config: GyreConfig): Promise<RunningServer> {
  if (/^https?:/.test(config.store)) {
    throw new GyreError(
      "CONFIG_INVALID",
      "`gyre server` needs a database store (sqlite://, postgres://), not another server",
      {
        field: "store",
      },
    );
  }
  const [store, artifacts] = await Promise.all([
    openMetadataStore(config.store),
    openArtifactStore(config.artifacts),
  ]);
  const tracking = new TrackingService(store, artifacts);
  const app = await buildApp({ tracking, config });
  await app.listen({ host: config.server.host, port: config.server.port });
  const addr = app.server.address();
  const port = typeof addr === "object" && addr ? addr.port : config.server.port;
  const host = config.server.host.includes(":") ? `[${config.server.host}]` : config.server.host;
  return {
    app,
    url: `http://${host}:${port}`,
    tracking,
    async close() {
      await app.close();
      await tracking.close();
    },
  };
}
