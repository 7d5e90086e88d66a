import { randomUUID } from "node:crypto";
import { createReadStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ArtifactStore, isLocalArtifactStore } from "../artifacts/index.js";
import { GyreError } from "../core/errors.js";
import type { TrackingService } from "../metadata/index.js";
import type { Catalog, FeatureRef } from "./catalog.js";
import type { OfflineEntities, OfflineStore, OfflineView } from "./offline-store.js";
import type { HistoricalRequest, KeyType, TrainingSet } from "./types.js";

/** Where training sets live in the artifact store: `<prefix>/<id>/data.parquet` and `manifest.json`. */
export const TRAINING_SET_PREFIX = "feature-training-sets";

const INT_TYPES = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|INT\d*)$/;

function columnType(v: unknown): "string" | "float" | "bool" | "timestamp" {
  if (v instanceof Date) return "timestamp";
  if (typeof v === "number") return "float";
  if (typeof v === "boolean") return "bool";
  return "string";
}

/** Entity rows from an array: columns typed from the join keys, the timestamp column, and the JS values. */
function arrayEntities(
  rows: Array<Record<string, unknown>>,
  keys: Map<string, KeyType>,
  ts: string,
): OfflineEntities {
  if (rows.length === 0)
    throw new GyreError("FEATURES_ENTITY_ROWS_INVALID", "Give at least one entity row", {
      field: "entities.rows",
    });
  const names = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const columns = names.map((name) => ({
    name,
    type:
      name === ts
        ? ("timestamp" as const)
        : (keys.get(name) ?? columnType(rows.find((r) => r[name] != null)?.[name])),
  }));
  rows.forEach((row, i) => {
    for (const [k, type] of keys) {
      const v = row[k];
      const ok = type === "string" ? typeof v === "string" : typeof v === "number" && Number.isSafeInteger(v);
      if (!ok)
        throw new GyreError(
          "FEATURES_ENTITY_KEY_INVALID",
          `Entity row ${i}: join key '${k}' is ${JSON.stringify(v)}; it must be ${type === "string" ? "a string" : "an integer"}`,
          {
            field: `entities.rows[${i}].${k}`,
          },
        );
    }
    const t = row[ts];
    const ms = t instanceof Date ? t.getTime() : typeof t === "number" ? t : Date.parse(String(t));
    if (t == null || !Number.isFinite(ms))
      throw new GyreError(
        "FEATURES_ENTITY_ROWS_INVALID",
        `Entity row ${i}: '${ts}' must be a Date, ms since the epoch or an ISO time`,
        {
          field: `entities.rows[${i}].${ts}`,
        },
      );
  });
  return { rows, columns };
}

/** Checks that file or SQL entity rows have every join key with a compatible type and the timestamp column. */
function checkColumns(
  cols: Array<{ name: string; type: string }>,
  keys: Map<string, KeyType>,
  ts: string,
  views: OfflineView[],
) {
  const byName = new Map(cols.map((c) => [c.name, c.type]));
  if (!byName.has(ts))
    throw new GyreError(
      "FEATURES_ENTITY_ROWS_INVALID",
      `Entity rows have no timestamp column '${ts}' (columns: ${[...byName.keys()].join(", ")}); pass timestampColumn`,
      {
        field: "timestampColumn",
      },
    );
  for (const [k, type] of keys) {
    const view = views.find((v) => v.keys.some((x) => x.name === k))!.name;
    const got = byName.get(k);
    const ok = got !== undefined && (type === "string" ? got === "VARCHAR" : INT_TYPES.test(got));
    if (!ok)
      throw new GyreError(
        "FEATURES_ENTITY_KEY_INVALID",
        `Entity rows: join key '${k}' of view '${view}' is ${got ?? "missing"}; it must be ${type === "string" ? "VARCHAR" : "an integer"}`,
        {
          field: `entities.${k}`,
        },
      );
  }
}

/** Output column of each feature: its name, or `view__feature` when asked or when two views share a name. */
function columnNames(refs: FeatureRef[], full: boolean): Map<string, string> {
  const count = new Map<string, number>();
  for (const r of refs) count.set(r.feature, (count.get(r.feature) ?? 0) + 1);
  return new Map(
    refs.map((r) => [r.ref, full || count.get(r.feature)! > 1 ? `${r.view}__${r.feature}` : r.feature]),
  );
}

/**
 * A training-set request checked and resolved for the offline store: the views with the requested features,
 * the entity rows (array rows validated), their timestamp column and each view's output column names.
 */
