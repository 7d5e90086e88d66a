import type { ArtifactStore } from "../artifacts/index.js";
import { GyreError } from "../core/errors.js";
import type { TrackingService } from "../metadata/index.js";
import { Catalog } from "./catalog.js";
import { type DatasetFiles, resolveDatasetSources } from "./dataset-sources.js";
import { buildTrainingSet, prepareJoin, TRAINING_SET_PREFIX } from "./historical.js";
import { type MaterializeOptions, materialize } from "./materialize.js";
import type { OfflineStore } from "./offline-store.js";
import { OnlineReader } from "./online.js";
import type { OnlineStore } from "./online-store.js";
import { diffDefinitions, toDesired } from "./plan.js";
import type { DefinitionStore } from "./registry.js";
import type {
  FeatureDefinition,
  HistoricalFeatures,
  HistoricalRequest,
  MaterializeResult,
  OnDemandFeatureViewDef,
  OnlineRequest,
  OnlineResponse,
  Plan,
  StoredDefinition,
  TrainingSet,
  ViewStats,
} from "./types.js";
import { validateCatalog } from "./validate.js";

/** How often (ms) online reads check whether another process applied new definitions. */
const REFRESH_MS = 1000;

export interface FeatureStoreParts {
  definitions: DefinitionStore;
  offline: OfflineStore;
  online: OnlineStore;
  artifacts: ArtifactStore;
  /** Needed to log training sets as run inputs. */
  tracking?: TrackingService | undefined;
  /** Directory that relative source paths are resolved against (the project, where gyre.config.ts is). */
  projectDir: string;
  /** Files of versioned datasets, for `dataset` sources. */
  datasets?: DatasetFiles | undefined;
  /** Clock in ms since the epoch (UTC), for TTLs and default materialization ends. */
  now?: () => number;
  onClose?: () => Promise<void>;
}

interface Applied {
  revision: number;
  definitions: StoredDefinition[];
  catalog: Catalog;
  reader: OnlineReader;
  checkedAt: number;
}

/**
 * The feature store's operations: plan/apply of definitions as code, point-in-time training sets,
 * materialization, online lookups and per-view statistics. Operations on data use the applied
 * definitions (the registry), not the code; on-demand functions come from `register`.
 */
export class FeatureStore {
  readonly #p: FeatureStoreParts;
  readonly #now: () => number;
  #code: FeatureDefinition[] = [];
  readonly #functions = new Map<string, OnDemandFeatureViewDef>();
  #applied: Applied | null = null;

  constructor(parts: FeatureStoreParts) {
    this.#p = parts;
    this.#now = parts.now ?? Date.now;
  }

  /** Points the offline store at the catalog's sources, with dataset sources resolved to their files. */
  async #setSources(catalog: Catalog): Promise<void> {
    const sources = await resolveDatasetSources([...catalog.sources.values()], this.#p.datasets);
    await this.#p.offline.setSources(sources, this.#p.projectDir);
  }

  /** Sets the definitions from code that `plan`/`apply` compare against, and the on-demand functions. */
  register(defs: FeatureDefinition[]): this {
    this.#code = [...defs];
    this.#functions.clear();
    for (const d of defs) if (d.kind === "onDemandFeatureView") this.#functions.set(d.name, d);
    this.#applied = null;
    return this;
  }

