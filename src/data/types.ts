/** A column of a dataset as DuckDB reads it, with the MLflow colspec type it maps to. */
export interface ColumnSchema {
  name: string;
  /** DuckDB's type, e.g. BIGINT, DOUBLE, VARCHAR, TIMESTAMP. */
  type: string;
  /** MLflow's colspec type: long, double, string, datetime, boolean, binary. */
  mlflowType: string;
}

/** Summary statistics of one column (numbers for numeric and time columns, top values for text). */
export interface ColumnProfile {
  name: string;
  nulls: number;
  nullRate: number;
  distinct: number;
  min?: number | string;
  max?: number | string;
  mean?: number;
  std?: number;
  /** Most frequent values of a text column, most frequent first (at most 10). */
  top?: Array<{ value: string; count: number }>;
}

/** What a column must satisfy; every field is optional. */
export interface ColumnExpectation {
  type?: "number" | "integer" | "string" | "timestamp" | "boolean";
  nullable?: boolean;
  min?: number;
  max?: number;
  /** Allowed values of a text column. */
  values?: string[];
  /** A regular expression every non-null text value must match (DuckDB `regexp_full_match`). */
  pattern?: string;
}

/** Expectations of a dataset (the validation rules of a dataset, like a Great Expectations suite). */
export interface Expectations {
  minRows?: number;
  columns?: Record<string, ColumnExpectation>;
  /** Default true: columns without expectations are allowed. */
  allowExtraColumns?: boolean;
}

/** One failed expectation: which column and check, how many rows fail, and what to do. */
export interface ValidationIssue {
  column: string | null;
  check: "rows" | "missing-column" | "extra-column" | "type" | "nulls" | "min" | "max" | "values" | "pattern";
  message: string;
  /** Rows that fail the check (0 for schema-level checks). */
  failing: number;
}

export interface ValidationReport {
  valid: boolean;
  rows: number;
  issues: ValidationIssue[];
}

/** What DuckDB found in a data file: format, schema, statistics and the validation report. */
export interface Inspection {
  format: "parquet" | "csv" | "json";
  rows: number;
  schema: ColumnSchema[];
  profile: ColumnProfile[];
  validation: ValidationReport;
}

/** A registered version of a dataset. Times are ms since the epoch. */
export interface DatasetVersion {
  name: string;
  version: number;
  /** sha256 of the file's bytes (hex). */
  digest: string;
  format: Inspection["format"];
  rows: number;
  schema: ColumnSchema[];
  profile: ColumnProfile[];
  validation: ValidationReport;
  /** The tracking run that holds the stored copy (`data/<file>`) and the validation report. */
  runId: string;
  /** Artifact path of the stored copy inside the run. */
  artifactPath: string;
  /** Where the data came from (the registered file's path). */
  source: string;
  description: string;
  createdTime: number;
}