export async function prepareJoin(catalog: Catalog, offline: OfflineStore, req: HistoricalRequest) {
  const refs = catalog.resolve(req);
  const od = refs.find((r) => r.onDemand);
  if (od)
    throw new GyreError(
      "FEATURES_FEATURE_NOT_FOUND",
      `On-demand feature '${od.ref}' is computed online only; leave it out of training sets`,
      { field: "features" },
    );
  const ts = req.timestampColumn ?? "event_timestamp";
  const viewNames = [...new Set(refs.map((r) => r.view))];
  const views = viewNames.map((v) =>
    catalog.offlineView(
      catalog.view(v),
      refs.filter((r) => r.view === v).map((r) => r.feature),
    ),
  );
  const keys = new Map(views.flatMap((v) => v.keys.map((k) => [k.name, k.type] as const)));
  const entities = "rows" in req.entities ? arrayEntities(req.entities.rows, keys, ts) : req.entities;
  if (!("rows" in entities)) checkColumns(await offline.entityColumns(entities), keys, ts, views);
  const names = columnNames(refs, req.fullFeatureNames ?? false);
  const columns = views.map((v) =>
    Object.fromEntries(v.features.map((f) => [f.name, names.get(`${v.name}:${f.name}`)!])),
  );
  return { entities, timestampColumn: ts, views, columns };
}

/**
 * Builds a point-in-time correct training set, saves it as Parquet with a manifest in the artifact store
 * and, given a run id, logs it as the run's dataset input. Feature rows never enter JS.
 */
export async function buildTrainingSet(
  deps: {
    catalog: Catalog;
    offline: OfflineStore;
    artifacts: ArtifactStore;
    tracking?: TrackingService | undefined;
  },
  req: HistoricalRequest,
): Promise<TrainingSet> {
  const { catalog, offline } = deps;
  const plan = await prepareJoin(catalog, offline, req);
  const { views } = plan;
  const dir = mkdtempSync(join(tmpdir(), "gyre-training-set-"));
  try {
    const outFile = join(dir, "data.parquet");
    const result = await offline.historical({ ...plan, outFile });
    const id = randomUUID().replace(/-/g, "");
    const base = `${TRAINING_SET_PREFIX}/${id}`;
    // A local artifact store takes the file over by hard link (no second copy of a large training set).
    const put = isLocalArtifactStore(deps.artifacts)
      ? await deps.artifacts.putFile(`${base}/data.parquet`, outFile)
      : await deps.artifacts.put(`${base}/data.parquet`, createReadStream(outFile));
    const set: TrainingSet = {
      id,
      name: req.name ?? "training-set",
      dataPath: `${base}/data.parquet`,
      manifestPath: `${base}/manifest.json`,
      rowCount: result.rowCount,
      digest: put.sha256,
      schema: result.schema,
      views: views.map((v) => ({
        name: v.name,
        version: catalog.versions.get(`featureView:${v.name}`) ?? 0,
        features: v.features.map((f) => f.name),
      })),
      timeRange: { start: result.start, end: result.end },
      createdTime: Date.now(),
    };
    await deps.artifacts.put(set.manifestPath, `${JSON.stringify(set, null, 2)}\n`);
    if (req.runId !== undefined) await logLineage(deps.tracking, req.runId, set);
    return set;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const MLFLOW_TYPES: Record<string, string> = {
  DOUBLE: "double",
  BIGINT: "long",
  VARCHAR: "string",
  BOOLEAN: "boolean",
};

/** Logs the training set as an MLflow dataset input of `runId` (schema as mlflow_colspec, row count as profile). */
async function logLineage(
  tracking: TrackingService | undefined,
  runId: string,
  set: TrainingSet,
): Promise<void> {
  if (!tracking)
    throw new GyreError(
      "FEATURES_ENTITY_ROWS_INVALID",
      "runId needs the feature store opened with a tracking store",
      { field: "runId" },
    );
  const colspec = set.schema.map((c) => ({
    name: c.name,
    type: MLFLOW_TYPES[c.type] ?? (c.type.startsWith("TIMESTAMP") ? "datetime" : "string"),
  }));
  await tracking.logInputs(runId, [
    {
      tags: [{ key: "mlflow.data.context", value: "training" }],
      dataset: {
        name: set.name,
        digest: set.digest.slice(0, 16),
        sourceType: "gyre-feature-store",
        source: JSON.stringify({
          artifact: set.dataPath,
          manifest: set.manifestPath,
          views: set.views,
          timeRange: set.timeRange,
        }),
        schema: JSON.stringify({ mlflow_colspec: colspec }),
        profile: JSON.stringify({ num_rows: set.rowCount }),
      },
    },
  ]);
}
