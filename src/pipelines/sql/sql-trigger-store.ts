import { type Kysely, sql } from "kysely";
import { GyreError } from "../../core/errors.js";
import { isUniqueViolation, type SqlDialect } from "../../metadata/index.js";
import type {
  DatasetVersion,
  Trigger,
  TriggerEvent,
  TriggerEventRecord,
  TriggerSpec,
  TriggerStore,
} from "../triggers.js";
import type { PipelineDatabase, PipelineTriggersTable } from "./schema.js";

type Db = Kysely<PipelineDatabase>;

function toTrigger(r: PipelineTriggersTable): Trigger {
  return {
    name: r.name,
    pipeline: r.pipeline,
    on: JSON.parse(r.spec) as TriggerSpec,
    params: JSON.parse(r.params),
    enabled: Number(r.enabled) === 1,
    createdTime: Number(r.created_time),
    updatedTime: Number(r.updated_time),
  };
}

/** Triggers in the pipeline tables of the metadata database (migrated by `SqlPipelineStore.open`). */
export class SqlTriggerStore implements TriggerStore {
  readonly #db: Db;

  constructor(dialect: SqlDialect) {
    this.#db = dialect.db as unknown as Db;
  }

  async insertTrigger(t: Trigger, baseline: TriggerEvent[]): Promise<void> {
    try {
      await this.#db.transaction().execute(async (trx) => {
        await trx
          .insertInto("pipeline_triggers")
          .values({
            name: t.name,
            pipeline: t.pipeline,
            kind: t.on.kind,
            spec: JSON.stringify(t.on),
            params: JSON.stringify(t.params),
            enabled: t.enabled ? 1 : 0,
            created_time: t.createdTime,
            updated_time: t.updatedTime,
          })
          .execute();
        for (let i = 0; i < baseline.length; i += 500) {
          const rows = baseline.slice(i, i + 500).map((e) => ({
            trigger_name: t.name,
            event_key: e.key,
            run_id: null,
            payload: JSON.stringify(e.payload),
            created_time: t.createdTime,
          }));
          await trx.insertInto("pipeline_trigger_events").values(rows).execute();
        }
      });
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      throw new GyreError(
        "PIPELINE_TRIGGER_EXISTS",
        `Trigger '${t.name}' already exists: remove it first or pick another name`,
        { field: "name" },
      );
    }
  }

  async getTrigger(name: string): Promise<Trigger | null> {
    const r = await this.#db
      .selectFrom("pipeline_triggers")
      .selectAll()
      .where("name", "=", name)
      .executeTakeFirst();
    return r ? toTrigger(r) : null;
  }

  async listTriggers(): Promise<Trigger[]> {
    const rows = await this.#db.selectFrom("pipeline_triggers").selectAll().orderBy("name").execute();
    return rows.map(toTrigger);
  }

  async setTriggerEnabled(name: string, enabled: boolean): Promise<boolean> {
    const res = await this.#db
      .updateTable("pipeline_triggers")
      .set({ enabled: enabled ? 1 : 0, updated_time: Date.now() })
      .where("name", "=", name)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async deleteTrigger(name: string): Promise<boolean> {
    return this.#db.transaction().execute(async (trx) => {
      await trx.deleteFrom("pipeline_trigger_events").where("trigger_name", "=", name).execute();
      const res = await trx.deleteFrom("pipeline_triggers").where("name", "=", name).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    });
  }

  async claimEvent(trigger: string, event: TriggerEvent, now: number): Promise<boolean> {
    const res = await this.#db
      .insertInto("pipeline_trigger_events")
      .values({
        trigger_name: trigger,
        event_key: event.key,
        run_id: null,
        payload: JSON.stringify(event.payload),
        created_time: now,
      })
      .onConflict((oc) => oc.columns(["trigger_name", "event_key"]).doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  async setEventRun(trigger: string, key: string, runId: string): Promise<void> {
    await this.#db
      .updateTable("pipeline_trigger_events")
      .set({ run_id: runId })
      .where("trigger_name", "=", trigger)
      .where("event_key", "=", key)
      .execute();
  }

  async releaseEvent(trigger: string, key: string): Promise<void> {
    await this.#db
      .deleteFrom("pipeline_trigger_events")
      .where("trigger_name", "=", trigger)
      .where("event_key", "=", key)
      .execute();
  }

  async listEvents(trigger: string, limit: number): Promise<TriggerEventRecord[]> {
    const rows = await this.#db
      .selectFrom("pipeline_trigger_events")
      .selectAll()
      .where("trigger_name", "=", trigger)
      .orderBy("created_time", "desc")
      .orderBy("event_key")
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      trigger: r.trigger_name,
      key: r.event_key,
      runId: r.run_id,
      payload: JSON.parse(r.payload),
      createdTime: Number(r.created_time),
    }));
  }

  async unseenDatasets(trigger: string, like: string): Promise<DatasetVersion[]> {
    const key = sql<string>`d.name || '@' || d.digest`;
    const rows = await this.#db
      .selectFrom("datasets as d")
      .select(["d.name", "d.digest", "d.source_type", "d.source"])
      .where(sql<boolean>`d.name LIKE ${like} ESCAPE '\\'`)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom("pipeline_trigger_events as e")
              .select("e.event_key")
              .where("e.trigger_name", "=", trigger)
              .whereRef("e.event_key", "=", key),
          ),
        ),
      )
      .distinct()
      .orderBy("d.name")
      .orderBy("d.digest")
      .execute();
    return rows.map((r) => ({ name: r.name, digest: r.digest, sourceType: r.source_type, source: r.source }));
  }
}
