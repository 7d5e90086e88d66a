import { randomUUID } from "node:crypto";
import { type Kysely, Migrator, sql, type Transaction } from "kysely";
import { GyreError } from "../../core/errors.js";
import type { MetadataStore } from "../store.js";
import type {
  ArtifactRecord,
  DatasetInput,
  Experiment,
  LifecycleStage,
  LogBatch,
  Metric,
  NewExperiment,
  NewRun,
  Run,
  RunInfo,
  RunUpdate,
  StoreExperimentQuery,
  StoreHistoryQuery,
  StoreRunQuery,
  Tag,
} from "../types.js";
import { isUniqueViolation, type SqlDialect } from "./dialect.js";
import { GyreMigrationProvider } from "./migrations.js";
import { assembleRun, fromMetric, groupBy, toExperiment, toRunInfo } from "./rows.js";
import type { Database, RunsTable } from "./schema.js";
import { compileFilter, experimentOrdering, runOrdering, viewTypeClause } from "./search-sql.js";

type Db = Kysely<Database> | Transaction<Database>;

function runNotFound(runId: string): GyreError {
  return new GyreError("TRACKING_RUN_NOT_FOUND", `Run with id=${runId} not found`, { field: "run_id" });
}

function experimentNotFound(id: string): GyreError {
  return new GyreError("TRACKING_EXPERIMENT_NOT_FOUND", `No Experiment with id=${id} exists`, {
    field: "experiment_id",
  });
}

function nameTaken(name: string): GyreError {
  return new GyreError(
    "TRACKING_EXPERIMENT_EXISTS",
    `Experiment(name=${name}) already exists. Choose another name, or delete the active experiment of that name first.`,
    { field: "name" },
  );
}

/** Throws unless a run's lifecycle stage (null: no such run) allows writing to it. */
function assertActive(runId: string, stage: string | null): void {
  if (stage === null) throw runNotFound(runId);
  if (stage !== "active") {
    throw new GyreError(
      "TRACKING_RUN_DELETED",
      `The run ${runId} must be in the 'active' state. Current state is ${stage}. Restore it first.`,
      { field: "run_id" },
    );
  }
}

/** Experiment ids are integers in SQL; anything else cannot exist. */
function expId(id: string): number | null {
  return /^\d{1,15}$/.test(id) ? Number(id) : null;
}

/** The metadata store over any SQL engine Kysely speaks; engine differences live in `SqlDialect`. */
export class SqlMetadataStore implements MetadataStore {
  readonly kind: string;
  readonly #d: SqlDialect;
  readonly #db: Kysely<Database>;

  private constructor(dialect: SqlDialect, db: Kysely<Database> = dialect.db) {
    this.#d = dialect;
    this.#db = db;
    this.kind = dialect.name;
  }

  /**
   * Runs `fn` in one database transaction, with a view of this store whose writes join it; other
   * components' tables in the same database join it through `trx`. Commits when `fn` resolves, rolls back
   * when it throws. Inside a view, runs `fn` in the view's transaction. Do no other I/O inside: on SQLite
   * the transaction holds the only connection.
   */
  transaction<T>(fn: (store: SqlMetadataStore, trx: Transaction<Database>) => Promise<T>): Promise<T> {
    if (this.#db.isTransaction) return fn(this, this.#db as Transaction<Database>);
    return this.#db.transaction().execute((trx) => fn(new SqlMetadataStore(this.#d, trx), trx));
  }

  /** `fn` in a transaction of its own, or in the view's transaction. */
  #tx<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    if (this.#db.isTransaction) return fn(this.#db as Transaction<Database>);
    return this.#db.transaction().execute(fn);
  }

  /** The SQL engine under this store: a capability other components use to keep their own tables in the same database. */
  get dialect(): SqlDialect {
    return this.#d;
  }

