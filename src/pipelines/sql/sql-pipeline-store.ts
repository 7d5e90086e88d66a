import { CompiledQuery, type Kysely } from "kysely";
import type { SqlDialect } from "../../metadata/index.js";
import type {
  CacheEntry,
  PipelineRunRecord,
  RunPatch,
  StepRecord,
  TransactionalPipelineStore,
} from "../store.js";
import type { PipelineRunStatus, StepStatus } from "../types.js";
import { migratePipelines } from "./migrations.js";
import type { PipelineDatabase, PipelineRunsTable, PipelineStepsTable } from "./schema.js";

/** Rows per multi-row insert: well under SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 500;

function parse<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

function toRun(r: PipelineRunsTable): PipelineRunRecord {
  return {
    runId: r.run_id,
    pipeline: r.pipeline,
    experimentId: r.experiment_id,
    plan: JSON.parse(r.plan),
    params: JSON.parse(r.params),
    options: JSON.parse(r.options),
    status: r.status as PipelineRunStatus,
    error: r.error,
    owner: r.owner,
    heartbeat: r.heartbeat === null ? null : Number(r.heartbeat),
    cancelRequested: Number(r.cancel_requested) === 1,
    createdTime: Number(r.created_time),
    updatedTime: Number(r.updated_time),
    endedTime: r.ended_time === null ? null : Number(r.ended_time),
    schedule: r.schedule ?? null,
  };
}

function toStep(r: PipelineStepsTable): StepRecord {
  return {
    runId: r.run_id,
    stepId: r.step_id,
    planStep: r.plan_step,
    item: r.item === null ? null : Number(r.item),
    status: r.status as StepStatus,
    attempt: Number(r.attempt),
    trackingRunId: r.tracking_run_id,
    cacheKey: r.cache_key,
    cachedFrom: r.cached_from,
    outputs: parse(r.outputs),
    error: parse(r.error),
    startedTime: r.started_time === null ? null : Number(r.started_time),
    endedTime: r.ended_time === null ? null : Number(r.ended_time),
  };
}

function stepRow(s: StepRecord, now: number): PipelineStepsTable {
  return {
    run_id: s.runId,
    step_id: s.stepId,
    plan_step: s.planStep,
    item: s.item,
    status: s.status,
    attempt: s.attempt,
    tracking_run_id: s.trackingRunId,
    cache_key: s.cacheKey,
    cached_from: s.cachedFrom,
    outputs: s.outputs === null ? null : JSON.stringify(s.outputs),
    error: s.error === null ? null : JSON.stringify(s.error),
    started_time: s.startedTime,
    ended_time: s.endedTime,
    updated_time: now,
  };
}

type Db = Kysely<PipelineDatabase>;

function upsertQuery(db: Db, rows: PipelineStepsTable[]) {
  return db
    .insertInto("pipeline_steps")
    .values(rows)
    .onConflict((oc) =>
      oc.columns(["run_id", "step_id"]).doUpdateSet((eb) => ({
        status: eb.ref("excluded.status"),
        attempt: eb.ref("excluded.attempt"),
        tracking_run_id: eb.ref("excluded.tracking_run_id"),
        cache_key: eb.ref("excluded.cache_key"),
        cached_from: eb.ref("excluded.cached_from"),
        outputs: eb.ref("excluded.outputs"),
        error: eb.ref("excluded.error"),
        started_time: eb.ref("excluded.started_time"),
        ended_time: eb.ref("excluded.ended_time"),
        updated_time: eb.ref("excluded.updated_time"),
      })),
    );
}

/**
 * The one-row upsert as SQL text plus the column behind each parameter, compiled once per store (and shared
 * with its transaction views): a step's state changes several times per step, and building the query anew
 * costs more than running it.
 */
interface Compiled {
  upsert?: { sql: string; columns: (keyof PipelineStepsTable)[] };
}

function compiledUpsert(db: Db, compiled: Compiled, row: PipelineStepsTable): CompiledQuery {
  if (!compiled.upsert) {
    // Each parameter of a row of column names is its column's name.
    const marked = Object.fromEntries(Object.keys(row).map((k) => [k, k])) as unknown as PipelineStepsTable;
    const q = upsertQuery(db, [marked]).compile();
    compiled.upsert = { sql: q.sql, columns: q.parameters as (keyof PipelineStepsTable)[] };
  }
  const { sql, columns } = compiled.upsert;
  return CompiledQuery.raw(
    sql,
    columns.map((k) => row[k]),
  );
}

async function upsertSteps(db: Db, compiled: Compiled, steps: StepRecord[]): Promise<void> {
  const now = Date.now();
  if (steps.length === 1) {
    await db.executeQuery(compiledUpsert(db, compiled, stepRow(steps[0]!, now)));
    return;
  }
  for (let i = 0; i < steps.length; i += CHUNK)
    await upsertQuery(
      db,
      steps.slice(i, i + CHUNK).map((s) => stepRow(s, now)),
    ).execute();
}

/**
 * Pipeline state over any SQL engine Kysely speaks, in the metadata store's database: it borrows the
 * metadata store's connection and owns only its own tables, migrated with their own migration table.
 */
export class SqlPipelineStore implements TransactionalPipelineStore {
  readonly #db: Db;
  readonly #compiled: Compiled;

