import type { Kysely } from "kysely";
import type { SqlDialect } from "../../metadata/index.js";
import type {
  AlertFilter,
  AlertRecord,
  FeedbackRecord,
  MetricPoint,
  MonitoringStore,
  MonitorState,
  ResultFilter,
} from "../store.js";
import { migrateMonitoring } from "./migrations.js";
import type { AlertsTable, FeedbackTable, MonitoringDatabase, ResultsTable } from "./schema.js";

type Db = Kysely<MonitoringDatabase>;

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));
const CHUNK = 200;

function toFeedback(r: FeedbackTable): FeedbackRecord {
  return {
    deployment: r.deployment,
    matchKey: r.match_key,
    requestId: r.request_id,
    rowIndex: num(r.row_index),
    entityKey: r.entity_key === null ? null : JSON.parse(r.entity_key),
    ts: num(r.ts),
    label: JSON.parse(r.label),
    receivedTime: Number(r.received_time),
    matched: Number(r.matched) === 1,
  };
}

function toPoint(r: ResultsTable): MetricPoint {
  return {
    deployment: r.deployment,
    monitor: r.monitor,
    feature: r.feature,
    metric: r.metric,
    fingerprint: r.fingerprint,
    windowStart: Number(r.window_start),
    windowEnd: Number(r.window_end),
    evaluatedTime: Number(r.evaluated_time),
    rows: Number(r.rows),
    status: r.status,
    value: num(r.value),
    statistic: num(r.statistic),
    pValue: num(r.p_value),
    threshold: num(r.threshold),
    drifted: r.drifted === null ? null : Number(r.drifted) === 1,
  };
}

function toAlert(r: AlertsTable): AlertRecord {
  return {
    id: r.id,
    monitor: r.monitor,
    deployment: r.deployment,
    feature: r.feature,
    metric: r.metric,
    severity: r.severity as AlertRecord["severity"],
    state: r.state as AlertRecord["state"],
    value: num(r.value),
    threshold: num(r.threshold),
    message: r.message,
    occurrences: Number(r.occurrences),
    firstTime: Number(r.first_time),
    lastTime: Number(r.last_time),
    resolvedTime: num(r.resolved_time),
    actions: JSON.parse(r.actions),
  };
}

function alertRow(a: AlertRecord): AlertsTable {
  return {
    id: a.id,
    monitor: a.monitor,
    deployment: a.deployment,
    feature: a.feature,
    metric: a.metric,
    severity: a.severity,
    state: a.state,
    value: a.value,
    threshold: a.threshold,
    message: a.message,
    occurrences: a.occurrences,
    first_time: a.firstTime,
    last_time: a.lastTime,
    resolved_time: a.resolvedTime,
    actions: JSON.stringify(a.actions),
  };
}

/** Monitoring state in the metadata database: borrows its connection, owns only the monitoring_* tables. */
export class SqlMonitoringStore implements MonitoringStore {
  readonly #db: Db;

  private constructor(dialect: SqlDialect) {
    this.#db = dialect.db as unknown as Db;
  }

  /** Migrates the monitoring tables (idempotent) and returns the store. Throws STORE_UNAVAILABLE. */
  static async open(dialect: SqlDialect): Promise<SqlMonitoringStore> {
    await migrateMonitoring(dialect);
    return new SqlMonitoringStore(dialect);
  }

