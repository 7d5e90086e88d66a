import { openArtifactStore } from "../artifacts/index.js";
import { GyreError } from "../core/errors.js";
import { openMetadataStore, sqlDialectOf, type TrackingClient, TrackingService } from "../metadata/index.js";
import type { RegistryClient } from "./client.js";
import { packageValidator } from "./package-validator.js";
import { RegistryService, type RegistryServiceOptions } from "./service.js";

export type {
  AliasChangeOptions,
  CreateModelVersionRequest,
  RegistryClient,
  RegistrySearchRequest,
} from "./client.js";
export * from "./package/index.js";
export { packageValidator } from "./package-validator.js";
export { RegistryService, type RegistryServiceOptions } from "./service.js";
export type { RegistryStore } from "./store.js";
export type * from "./types.js";
export { MODEL_STAGES, MODEL_VERSION_STATUSES } from "./types.js";
export { checkAlias, checkModelName, REGISTRY_LIMITS } from "./validate.js";

/**
 * The registry over the same database as `tracking`'s metadata store (its tables migrated on first use).
 * Throws CONFIG_INVALID when the metadata store is not SQL-backed. Closing the registry leaves `tracking` open.
 */
export async function registryFor(
  tracking: TrackingService,
  options: RegistryServiceOptions = {},
): Promise<RegistryService> {
  const dialect = sqlDialectOf(tracking.store);
  if (!dialect) {
    throw new GyreError(
      "CONFIG_INVALID",
      `The model registry needs a SQL metadata store (sqlite://, postgres://); got a '${tracking.store.kind}' store`,
      { field: "store" },
    );
  }
  const { SqlRegistryStore } = await import("./sql/sql-registry-store.js");
  const validator =
    options.validator === undefined ? packageValidator(tracking.artifacts) : options.validator;
  return new RegistryService(await SqlRegistryStore.open(dialect), tracking, { ...options, validator });
}

/**
 * A registry beside an open tracking client: in-process it shares the tracking service's database connection
 * (one connection per SQLite file and process), over HTTP it talks to the same server. Closing the registry
 * leaves `tracking` open. `store` is the URI `tracking` was opened with.
 */
export async function registryBeside(
  tracking: TrackingClient,
  store: string,
  registry: Omit<RegistryServiceOptions, "onClose"> = {},
): Promise<RegistryClient> {
  if (/^https?:\/\//.test(store)) {
    const { HttpRegistryClient } = await import("./http/http-registry-client.js");
    return new HttpRegistryClient(store);
  }
  if (!(tracking instanceof TrackingService)) {
    throw new GyreError("CONFIG_INVALID", `No in-process tracking service for store ${store}`, {
      field: "store",
    });
  }
  return registryFor(tracking, registry);
}

/**
 * A registry client for a store URI: in-process over SQLite/PostgreSQL (opening its own tracking service,
 * closed with it), or a thin HTTP client when `store` is the `http(s)://` address of a gyre server.
 */
export async function openRegistry(
  options: { store: string; artifacts: string },
  registry: Omit<RegistryServiceOptions, "onClose"> = {},
): Promise<RegistryClient> {
  if (/^https?:\/\//.test(options.store)) {
    const { HttpRegistryClient } = await import("./http/http-registry-client.js");
    return new HttpRegistryClient(options.store);
  }
  const [store, artifacts] = await Promise.all([
    openMetadataStore(options.store),
    openArtifactStore(options.artifacts),
  ]);
  const tracking = new TrackingService(store, artifacts);
  try {
    return await registryFor(tracking, { ...registry, onClose: () => tracking.close() });
  } catch (e) {
    await tracking.close();
    throw e;
  }
}