  private constructor(db: Db, compiled: Compiled) {
    this.#db = db;
    this.#compiled = compiled;
  }

  /** A view of this store whose writes join the transaction `trx` of the same database (see `metadataTransactionOf`). */
  within(trx: unknown): SqlPipelineStore {
    return new SqlPipelineStore(trx as unknown as Db, this.#compiled);
  }

  /** `fn` in a transaction of its own, or in the view's transaction. */
  #tx(fn: (trx: Db) => Promise<void>): Promise<void> {
    if (this.#db.isTransaction) return fn(this.#db);
    return this.#db.transaction().execute(fn);
  }

  /** Migrates the pipeline tables (idempotent) and returns the store. Throws STORE_UNAVAILABLE. */
  static async open(dialect: SqlDialect): Promise<SqlPipelineStore> {
    await migratePipelines(dialect);
    return new SqlPipelineStore(dialect.db as unknown as Db, {});
  }

  async createRun(run: PipelineRunRecord, steps: StepRecord[]): Promise<void> {
    await this.#tx(async (trx) => {
      await trx
        .insertInto("pipeline_runs")
        .values({
          run_id: run.runId,
          pipeline: run.pipeline,
          experiment_id: run.experimentId,
          plan: JSON.stringify(run.plan),
          params: JSON.stringify(run.params),
          options: JSON.stringify(run.options),
          status: run.status,
          error: run.error,
          owner: run.owner,
          heartbeat: run.heartbeat,
          cancel_requested: run.cancelRequested ? 1 : 0,
          created_time: run.createdTime,
          updated_time: run.updatedTime,
          ended_time: run.endedTime,
          schedule: run.schedule,
        })
        .execute();
      await upsertSteps(trx, this.#compiled, steps);
    });
  }

  async getRun(runId: string): Promise<PipelineRunRecord | null> {
    const row = await this.#db
      .selectFrom("pipeline_runs")
      .selectAll()
      .where("run_id", "=", runId)
      .executeTakeFirst();
    return row ? toRun(row) : null;
  }

  async listRuns(query: {
    pipeline?: string;
    status?: PipelineRunStatus;
    limit: number;
  }): Promise<PipelineRunRecord[]> {
    let q = this.#db.selectFrom("pipeline_runs").selectAll();
    if (query.pipeline) q = q.where("pipeline", "=", query.pipeline);
    if (query.status) q = q.where("status", "=", query.status);
    const rows = await q.orderBy("created_time", "desc").orderBy("run_id").limit(query.limit).execute();
    return rows.map(toRun);
  }

  async updateRun(runId: string, patch: RunPatch): Promise<void> {
    const set: Partial<PipelineRunsTable> = { updated_time: Date.now() };
    if (patch.status !== undefined) set.status = patch.status;
    if (patch.error !== undefined) set.error = patch.error;
    if (patch.owner !== undefined) set.owner = patch.owner;
    if (patch.heartbeat !== undefined) set.heartbeat = patch.heartbeat;
    if (patch.cancelRequested !== undefined) set.cancel_requested = patch.cancelRequested ? 1 : 0;
    if (patch.endedTime !== undefined) set.ended_time = patch.endedTime;
    await this.#db.updateTable("pipeline_runs").set(set).where("run_id", "=", runId).execute();
  }

  async claimRun(runId: string, expected: string | null, owner: string, now: number): Promise<boolean> {
    const res = await this.#db
      .updateTable("pipeline_runs")
      .set({ owner, heartbeat: now, updated_time: now })
      .where("run_id", "=", runId)
      .where((eb) => (expected === null ? eb("owner", "is", null) : eb("owner", "=", expected)))
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async listSteps(runId: string): Promise<StepRecord[]> {
    const rows = await this.#db
      .selectFrom("pipeline_steps")
      .selectAll()
      .where("run_id", "=", runId)
      .orderBy("step_id")
      .execute();
    return rows.map(toStep);
  }

  async saveSteps(steps: StepRecord[], cache?: CacheEntry): Promise<void> {
    if (!cache && steps.length <= CHUNK) return upsertSteps(this.#db, this.#compiled, steps);
    await this.#tx(async (trx) => {
      await upsertSteps(trx, this.#compiled, steps);
      if (!cache) return;
      const row = {
        cache_key: cache.key,
        step: cache.step,
        outputs: JSON.stringify(cache.outputs),
        tracking_run_id: cache.trackingRunId,
        pipeline_run_id: cache.pipelineRunId,
        created_time: cache.createdTime,
      };
      await trx
        .insertInto("pipeline_cache")
        .values(row)
        .onConflict((oc) => oc.column("cache_key").doUpdateSet(row))
        .execute();
    });
  }

  async getCache(key: string): Promise<CacheEntry | null> {
    const r = await this.#db
      .selectFrom("pipeline_cache")
      .selectAll()
      .where("cache_key", "=", key)
      .executeTakeFirst();
    if (!r) return null;
    return {
      key: r.cache_key,
      step: r.step,
      outputs: JSON.parse(r.outputs),
      trackingRunId: r.tracking_run_id,
      pipelineRunId: r.pipeline_run_id,
      createdTime: Number(r.created_time),
    };
  }

  async deleteCache(key: string): Promise<void> {
    await this.#db.deleteFrom("pipeline_cache").where("cache_key", "=", key).execute();
  }
}
