/**
 * What monitoring keeps in the metadata database: ground-truth feedback, metric results as time series,
 * alerts, and per-monitor schedule state. One interface; the SQL implementation serves SQLite and PostgreSQL.
 */

/** A ground-truth label: a class (string, boolean, integer) or a regression target (number). */
export type Label = string | number | boolean;

/** One feedback record. `matchKey` identifies the prediction it labels: `req:<id>#<row>` or `ent:<json>@<ts>`. */
export interface FeedbackRecord {
  deployment: string;
  matchKey: string;
  requestId: string | null;
  rowIndex: number | null;
  entityKey: Record<string, unknown> | null;
  /** For entity-key feedback: the time the label refers to (epoch ms). */
  ts: number | null;
  label: Label;
  receivedTime: number;
  /** Whether a logged prediction was found for it at the last check. */
  matched: boolean;
}

/** One stored metric value of one window. `value` is null unless status is 'ok'. */
export interface MetricPoint {
  deployment: string;
  monitor: string;
  /** Feature key, or `_performance` for model-quality metrics, `_quality` for data-quality shares. */
  feature: string;
  metric: string;
  fingerprint: string;
  windowStart: number;
  windowEnd: number;
  evaluatedTime: number;
  rows: number;
  status: string;
  value: number | null;
  statistic: number | null;
  pValue: number | null;
  threshold: number | null;
  drifted: boolean | null;
}

/** The outcome of one alert action (webhook, log, pipeline). */
export interface ActionOutcome {
  type: string;
  ok: boolean;
  at: number;
  detail: string;
  /** For pipeline actions: the pipeline run started. */
  runId?: string;
}

/** An alert: firing while its condition holds, resolved once it clears. */
export interface AlertRecord {
  id: string;
  monitor: string;
  deployment: string;
  feature: string;
  metric: string;
  severity: "info" | "warning" | "critical";
  state: "firing" | "resolved";
  value: number | null;
  threshold: number | null;
  message: string;
  /** Evaluations that found the condition while this alert was open (de-duplicated into one alert). */
  occurrences: number;
  firstTime: number;
  lastTime: number;
  resolvedTime: number | null;
  actions: ActionOutcome[];
}

/** Filter for results and alerts; times in epoch ms. */
export interface ResultFilter {
  deployment?: string;
  monitor?: string;
  feature?: string;
  metric?: string;
  from?: number;
  to?: number;
  limit?: number;
}

export interface AlertFilter {
  deployment?: string;
  monitor?: string;
  state?: AlertRecord["state"];
  limit?: number;
}

/** When a monitor last ran and how many log rows it had seen (for every-N-predictions schedules). */
export interface MonitorState {
  monitor: string;
  lastRunTime: number;
  lastRows: number;
  lastStatus: string;
}

export interface MonitoringStore {
  /** Inserts or replaces (same deployment and match key) feedback, all in one transaction. */
  upsertFeedback(records: FeedbackRecord[]): Promise<void>;
  /** Feedback of a deployment, oldest first; `matched` filters on the last match state. */
  listFeedback(
    deployment: string,
    options?: { matched?: boolean; limit?: number },
  ): Promise<FeedbackRecord[]>;
  /** Sets the match state of feedback by key, in one transaction. */
  setMatched(deployment: string, keys: string[], matched: boolean): Promise<void>;
  /** Inserts or replaces metric points (same series and window), in one transaction. */
  writeResults(points: MetricPoint[]): Promise<void>;
  /** Points matching the filter, newest window first. */
  queryResults(filter: ResultFilter): Promise<MetricPoint[]>;
  insertAlert(alert: AlertRecord): Promise<void>;
  updateAlert(alert: AlertRecord): Promise<void>;
  getAlert(id: string): Promise<AlertRecord | null>;
  /** The newest alert of one series (monitor, deployment, feature, metric), firing or not. */
  latestAlert(
    monitor: string,
    deployment: string,
    feature: string,
    metric: string,
  ): Promise<AlertRecord | null>;
  listAlerts(filter: AlertFilter): Promise<AlertRecord[]>;
  getMonitorState(monitor: string): Promise<MonitorState | null>;
  setMonitorState(state: MonitorState): Promise<void>;
}
