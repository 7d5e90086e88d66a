/** Kysely table types of the monitoring tables (numbers may come back as strings from PostgreSQL bigint). */

export interface FeedbackTable {
  deployment: string;
  match_key: string;
  request_id: string | null;
  row_index: number | null;
  entity_key: string | null;
  ts: number | null;
  label: string;
  received_time: number;
  matched: number;
}

export interface ResultsTable {
  deployment: string;
  monitor: string;
  feature: string;
  metric: string;
  fingerprint: string;
  window_start: number;
  window_end: number;
  evaluated_time: number;
  rows: number;
  status: string;
  value: number | null;
  statistic: number | null;
  p_value: number | null;
  threshold: number | null;
  drifted: number | null;
}

export interface AlertsTable {
  id: string;
  monitor: string;
  deployment: string;
  feature: string;
  metric: string;
  severity: string;
  state: string;
  value: number | null;
  threshold: number | null;
  message: string;
  occurrences: number;
  first_time: number;
  last_time: number;
  resolved_time: number | null;
  actions: string;
}

export interface MonitorStateTable {
  monitor: string;
  last_run_time: number;
  last_rows: number;
  last_status: string;
}

export interface MonitoringDatabase {
  monitoring_feedback: FeedbackTable;
  monitoring_results: ResultsTable;
  monitoring_alerts: AlertsTable;
  monitoring_monitor_state: MonitorStateTable;
}
