import type { FastifyInstance } from "fastify";
import { openArtifactStore } from "../artifacts/index.js";
import type { GyreConfig } from "../core/config.js";
import { GyreError } from "../core/errors.js";
import { openMetadataStore, TrackingService } from "../metadata/index.js";
import { type RegistryService, type RegistryServiceOptions, registryFor } from "../registry/index.js";
import { buildApp } from "./app.js";

export type { AppOptions } from "./app.js";
export { buildApp, VERSION } from "./app.js";

export interface RunningServer {
  app: FastifyInstance;
  /** e.g. http://127.0.0.1:5000 */
  url: string;
  tracking: TrackingService;
  registry: RegistryService;
  /** Stops accepting connections, lets in-flight requests finish, then closes the stores. */
  close(): Promise<void>;
}

/** What the server's registry is built with beyond the config, e.g. the model-package validator. */
export interface ServerOptions {
  registry?: Pick<RegistryServiceOptions, "validator" | "defaultUser">;
}

/**
 * Opens the stores named in `config` and serves them on `config.server.host:port` (port 0 = any free port).
 * The registry lives in the metadata database and refuses local-path sources outside a run (MLflow's rule).
 */
export async function startServer(config: GyreConfig, options: ServerOptions = {}): Promise<RunningServer> {
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
  const registry = await registryFor(tracking, { ...options.registry, restrictLocalSources: true });
  const app = await buildApp({ tracking, registry, config });
  await app.listen({ host: config.server.host, port: config.server.port });
  const addr = app.server.address();
  const port = typeof addr === "object" && addr ? addr.port : config.server.port;
  const host = config.server.host.includes(":") ? `[${config.server.host}]` : config.server.host;
  return {
    app,
    url: `http://${host}:${port}`,
    tracking,
    registry,
    async close() {
      await app.close();
      await registry.close();
      await tracking.close();
    },
  };
}