  async upsertFeedback(records: FeedbackRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.#db.transaction().execute(async (trx) => {
      for (let i = 0; i < records.length; i += CHUNK) {
        const rows = records.slice(i, i + CHUNK).map((f) => ({
          deployment: f.deployment,
          match_key: f.matchKey,
          request_id: f.requestId,
          row_index: f.rowIndex,
          entity_key: f.entityKey === null ? null : JSON.stringify(f.entityKey),
          ts: f.ts,
          label: JSON.stringify(f.label),
          received_time: f.receivedTime,
          matched: f.matched ? 1 : 0,
        }));
        await trx
          .insertInto("monitoring_feedback")
          .values(rows)
          .onConflict((oc) =>
            oc.columns(["deployment", "match_key"]).doUpdateSet((eb) => ({
              label: eb.ref("excluded.label"),
              received_time: eb.ref("excluded.received_time"),
              matched: eb.ref("excluded.matched"),
            })),
          )
          .execute();
      }
    });
  }

  async listFeedback(
    deployment: string,
    options: { matched?: boolean; limit?: number } = {},
  ): Promise<FeedbackRecord[]> {
    let q = this.#db.selectFrom("monitoring_feedback").selectAll().where("deployment", "=", deployment);
    if (options.matched !== undefined) q = q.where("matched", "=", options.matched ? 1 : 0);
    const rows = await q
      .orderBy("received_time")
      .orderBy("match_key")
      .limit(options.limit ?? 1_000_000)
      .execute();
    return rows.map(toFeedback);
  }

  async setMatched(deployment: string, keys: string[], matched: boolean): Promise<void> {
    if (keys.length === 0) return;
    await this.#db.transaction().execute(async (trx) => {
      for (let i = 0; i < keys.length; i += CHUNK) {
        await trx
          .updateTable("monitoring_feedback")
          .set({ matched: matched ? 1 : 0 })
          .where("deployment", "=", deployment)
          .where("match_key", "in", keys.slice(i, i + CHUNK))
          .execute();
      }
    });
  }

  async writeResults(points: MetricPoint[]): Promise<void> {
    if (points.length === 0) return;
    await this.#db.transaction().execute(async (trx) => {
      for (let i = 0; i < points.length; i += CHUNK) {
        const rows = points.slice(i, i + CHUNK).map((p) => ({
          deployment: p.deployment,
          monitor: p.monitor,
          feature: p.feature,
          metric: p.metric,
          fingerprint: p.fingerprint,
          window_start: p.windowStart,
          window_end: p.windowEnd,
          evaluated_time: p.evaluatedTime,
          rows: p.rows,
          status: p.status,
          value: p.value,
          statistic: p.statistic,
          p_value: p.pValue,
          threshold: p.threshold,
          drifted: p.drifted === null ? null : p.drifted ? 1 : 0,
        }));
        await trx
          .insertInto("monitoring_results")
          .values(rows)
          .onConflict((oc) =>
            oc
              .columns(["deployment", "monitor", "feature", "fingerprint", "window_start", "window_end"])
              .doUpdateSet((eb) => ({
                evaluated_time: eb.ref("excluded.evaluated_time"),
                rows: eb.ref("excluded.rows"),
                status: eb.ref("excluded.status"),
                value: eb.ref("excluded.value"),
                statistic: eb.ref("excluded.statistic"),
                p_value: eb.ref("excluded.p_value"),
                threshold: eb.ref("excluded.threshold"),
                drifted: eb.ref("excluded.drifted"),
              })),
          )
          .execute();
      }
    });
  }

  async queryResults(f: ResultFilter): Promise<MetricPoint[]> {
    let q = this.#db.selectFrom("monitoring_results").selectAll();
    if (f.deployment !== undefined) q = q.where("deployment", "=", f.deployment);
    if (f.monitor !== undefined) q = q.where("monitor", "=", f.monitor);
    if (f.feature !== undefined) q = q.where("feature", "=", f.feature);
    if (f.metric !== undefined) q = q.where("metric", "=", f.metric);
    if (f.from !== undefined) q = q.where("window_end", ">", f.from);
    if (f.to !== undefined) q = q.where("window_start", "<", f.to);
    const rows = await q
      .orderBy("window_end", "desc")
      .orderBy("feature")
      .orderBy("metric")
      .limit(f.limit ?? 10_000)
      .execute();
    return rows.map(toPoint);
  }

  async insertAlert(alert: AlertRecord): Promise<void> {
    await this.#db.insertInto("monitoring_alerts").values(alertRow(alert)).execute();
  }

  async updateAlert(alert: AlertRecord): Promise<void> {
    const { id, ...rest } = alertRow(alert);
    await this.#db.updateTable("monitoring_alerts").set(rest).where("id", "=", id).execute();
  }

  async getAlert(id: string): Promise<AlertRecord | null> {
    const r = await this.#db
      .selectFrom("monitoring_alerts")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    return r ? toAlert(r) : null;
  }

  async latestAlert(
    monitor: string,
    deployment: string,
    feature: string,
    metric: string,
  ): Promise<AlertRecord | null> {
    const r = await this.#db
      .selectFrom("monitoring_alerts")
      .selectAll()
      .where("monitor", "=", monitor)
      .where("deployment", "=", deployment)
      .where("feature", "=", feature)
      .where("metric", "=", metric)
      .orderBy("last_time", "desc")
      .limit(1)
      .executeTakeFirst();
    return r ? toAlert(r) : null;
  }

  async listAlerts(f: AlertFilter): Promise<AlertRecord[]> {
    let q = this.#db.selectFrom("monitoring_alerts").selectAll();
    if (f.deployment !== undefined) q = q.where("deployment", "=", f.deployment);
    if (f.monitor !== undefined) q = q.where("monitor", "=", f.monitor);
    if (f.state !== undefined) q = q.where("state", "=", f.state);
    const rows = await q
      .orderBy("last_time", "desc")
      .limit(f.limit ?? 1000)
      .execute();
    return rows.map(toAlert);
  }

  async getMonitorState(monitor: string): Promise<MonitorState | null> {
    const r = await this.#db
      .selectFrom("monitoring_monitor_state")
      .selectAll()
      .where("monitor", "=", monitor)
      .executeTakeFirst();
    return r
      ? {
          monitor: r.monitor,
          lastRunTime: Number(r.last_run_time),
          lastRows: Number(r.last_rows),
          lastStatus: r.last_status,
        }
      : null;
  }

  async setMonitorState(s: MonitorState): Promise<void> {
    const row = {
      monitor: s.monitor,
      last_run_time: s.lastRunTime,
      last_rows: s.lastRows,
      last_status: s.lastStatus,
    };
    await this.#db
      .insertInto("monitoring_monitor_state")
      .values(row)
      .onConflict((oc) =>
        oc
          .column("monitor")
          .doUpdateSet({ last_run_time: s.lastRunTime, last_rows: s.lastRows, last_status: s.lastStatus }),
      )
      .execute();
  }
}
