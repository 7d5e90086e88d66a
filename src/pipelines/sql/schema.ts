/** Kysely table types of the pipeline tables (one schema for SQLite and PostgreSQL). Times are ms since the epoch; JSON is text. */

/** One row per pipeline run; `plan`, `params` and `options` are JSON. */
export interface PipelineRunsTable {
  run_id: string;
  pipeline: string;
  experiment_id: string;
  plan: string;
  params: string;
  options: string;
  status: string;
  error: string | null;
  owner: string | null;
  heartbeat: number | null;
  cancel_requested: number;
  created_time: number;
  updated_time: number;
  ended_time: number | null;
  /** The schedule that started the run, if any. */
  schedule: string | null;
}

/** One row per step, fan-out node and fan-out instance of a run; `outputs` and `error` are JSON. */
export interface PipelineStepsTable {
  run_id: string;
  step_id: string;
  plan_step: string;
  item: number | null;
  status: string;
  attempt: number;
  tracking_run_id: string | null;
  cache_key: string | null;
  cached_from: string | null;
  outputs: string | null;
  error: string | null;
  started_time: number | null;
  ended_time: number | null;
  updated_time: number;
}

/** Reusable step results by cache key; `outputs` is JSON (artifact refs with digests). */
export interface PipelineCacheTable {
  cache_key: string;
  step: string;
  outputs: string;
  tracking_run_id: string;
  pipeline_run_id: string;
  created_time: number;
}

/** Cron schedules; the row is also the firing lock (compare-and-set on `next_fire`). */
export interface PipelineSchedulesTable {
  name: string;
  pipeline: string;
  cron: string;
  timezone: string;
  params: string;
  catchup: string;
  max_catchup: number;
  max_concurrent: number;
  enabled: number;
  next_fire: number | null;
  last_fire: number | null;
  created_time: number;
  updated_time: number;
}

/** Event triggers of pipelines; `spec` and `params` are JSON. */
export interface PipelineTriggersTable {
  name: string;
  pipeline: string;
  kind: string;
  spec: string;
  params: string;
  enabled: number;
  created_time: number;
  updated_time: number;
}

/** Events a trigger has seen; the primary key (trigger, event_key) is the firing lock. */
export interface PipelineTriggerEventsTable {
  trigger_name: string;
  event_key: string;
  run_id: string | null;
  payload: string;
  created_time: number;
}

/** The metadata store's datasets table, which dataset triggers watch (read only here). */
export interface WatchedDatasetsTable {
  name: string;
  digest: string;
  source_type: string;
  source: string;
}

/** The tables the pipelines component owns in the metadata database. */
export interface PipelineDatabase {
  pipeline_runs: PipelineRunsTable;
  pipeline_triggers: PipelineTriggersTable;
  pipeline_trigger_events: PipelineTriggerEventsTable;
  datasets: WatchedDatasetsTable;
  pipeline_schedules: PipelineSchedulesTable;
  pipeline_steps: PipelineStepsTable;
  pipeline_cache: PipelineCacheTable;
}
