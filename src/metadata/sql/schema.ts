/** Kysely table types of the metadata schema (one schema for SQLite and PostgreSQL). */

export interface ExperimentsTable {
  experiment_id: number;
  name: string;
  artifact_location: string;
  lifecycle_stage: string;
  creation_time: number;
  last_update_time: number;
}

export interface KeyValueTable {
  key: string;
  value: string;
}

export interface ExperimentTagsTable extends KeyValueTable {
  experiment_id: number;
}

export interface RunsTable {
  run_uuid: string;
  name: string;
  experiment_id: number;
  user_id: string;
  status: string;
  start_time: number;
  end_time: number | null;
  lifecycle_stage: string;
  artifact_uri: string;
  parent_run_id: string | null;
  deleted_time: number | null;
}

export interface RunKeyValueTable extends KeyValueTable {
  run_uuid: string;
}

/** NaN is stored as value 0 with is_nan 1, because SQLite turns NaN into NULL. */
export interface MetricsTable {
  run_uuid: string;
  key: string;
  value: number;
  is_nan: number;
  timestamp: number;
  step: number;
}

export interface DatasetsTable {
  dataset_uuid: string;
  experiment_id: number;
  name: string;
  digest: string;
  source_type: string;
  source: string;
  schema: string | null;
  profile: string | null;
}

export interface InputsTable {
  input_uuid: string;
  dataset_uuid: string;
  run_uuid: string;
}

export interface InputTagsTable extends KeyValueTable {
  input_uuid: string;
}

export interface ArtifactsTable {
  run_uuid: string;
  path: string;
  size: number;
  sha256: string;
  updated_time: number;
}

export interface Database {
  experiments: ExperimentsTable;
  experiment_tags: ExperimentTagsTable;
  runs: RunsTable;
  params: RunKeyValueTable;
  tags: RunKeyValueTable;
  metrics: MetricsTable;
  latest_metrics: MetricsTable;
  datasets: DatasetsTable;
  inputs: InputsTable;
  input_tags: InputTagsTable;
  artifacts: ArtifactsTable;
}