  async #current(force = false): Promise<Applied> {
    const a = this.#applied;
    const now = Date.now();
    if (a && !force && now - a.checkedAt < REFRESH_MS) return a;
    // Online reads only look at the revision; definitions are reloaded when another apply moved it.
    if (a && (await this.#p.definitions.revision()) === a.revision) {
      a.checkedAt = now;
      return a;
    }
    const cur = await this.#p.definitions.current();
    const catalog = new Catalog(cur.definitions);
    const reader = new OnlineReader(catalog, this.#p.online, this.#functions);
    this.#applied = { ...cur, catalog, reader, checkedAt: now };
    return this.#applied;
  }

  /** Validates the code definitions (SQL included) and diffs them against the registry. Applies nothing. */
  async plan(): Promise<Plan> {
    await validateCatalog(new Catalog(this.#code), this.#p.offline, this.#p.projectDir, (sources) =>
      resolveDatasetSources(sources, this.#p.datasets),
    );
    const cur = await this.#p.definitions.current();
    return { revision: cur.revision, changes: diffDefinitions(cur.definitions, this.#code.map(toDesired)) };
  }

  /**
   * Validates and applies the code definitions in one transaction; nothing is applied if any is invalid.
   * With `expectedRevision` (from `plan`), throws FEATURES_REGISTRY_CONFLICT if another apply came between.
   */
  async apply(expectedRevision?: number): Promise<Plan> {
    await validateCatalog(new Catalog(this.#code), this.#p.offline, this.#p.projectDir, (sources) =>
      resolveDatasetSources(sources, this.#p.datasets),
    );
    const plan = await this.#p.definitions.apply(this.#code.map(toDesired), expectedRevision);
    await this.#current(true);
    return plan;
  }

  /** The applied definitions, by kind then name, and the registry revision. */
  async list(): Promise<{ revision: number; definitions: StoredDefinition[] }> {
    const a = await this.#current(true);
    return { revision: a.revision, definitions: a.definitions };
  }

  /**
   * One applied definition by name (any kind, or `kind` to choose), or with `version` that version of it,
   * superseded or deleted ones included. Throws FEATURES_VIEW_NOT_FOUND.
   */
  async describe(name: string, kind?: StoredDefinition["kind"], version?: number): Promise<StoredDefinition> {
    const a = await this.#current(true);
    const found = a.definitions.find((d) => d.name === name && (kind === undefined || d.kind === kind));
    if (found && (version === undefined || version === found.version)) return found;
    if (version !== undefined) {
      const old = await this.#p.definitions.version(found?.kind ?? kind ?? "featureView", name, version);
      if (old) return old;
    }
    const what =
      version === undefined ? `No applied definition named '${name}'` : `No version ${version} of '${name}'`;
    throw new GyreError("FEATURES_VIEW_NOT_FOUND", `${what}; see \`gyre features list\``, { field: "name" });
  }

  /**
   * Latest feature values per entity row, with per-feature status (PRESENT, MISSING, OUTSIDE_TTL) and
   * event times (ms, UTC). Feature names in the response: join keys, then `view:feature` in request order.
   * Throws FEATURES_ENTITY_KEY_INVALID for a missing or mistyped join key, *_NOT_FOUND for unknown names.
   */
  async getOnlineFeatures(req: OnlineRequest): Promise<OnlineResponse> {
    const a = await this.#current();
    return a.reader.get(req, this.#now());
  }

  /** Point-in-time correct training set, saved as Parquet in the artifact store (see buildTrainingSet). */
  async getHistoricalFeatures(req: HistoricalRequest): Promise<TrainingSet> {
    const a = await this.#current(true);
    await this.#setSources(a.catalog);
    return buildTrainingSet(
      {
        catalog: a.catalog,
        offline: this.#p.offline,
        artifacts: this.#p.artifacts,
        tracking: this.#p.tracking,
      },
      req,
    );
  }

  /**
   * The rows of the training set `getHistoricalFeatures` would save, held in memory instead (no Parquet, no
   * artifact, no lineage): for reading them straight into a trainer. Same checks and errors.
   */
  async retrieveHistoricalFeatures(req: HistoricalRequest): Promise<HistoricalFeatures> {
    const a = await this.#current(true);
    await this.#setSources(a.catalog);
    const held = await this.#p.offline.holdHistorical(await prepareJoin(a.catalog, this.#p.offline, req));
    return {
      rowCount: held.rowCount,
      schema: held.schema,
      timeRange: { start: held.start, end: held.end },
      rows: (chunkRows = 10_000) => held.rows(chunkRows),
      close: () => held.close(),
    };
  }

  /** A saved training set's manifest; throws FEATURES_TRAINING_SET_NOT_FOUND. */
  async getTrainingSet(id: string): Promise<TrainingSet> {
    if (!/^[0-9a-f]{32}$/.test(id))
      throw new GyreError("FEATURES_TRAINING_SET_NOT_FOUND", `Training set '${id}' not found`, {
        field: "id",
      });
    try {
      const body = await this.#p.artifacts.get(`${TRAINING_SET_PREFIX}/${id}/manifest.json`);
      return JSON.parse(Buffer.concat(await body.toArray()).toString("utf8")) as TrainingSet;
    } catch {
      throw new GyreError("FEATURES_TRAINING_SET_NOT_FOUND", `Training set '${id}' not found`, {
        field: "id",
      });
    }
  }

  /** Writes the latest values of the range (or since each watermark) to the online store; see materialize.ts. */
  async materialize(options: MaterializeOptions): Promise<MaterializeResult> {
    const a = await this.#current(true);
    await this.#setSources(a.catalog);
    return materialize(
      { catalog: a.catalog, offline: this.#p.offline, online: this.#p.online, now: this.#now() },
      options,
    );
  }

  /** Offline statistics (row count, null rate, min/max/mean or top values) and online freshness of a view. */
  async stats(view: string): Promise<ViewStats> {
    const a = await this.#current(true);
    const def = a.catalog.view(view, "view");
    await this.#setSources(a.catalog);
    const [offline, state, onlineRows] = await Promise.all([
      this.#p.offline.stats(a.catalog.offlineView(def)),
      this.#p.online.state(view),
      this.#p.online.count(view),
    ]);
    return {
      view,
      rowCount: offline.rowCount,
      latestEventTime: offline.latestEventTime,
      watermark: state.watermark,
      onlineRows,
      features: offline.features.map((f) => ({ ...f, type: def.features[f.name]! })),
    };
  }

  async close(): Promise<void> {
    await Promise.all([this.#p.offline.close(), this.#p.online.close(), this.#p.definitions.close()]);
    await this.#p.onClose?.();
  }
}
