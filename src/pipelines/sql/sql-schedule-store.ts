import type { Kysely } from "kysely";
import { GyreError } from "../../core/errors.js";
import { isUniqueViolation, type SqlDialect } from "../../metadata/index.js";
import type { CatchUp, Schedule, ScheduleStore } from "../schedules.js";
import type { PipelineDatabase, PipelineSchedulesTable } from "./schema.js";

type Db = Kysely<PipelineDatabase>;

const num = (v: number | null) => (v === null ? null : Number(v));

function toSchedule(r: PipelineSchedulesTable): Schedule {
  return {
    name: r.name,
    pipeline: r.pipeline,
    cron: r.cron,
    timezone: r.timezone,
    params: JSON.parse(r.params),
    catchup: r.catchup as CatchUp,
    maxCatchup: Number(r.max_catchup),
    maxConcurrent: Number(r.max_concurrent),
    enabled: Number(r.enabled) === 1,
    nextFire: num(r.next_fire),
    lastFire: num(r.last_fire),
    createdTime: Number(r.created_time),
    updatedTime: Number(r.updated_time),
  };
}

/** Schedules in the pipeline tables of the metadata database (migrated by `SqlPipelineStore.open`). */
export class SqlScheduleStore implements ScheduleStore {
  readonly #db: Db;

  constructor(dialect: SqlDialect) {
    this.#db = dialect.db as unknown as Db;
  }

  async insertSchedule(s: Schedule): Promise<void> {
    try {
      await this.#db
        .insertInto("pipeline_schedules")
        .values({
          name: s.name,
          pipeline: s.pipeline,
          cron: s.cron,
          timezone: s.timezone,
          params: JSON.stringify(s.params),
          catchup: s.catchup,
          max_catchup: s.maxCatchup,
          max_concurrent: s.maxConcurrent,
          enabled: s.enabled ? 1 : 0,
          next_fire: s.nextFire,
          last_fire: s.lastFire,
          created_time: s.createdTime,
          updated_time: s.updatedTime,
        })
        .execute();
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      throw new GyreError(
        "PIPELINE_SCHEDULE_EXISTS",
        `Schedule '${s.name}' already exists: remove it first or pick another name`,
        { field: "name" },
      );
    }
  }

  async getSchedule(name: string): Promise<Schedule | null> {
    const r = await this.#db
      .selectFrom("pipeline_schedules")
      .selectAll()
      .where("name", "=", name)
      .executeTakeFirst();
    return r ? toSchedule(r) : null;
  }

  async listSchedules(): Promise<Schedule[]> {
    return (await this.#db.selectFrom("pipeline_schedules").selectAll().orderBy("name").execute()).map(
      toSchedule,
    );
  }

  async updateSchedule(
    name: string,
    patch: Partial<Pick<Schedule, "enabled" | "nextFire" | "lastFire">>,
  ): Promise<void> {
    const set: Partial<PipelineSchedulesTable> = { updated_time: Date.now() };
    if (patch.enabled !== undefined) set.enabled = patch.enabled ? 1 : 0;
    if (patch.nextFire !== undefined) set.next_fire = patch.nextFire;
    if (patch.lastFire !== undefined) set.last_fire = patch.lastFire;
    await this.#db.updateTable("pipeline_schedules").set(set).where("name", "=", name).execute();
  }

  async deleteSchedule(name: string): Promise<boolean> {
    const res = await this.#db.deleteFrom("pipeline_schedules").where("name", "=", name).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  async advance(
    name: string,
    expectedNext: number,
    nextFire: number | null,
    lastFire: number,
  ): Promise<boolean> {
    const res = await this.#db
      .updateTable("pipeline_schedules")
      .set({ next_fire: nextFire, last_fire: lastFire, updated_time: Date.now() })
      .where("name", "=", name)
      .where("enabled", "=", 1)
      .where("next_fire", "=", expectedNext)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async activeRuns(name: string): Promise<number> {
    const r = await this.#db
      .selectFrom("pipeline_runs")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("schedule", "=", name)
      .where("status", "=", "RUNNING")
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }
}
