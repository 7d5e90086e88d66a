import { openArtifactStore } from "../artifacts/index.js";
import { GyreError } from "../core/errors.js";
import { openMetadataStore, sqlDialectOf, TrackingService } from "../metadata/index.js";
import { DataService } from "./service.js";

export { inspectFile } from "./inspect.js";
export { DATASETS_EXPERIMENT, DataService, type Registered, type RegisterOptions } from "./service.js";
export type {
  ColumnExpectation,
  ColumnProfile,
  ColumnSchema,
  DatasetVersion,
  Expectations,
  Inspection,
  ValidationIssue,
  ValidationReport,
} from "./types.js";

/** Dataset versions over the tracking service's database. Throws CONFIG_INVALID for non-SQL stores. */
export async function dataFor(tracking: TrackingService): Promise<DataService> {
  const dialect = sqlDialectOf(tracking.store);
  if (!dialect) {
    throw new GyreError("CONFIG_INVALID", "Datasets need a SQL metadata store (sqlite://, postgres://)", {
      field: "store",
    });
  }
  const { SqlDataStore } = await import("./sql/sql-data-store.js");
  return new DataService(tracking, await SqlDataStore.open(dialect));
}

/** A data service for store URIs, with its own tracking service; close it with `close()`. */
export async function openData(uris: { store: string; artifacts: string }): Promise<{
  data: DataService;
  close(): Promise<void>;
}> {
  const [store, artifacts] = await Promise.all([
    openMetadataStore(uris.store),
    openArtifactStore(uris.artifacts),
  ]);
  const tracking = new TrackingService(store, artifacts);
  try {
    return { data: await dataFor(tracking), close: () => tracking.close() };
  } catch (e) {
    await tracking.close();
    throw e;
  }
}
