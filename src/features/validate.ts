import { GyreError } from "../core/errors.js";
import type { Catalog } from "./catalog.js";
import type { OfflineStore } from "./offline-store.js";
import type { FeatureViewDef, SourceDef } from "./types.js";

function bad(field: string, message: string): GyreError {
  return new GyreError("FEATURES_DEFINITION_INVALID", message, { field });
}

const NUMERIC =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL.*|REAL)$/;
const TEMPORAL = /^(TIMESTAMP.*|DATE)$/;

/** Checks one view's columns: keys, timestamps and features must exist, timestamps must be times. */
async function checkView(catalog: Catalog, offline: OfflineStore, v: FeatureViewDef): Promise<void> {
  if (!catalog.sources.has(v.source))
    throw bad(
      `${v.name}.source`,
      `Feature view '${v.name}' reads unknown source '${v.source}' (sources: ${[...catalog.sources.keys()].join(", ") || "none"})`,
    );
  const keys = catalog.keysOf(v);
  const cols = new Map((await offline.columns(catalog.offlineView(v))).map((c) => [c.name, c.type]));
  const listed = [...cols.keys()].join(", ");
  for (const [field, col] of [
    ["timestampField", v.timestampField],
    ["createdTimestampField", v.createdTimestampField],
  ] as const) {
    if (col === undefined) continue;
    const type = cols.get(col);
    if (type === undefined)
      throw bad(
        `${v.name}.${field}`,
        `Feature view '${v.name}': its rows have no ${field} column '${col}' (columns: ${listed})`,
      );
    if (!TEMPORAL.test(type))
      throw bad(
        `${v.name}.${field}`,
        `Feature view '${v.name}': ${field} '${col}' is ${type}, not a timestamp; cast it in the view's sql`,
      );
  }
  for (const k of keys)
    if (!cols.has(k.name))
      throw bad(
        `${v.name}.entity`,
        `Feature view '${v.name}': its rows lack join key '${k.name}' of entity '${v.entity}' (columns: ${listed})`,
      );
  for (const [f, type] of Object.entries(v.features)) {
    const got = cols.get(f);
    if (got === undefined)
      throw bad(
        `${v.name}.features.${f}`,
        `Feature view '${v.name}': feature '${f}' is not a column of its rows (columns: ${listed})`,
      );
    if ((type === "float" || type === "int") && !NUMERIC.test(got))
      throw bad(
        `${v.name}.features.${f}`,
        `Feature view '${v.name}': feature '${f}' is declared ${type} but the column is ${got}`,
      );
  }
}

/**
 * Apply-time checks of a whole definition set: references between definitions resolve, every view's
 * SQL runs and yields its keys, timestamps and typed features. Throws FEATURES_DEFINITION_INVALID
 * (or *_NOT_FOUND for references) naming the definition and field.
 */
export async function validateCatalog(
  catalog: Catalog,
  offline: OfflineStore,
  baseDir: string,
  resolve: (sources: SourceDef[]) => Promise<SourceDef[]> = async (s) => s,
): Promise<void> {
  for (const v of catalog.views.values())
    if (!catalog.entities.has(v.entity))
      throw bad(
        `${v.name}.entity`,
        `Feature view '${v.name}' names unknown entity '${v.entity}' (entities: ${[...catalog.entities.keys()].join(", ") || "none"})`,
      );
  await offline.setSources(await resolve([...catalog.sources.values()]), baseDir);
  for (const v of catalog.views.values()) await checkView(catalog, offline, v);
  for (const od of catalog.onDemand.values()) {
    if (catalog.views.has(od.name))
      throw bad(`${od.name}.name`, `On-demand view '${od.name}' has the name of a feature view; rename one`);
    od.inputs.forEach((ref, i) => {
      if (!/^[^:]+:[^:]+$/.test(ref))
        throw bad(
          `${od.name}.inputs[${i}]`,
          `On-demand view '${od.name}': input '${ref}' must be view:feature`,
        );
      if (catalog.onDemand.has(ref.split(":")[0]!))
        throw bad(
          `${od.name}.inputs[${i}]`,
          `On-demand view '${od.name}': input '${ref}' is itself on demand; read stored features only`,
        );
      catalog.resolve({ features: [ref] });
    });
  }
  for (const s of catalog.services.values()) catalog.resolve({ featureService: s.name });
}