  /** Opens the store and brings its schema up to date (idempotent; safe with concurrent openers). */
  static async open(dialect: SqlDialect): Promise<SqlMetadataStore> {
    const store = new SqlMetadataStore(dialect);
    const migrator = new Migrator({ db: dialect.db, provider: new GyreMigrationProvider(dialect.name) });
    const { error } = await migrator.migrateToLatest();
    if (error)
      throw new GyreError("STORE_UNAVAILABLE", `Could not migrate the metadata store: ${String(error)}`, {
        cause: error,
      });
    await store.#ensureDefaultExperiment();
    return store;
  }

  async #ensureDefaultExperiment(): Promise<void> {
    const now = Date.now();
    await this.#db
      .insertInto("experiments")
      .values({
        experiment_id: 0,
        name: "Default",
        artifact_location: "mlflow-artifacts:/0",
        lifecycle_stage: "active",
        creation_time: now,
        last_update_time: now,
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  async #experimentTags(db: Db, ids: number[]): Promise<Map<number, Tag[]>> {
    const out = new Map<number, Tag[]>();
    if (ids.length === 0) return out;
    const rows = await db
      .selectFrom("experiment_tags")
      .selectAll()
      .where("experiment_id", "in", ids)
      .orderBy("key")
      .execute();
    for (const r of rows) {
      const list = out.get(r.experiment_id) ?? [];
      list.push({ key: r.key, value: r.value });
      out.set(r.experiment_id, list);
    }
    return out;
  }

  async #loadExperiment(db: Db, id: number): Promise<Experiment | null> {
    const row = await db
      .selectFrom("experiments")
      .selectAll()
      .where("experiment_id", "=", id)
      .executeTakeFirst();
    if (!row) return null;
    const tags = await this.#experimentTags(db, [id]);
    return toExperiment(row, tags.get(id) ?? []);
  }

  async createExperiment(exp: NewExperiment): Promise<Experiment> {
    try {
      return await this.#tx(async (trx) => {
        const taken = await trx
          .selectFrom("experiments")
          .select("experiment_id")
          .where("name", "=", exp.name)
          .where("lifecycle_stage", "=", "active")
          .executeTakeFirst();
        if (taken) throw nameTaken(exp.name);
        const now = Date.now();
        const { experiment_id: id } = await trx
          .insertInto("experiments")
          .values({
            name: exp.name,
            artifact_location: exp.artifactLocation ?? "",
            lifecycle_stage: "active",
            creation_time: now,
            last_update_time: now,
          } as Database["experiments"])
          .returning("experiment_id")
          .executeTakeFirstOrThrow();
        if (!exp.artifactLocation) {
          await trx
            .updateTable("experiments")
            .set({ artifact_location: `mlflow-artifacts:/${id}` })
            .where("experiment_id", "=", id)
            .execute();
        }
        await this.#upsertExperimentTags(trx, id, exp.tags ?? []);
        return (await this.#loadExperiment(trx, id))!;
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw nameTaken(exp.name);
      throw e;
    }
  }

  async #upsertExperimentTags(trx: Db, id: number, tags: Tag[]): Promise<void> {
    for (const t of tags) {
      await trx
        .insertInto("experiment_tags")
        .values({ experiment_id: id, key: t.key, value: t.value })
        .onConflict((oc) => oc.columns(["experiment_id", "key"]).doUpdateSet({ value: t.value }))
        .execute();
    }
  }

  async getExperiment(id: string): Promise<Experiment | null> {
    const n = expId(id);
    return n === null ? null : this.#loadExperiment(this.#db, n);
  }

  async getExperimentByName(name: string): Promise<Experiment | null> {
    const row = await this.#db
      .selectFrom("experiments")
      .select("experiment_id")
      .where("name", "=", name)
      .orderBy(sql`CASE WHEN lifecycle_stage = 'active' THEN 0 ELSE 1 END`)
      .orderBy("experiment_id", "desc")
      .executeTakeFirst();
    return row ? this.#loadExperiment(this.#db, row.experiment_id) : null;
  }

