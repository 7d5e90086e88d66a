import { openTracking, type TrackingClient } from "../../src/metadata/index.js";
import {
  openRegistry,
  type RegistrationValidator,
  type RegistryClient,
  registryFor,
} from "../../src/registry/index.js";
import { startServer } from "../../src/server/index.js";
import { type ClientKind, freshConfig, freshTracking } from "./stores.js";

/** A registry client of one kind, the tracking client beside it (to make runs), and how to close both. */
export interface RegistryFixture {
  registry: RegistryClient;
  tracking: TrackingClient;
  /** The store URI (a database, or the server's http:// address). */
  store: string;
  close(): Promise<void>;
}

/**
 * Every RegistryClient implementation over fresh stores: in-process on SQLite and PostgreSQL, and over
 * HTTP to a server on SQLite. `validator` is injected where registries are built (the server, for http).
 */
export async function freshRegistry(
  kind: ClientKind,
  options: { validator?: RegistrationValidator } = {},
): Promise<RegistryFixture> {
  if (kind !== "http") {
    const tracking = await freshTracking(kind);
    const registry = await registryFor(tracking, { validator: options.validator, defaultUser: "tester" });
    return {
      registry,
      tracking,
      store: kind,
      async close() {
        await registry.close();
        await tracking.close();
      },
    };
  }
  const config = await freshConfig("sqlite");
  const server = await startServer(config, { registry: { validator: options.validator } });
  const tracking = await openTracking({ store: server.url, artifacts: "file://unused" });
  const registry = await openRegistry({ store: server.url, artifacts: "file://unused" });
  return { registry, tracking, store: server.url, close: () => server.close() };
}
