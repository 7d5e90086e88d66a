import { GyreError } from "../core/errors.js";
import type { SourceDef } from "./types.js";

/** Where a feature store finds the files of versioned datasets (the data component's `localFile`). */
export interface DatasetFiles {
  localFile(name: string, version?: number): Promise<{ path: string; format: string; version: number }>;
}

/**
 * Sources as the offline store reads them: a `dataset` source becomes the local file of its version
 * (the latest unless pinned). Throws FEATURES_DEFINITION_INVALID naming the source when the dataset
 * cannot be found or is neither Parquet nor CSV.
 */
export async function resolveDatasetSources(
  sources: SourceDef[],
  datasets: DatasetFiles | undefined,
): Promise<SourceDef[]> {
  const out: SourceDef[] = [];
  for (const s of sources) {
    if (s.dataset === undefined) {
      out.push(s);
      continue;
    }
    const field = `${s.name}.dataset`;
    if (!datasets)
      throw new GyreError(
        "FEATURES_DEFINITION_INVALID",
        `Source '${s.name}' reads a dataset, but no dataset store is open`,
        {
          field,
        },
      );
    const file = await datasets.localFile(s.dataset, s.datasetVersion).catch((e: unknown) => {
      throw new GyreError("FEATURES_DEFINITION_INVALID", `Source '${s.name}': ${(e as Error).message}`, {
        field,
        cause: e,
      });
    });
    if (file.format !== "parquet" && file.format !== "csv")
      throw new GyreError(
        "FEATURES_DEFINITION_INVALID",
        `Source '${s.name}': dataset '${s.dataset}' v${file.version} is ${file.format}; feature sources read Parquet or CSV`,
        { field },
      );
    const { dataset: _d, datasetVersion: _v, ...rest } = s;
    out.push({ ...rest, path: file.path, format: file.format });
  }
  return out;
}