  async searchExperiments(q: StoreExperimentQuery): Promise<Experiment[]> {
    const where = compileFilter(this.#d, "experiments", q.filter);
    const { rows } = await sql<Database["experiments"]>`SELECT e.* FROM experiments e
      WHERE ${viewTypeClause("e", q.viewType)} AND (${where})
      ORDER BY ${experimentOrdering(q.orderBy)} LIMIT ${q.limit} OFFSET ${q.offset}`.execute(this.#db);
    const tags = await this.#experimentTags(
      this.#db,
      rows.map((r) => Number(r.experiment_id)),
    );
    return rows.map((r) => toExperiment(r, tags.get(Number(r.experiment_id)) ?? []));
  }

  async updateExperiment(
    id: string,
    change: { name?: string; lifecycleStage?: LifecycleStage; tags?: Tag[] },
  ): Promise<Experiment> {
    const n = expId(id);
    if (n === null) throw experimentNotFound(id);
    try {
      return await this.#tx(async (trx) => {
        const current = await this.#loadExperiment(trx, n);
        if (!current) throw experimentNotFound(id);
        const name = change.name ?? current.name;
        const stage = change.lifecycleStage ?? current.lifecycleStage;
        if (stage === "active" && (name !== current.name || current.lifecycleStage !== "active")) {
          const taken = await trx
            .selectFrom("experiments")
            .select("experiment_id")
            .where("name", "=", name)
            .where("lifecycle_stage", "=", "active")
            .where("experiment_id", "<>", n)
            .executeTakeFirst();
          if (taken) throw nameTaken(name);
        }
        const now = Date.now();
        await trx
          .updateTable("experiments")
          .set({ name, lifecycle_stage: stage, last_update_time: now })
          .where("experiment_id", "=", n)
          .execute();
        if (stage !== current.lifecycleStage) {
          await trx
            .updateTable("runs")
            .set({ lifecycle_stage: stage, deleted_time: stage === "deleted" ? now : null })
            .where("experiment_id", "=", n)
            .execute();
        }
        await this.#upsertExperimentTags(trx, n, change.tags ?? []);
        return (await this.#loadExperiment(trx, n))!;
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw nameTaken(change.name ?? "");
      throw e;
    }
  }

  async createRun(run: NewRun & { runId: string; runName: string; experimentId: string }): Promise<Run> {
    const n = expId(run.experimentId);
    if (n === null) throw experimentNotFound(run.experimentId);
    const startTime = run.startTime ?? Date.now();
    let artifactUri = "";
    // The tags' last values; mlflow.runName and mlflow.parentRunId set the row's columns.
    const tagged = new Map((run.tags ?? []).map((t) => [t.key, t.value]));
    await this.#tx(async (trx) => {
      const exp = await trx
        .selectFrom("experiments")
        .select(["lifecycle_stage", "artifact_location"])
        .where("experiment_id", "=", n)
        .executeTakeFirst();
      if (!exp) throw experimentNotFound(run.experimentId);
      if (exp.lifecycle_stage !== "active") {
        throw new GyreError(
          "TRACKING_EXPERIMENT_DELETED",
          `The experiment ${run.experimentId} must be in the 'active' state. Current state is ${exp.lifecycle_stage}.`,
          { field: "experiment_id" },
        );
      }
      if (run.parentRunId) {
        const parent = await trx
          .selectFrom("runs")
          .select("run_uuid")
          .where("run_uuid", "=", run.parentRunId)
          .executeTakeFirst();
        if (!parent) throw runNotFound(run.parentRunId);
      }
      artifactUri = `${exp.artifact_location.replace(/\/$/, "")}/${run.runId}/artifacts`;
      await trx
        .insertInto("runs")
        .values({
          run_uuid: run.runId,
          name: tagged.get("mlflow.runName") ?? run.runName,
          experiment_id: n,
          user_id: run.userId ?? "",
          status: "RUNNING",
          start_time: startTime,
          end_time: null,
          lifecycle_stage: "active",
          artifact_uri: artifactUri,
          parent_run_id: tagged.get("mlflow.parentRunId") ?? run.parentRunId ?? null,
          deleted_time: null,
        })
        .execute();
      // The row was inserted with the tags' name and parent: the tags need not update them again.
      await this.#upsertRunTags(trx, run.runId, run.tags ?? [], false);
    });
    // What the transaction stored, without reading it back: tags are upserted (the last value of a key wins).
    const tags = [...tagged.entries()]
      .map(([key, value]) => ({ key, value }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const info: RunInfo = {
      runId: run.runId,
      runName: tagged.get("mlflow.runName") ?? run.runName,
      experimentId: String(n),
      userId: run.userId ?? "",
      status: "RUNNING",
      startTime,
      endTime: null,
      artifactUri,
      lifecycleStage: "active",
      parentRunId: tagged.get("mlflow.parentRunId") ?? run.parentRunId ?? null,
    };
    return { info, data: { metrics: [], params: [], tags }, inputs: { datasetInputs: [] } };
  }

  async getRunInfo(runId: string): Promise<RunInfo | null> {
    const row = await this.#db
      .selectFrom("runs")
      .selectAll()
      .where("run_uuid", "=", runId)
      .executeTakeFirst();
    return row ? toRunInfo(row) : null;
  }

  async getRun(runId: string): Promise<Run | null> {
    const rows = await this.#db.selectFrom("runs").selectAll().where("run_uuid", "=", runId).execute();
    return (await this.#hydrate(this.#db, rows))[0] ?? null;
  }

  /** Loads params, tags, latest metrics and inputs for many runs with one query per child table. */
  async #hydrate(db: Db, rows: RunsTable[]): Promise<Run[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.run_uuid);
    const [params, tags, metrics, inputs] = await Promise.all([
      db.selectFrom("params").selectAll().where("run_uuid", "in", ids).orderBy("key").execute(),
      db.selectFrom("tags").selectAll().where("run_uuid", "in", ids).orderBy("key").execute(),
      db.selectFrom("latest_metrics").selectAll().where("run_uuid", "in", ids).orderBy("key").execute(),
      this.#inputs(db, ids),
    ]);
    const children = { params: groupBy(params), tags: groupBy(tags), metrics: groupBy(metrics), inputs };
    return rows.map((r) => assembleRun(r, children));
  }

  async #inputs(db: Db, runIds: string[]): Promise<Map<string, DatasetInput[]>> {
    const rows = await db
      .selectFrom("inputs as i")
      .innerJoin("datasets as d", "d.dataset_uuid", "i.dataset_uuid")
      .select([
        "i.run_uuid",
        "i.input_uuid",
        "d.name",
        "d.digest",
        "d.source_type",
        "d.source",
        "d.schema",
        "d.profile",
      ])
      .where("i.run_uuid", "in", runIds)
      .orderBy("d.name")
      .execute();
    if (rows.length === 0) return new Map();
    const tagRows = await db
      .selectFrom("input_tags")
      .selectAll()
      .where(
        "input_uuid",
        "in",
        rows.map((r) => r.input_uuid),
      )
      .execute();
    const tags = new Map<string, Tag[]>();
    for (const t of tagRows)
      tags.set(t.input_uuid, [...(tags.get(t.input_uuid) ?? []), { key: t.key, value: t.value }]);
    const out = new Map<string, DatasetInput[]>();
    for (const r of rows) {
      const input: DatasetInput = {
        tags: tags.get(r.input_uuid) ?? [],
        dataset: {
          name: r.name,
          digest: r.digest,
          sourceType: r.source_type,
          source: r.source,
          schema: r.schema,
          profile: r.profile,
        },
      };
      out.set(r.run_uuid, [...(out.get(r.run_uuid) ?? []), input]);
    }
    return out;
  }

  async updateRun(runId: string, change: RunUpdate & { lifecycleStage?: LifecycleStage }): Promise<RunInfo> {
    await this.#tx(async (trx) => {
      const set: Partial<RunsTable> = {};
      if (change.status !== undefined) set.status = change.status;
      if (change.endTime !== undefined) set.end_time = change.endTime;
      if (change.runName !== undefined) set.name = change.runName;
      if (change.lifecycleStage !== undefined) {
        set.lifecycle_stage = change.lifecycleStage;
        set.deleted_time = change.lifecycleStage === "deleted" ? Date.now() : null;
      }
      if (Object.keys(set).length === 0) return;
      const res = await trx.updateTable("runs").set(set).where("run_uuid", "=", runId).executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) throw runNotFound(runId);
      if (change.runName !== undefined)
        await this.#upsertRunTags(trx, runId, [{ key: "mlflow.runName", value: change.runName }]);
    });
    const info = await this.getRunInfo(runId);
    if (!info) throw runNotFound(runId);
    return info;
  }

  async searchRuns(q: StoreRunQuery): Promise<Run[]> {
    const ids = q.experimentIds.map(expId).filter((n): n is number => n !== null);
    if (ids.length === 0) return [];
    const { joins, terms } = runOrdering(q.orderBy);
    const where = compileFilter(this.#d, "runs", q.filter);
    // The filter and sort touch every candidate run; only the page's runs are then read in full.
    const { rows } = await sql<{ run_uuid: string }>`SELECT r.run_uuid FROM runs r ${joins}
      WHERE r.experiment_id IN (${sql.join(ids)}) AND ${viewTypeClause("r", q.viewType)} AND (${where})
      ORDER BY ${terms} LIMIT ${q.limit} OFFSET ${q.offset}`.execute(this.#db);
    if (rows.length === 0) return [];
    const runs = await this.#db
      .selectFrom("runs")
      .selectAll()
      .where(
        "run_uuid",
        "in",
        rows.map((r) => r.run_uuid),
      )
      .execute();
    const byId = new Map(runs.map((r) => [r.run_uuid, r]));
    return this.#hydrate(
      this.#db,
      rows.map((r) => byId.get(r.run_uuid)).filter((r): r is RunsTable => r !== undefined),
    );
  }

  async logBatch(runId: string, batch: LogBatch): Promise<void> {
    const rows = (batch.metrics ?? []).map((m) => fromMetric(runId, m));
    if (rows.length > 0 && !batch.params?.length && !batch.tags?.length && !this.#db.isTransaction) {
      // Metrics alone, the hottest write: one dialect call (one statement on PostgreSQL).
      assertActive(runId, await this.#d.writeRunMetrics(runId, rows));
      return;
    }
    await this.#tx(async (trx) => {
      await this.#activeRun(trx, runId);
      if (batch.params?.length) await this.#insertParams(trx, runId, batch.params);
      if (rows.length > 0) await this.#d.writeMetrics(trx, rows);
      if (batch.tags?.length) await this.#upsertRunTags(trx, runId, batch.tags);
    });
  }

  async #activeRun(trx: Db, runId: string): Promise<void> {
    const run = await trx
      .selectFrom("runs")
      .select("lifecycle_stage")
      .where("run_uuid", "=", runId)
      .executeTakeFirst();
    assertActive(runId, run?.lifecycle_stage ?? null);
  }

  async #insertParams(trx: Db, runId: string, params: Tag[]): Promise<void> {
    const existing = await trx
      .selectFrom("params")
      .select(["key", "value"])
      .where("run_uuid", "=", runId)
      .where(
        "key",
        "in",
        params.map((p) => p.key),
      )
      .execute();
    const old = new Map(existing.map((p) => [p.key, p.value]));
    const conflicts = params.filter((p) => old.has(p.key) && old.get(p.key) !== p.value);
    if (conflicts.length > 0) {
      const c = conflicts[0]!;
      throw new GyreError(
        "TRACKING_PARAM_CHANGED",
        `Changing param values is not allowed. Param with key='${c.key}' was already logged with value='${old.get(c.key)}' for run ID='${runId}'. Attempted logging new value '${c.value}'.`,
        {
          field: "params",
          details: {
            conflicts: conflicts.map((p) => ({ key: p.key, oldValue: old.get(p.key), newValue: p.value })),
          },
        },
      );
    }
    const fresh = params.filter((p) => !old.has(p.key));
    if (fresh.length > 0) {
      await trx
        .insertInto("params")
        .values(fresh.map((p) => ({ run_uuid: runId, key: p.key, value: p.value })))
        .execute();
    }
  }

  async #upsertRunTags(trx: Db, runId: string, tags: Tag[], syncColumns = true): Promise<void> {
    const last = new Map(tags.map((t) => [t.key, t.value]));
    if (last.size === 0) return;
    await trx
      .insertInto("tags")
      .values([...last].map(([key, value]) => ({ run_uuid: runId, key, value })))
      .onConflict((oc) =>
        oc.columns(["run_uuid", "key"]).doUpdateSet((eb) => ({ value: eb.ref("excluded.value") })),
      )
      .execute();
    if (!syncColumns) return;
    const name = last.get("mlflow.runName");
    if (name !== undefined)
      await trx.updateTable("runs").set({ name }).where("run_uuid", "=", runId).execute();
    const parent = last.get("mlflow.parentRunId");
    if (parent !== undefined)
      await trx.updateTable("runs").set({ parent_run_id: parent }).where("run_uuid", "=", runId).execute();
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    await this.#tx(async (trx) => {
      await this.#activeRun(trx, runId);
      const res = await trx
        .deleteFrom("tags")
        .where("run_uuid", "=", runId)
        .where("key", "=", key)
        .executeTakeFirst();
      if (Number(res.numDeletedRows) === 0) {
        throw new GyreError("TRACKING_TAG_NOT_FOUND", `No tag with name: ${key} in run with id ${runId}`, {
          field: "key",
        });
      }
    });
  }

  async logInputs(runId: string, inputs: DatasetInput[]): Promise<void> {
    await this.#tx(async (trx) => {
      await this.#activeRun(trx, runId);
      const run = await trx
        .selectFrom("runs")
        .select("experiment_id")
        .where("run_uuid", "=", runId)
        .executeTakeFirstOrThrow();
      for (const input of inputs) {
        const ds = input.dataset;
        await trx
          .insertInto("datasets")
          .values({
            dataset_uuid: randomUUID(),
            experiment_id: run.experiment_id,
            name: ds.name,
            digest: ds.digest,
            source_type: ds.sourceType,
            source: ds.source,
            schema: ds.schema ?? null,
            profile: ds.profile ?? null,
          })
          .onConflict((oc) => oc.columns(["experiment_id", "name", "digest"]).doNothing())
          .execute();
        const { dataset_uuid } = await trx
          .selectFrom("datasets")
          .select("dataset_uuid")
          .where("experiment_id", "=", run.experiment_id)
          .where("name", "=", ds.name)
          .where("digest", "=", ds.digest)
          .executeTakeFirstOrThrow();
        const inputUuid = randomUUID();
        const inserted = await trx
          .insertInto("inputs")
          .values({ input_uuid: inputUuid, dataset_uuid, run_uuid: runId })
          .onConflict((oc) => oc.columns(["dataset_uuid", "run_uuid"]).doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0 && input.tags.length > 0) {
          await trx
            .insertInto("input_tags")
            .values(input.tags.map((t) => ({ input_uuid: inputUuid, key: t.key, value: t.value })))
            .execute();
        }
      }
    });
  }

  getMetricHistory(q: StoreHistoryQuery): Promise<Metric[]> {
    return this.#d.metricHistory(q);
  }

  async recordArtifact(runId: string, record: ArtifactRecord): Promise<void> {
    const row = {
      run_uuid: runId,
      path: record.path,
      size: record.size,
      sha256: record.sha256,
      updated_time: record.updatedTime,
    };
    await this.#db
      .insertInto("artifacts")
      .values(row)
      .onConflict((oc) =>
        oc
          .columns(["run_uuid", "path"])
          .doUpdateSet({ size: row.size, sha256: row.sha256, updated_time: row.updated_time }),
      )
      .execute();
  }

  async listArtifactRecords(runId: string, prefix: string): Promise<ArtifactRecord[]> {
    let q = this.#db.selectFrom("artifacts").selectAll().where("run_uuid", "=", runId);
    if (prefix) q = q.where(sql<boolean>`substr(path, 1, ${prefix.length + 1}) = ${`${prefix}/`}`);
    const rows = await q.orderBy("path").execute();
    return rows.map((r) => ({
      path: r.path,
      size: Number(r.size),
      sha256: r.sha256,
      updatedTime: Number(r.updated_time),
    }));
  }

  async close(): Promise<void> {
    await this.#d.close();
  }
}
