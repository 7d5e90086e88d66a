/**
 * One error type for all of gyre. Every code belongs to exactly one category, and the category alone
 * decides the HTTP status, the CLI exit code and the MLflow `error_code` used on compatible routes.
 */

/** The ~10 categories every error code falls into (gRPC-style, as in tRPC's single status table). */
export type ErrorCategory =
  | "not_found"
  | "already_exists"
  | "invalid_argument"
  | "failed_precondition"
  | "unauthenticated"
  | "permission_denied"
  | "resource_exhausted"
  | "unavailable"
  | "deadline"
  | "internal";

/** The closed list of error codes, per component. Add a code here before throwing it. */
export const ERROR_CODES = {
  CONFIG_INVALID: "invalid_argument",
  CONFIG_UNKNOWN_SCHEME: "invalid_argument",
  REQUEST_INVALID: "invalid_argument",
  REQUEST_TOO_LARGE: "resource_exhausted",
  ENDPOINT_NOT_FOUND: "not_found",
  SERVER_STREAMS_FULL: "unavailable",
  TRACKING_EXPERIMENT_NOT_FOUND: "not_found",
  TRACKING_EXPERIMENT_EXISTS: "already_exists",
  TRACKING_EXPERIMENT_DELETED: "failed_precondition",
  TRACKING_RUN_NOT_FOUND: "not_found",
  TRACKING_RUN_DELETED: "failed_precondition",
  TRACKING_TAG_NOT_FOUND: "not_found",
  TRACKING_PARAM_CHANGED: "invalid_argument",
  TRACKING_INVALID_VALUE: "invalid_argument",
  TRACKING_BATCH_TOO_LARGE: "invalid_argument",
  TRACKING_SEARCH_SYNTAX: "invalid_argument",
  TRACKING_PAGE_TOKEN: "invalid_argument",
  ARTIFACT_NOT_FOUND: "not_found",
  ARTIFACT_PATH_INVALID: "invalid_argument",
  TRAINING_SPEC_INVALID: "invalid_argument",
  TRAINING_DATA_INVALID: "invalid_argument",
  TRAINING_BACKEND_UNAVAILABLE: "failed_precondition",
  TRAINING_DIVERGED: "failed_precondition",
  REGISTRY_MODEL_NOT_FOUND: "not_found",
  REGISTRY_MODEL_EXISTS: "already_exists",
  REGISTRY_VERSION_NOT_FOUND: "not_found",
  REGISTRY_ALIAS_NOT_FOUND: "not_found",
  REGISTRY_RUN_NOT_FOUND: "not_found",
  REGISTRY_INVALID_NAME: "invalid_argument",
  REGISTRY_INVALID_ALIAS: "invalid_argument",
  REGISTRY_INVALID_VALUE: "invalid_argument",
  REGISTRY_SEARCH_SYNTAX: "invalid_argument",
  REGISTRY_PAGE_TOKEN: "invalid_argument",
  REGISTRY_VERSION_IN_USE: "failed_precondition",
  REGISTRY_VERSION_NOT_READY: "failed_precondition",
  REGISTRY_VALIDATION_FAILED: "failed_precondition",
  REGISTRY_PACKAGE_INVALID: "invalid_argument",
  REGISTRY_SIGNATURE_MISMATCH: "invalid_argument",
  REGISTRY_MODEL_INVALID: "invalid_argument",
  PIPELINE_INVALID: "invalid_argument",
  PIPELINE_CYCLE: "invalid_argument",
  PIPELINE_INPUT_MISSING: "invalid_argument",
  PIPELINE_TYPE_MISMATCH: "invalid_argument",
  PIPELINE_PARAM_INVALID: "invalid_argument",
  PIPELINE_NOT_FOUND: "not_found",
  PIPELINE_RUN_NOT_FOUND: "not_found",
  PIPELINE_RUN_ACTIVE: "failed_precondition",
  PIPELINE_RUN_FAILED: "failed_precondition",
  PIPELINE_STEP_FATAL: "failed_precondition",
  PIPELINE_OUTPUT_MISSING: "failed_precondition",
  PIPELINE_CANCELLED: "failed_precondition",
  PIPELINE_STEP_TIMEOUT: "deadline",
  PIPELINE_WORKER_DIED: "unavailable",
  PIPELINE_SCHEDULE_INVALID: "invalid_argument",
  PIPELINE_SCHEDULE_NOT_FOUND: "not_found",
  PIPELINE_SCHEDULE_EXISTS: "already_exists",
  PIPELINE_TRIGGER_INVALID: "invalid_argument",
  PIPELINE_TRIGGER_NOT_FOUND: "not_found",
  PIPELINE_TRIGGER_EXISTS: "already_exists",
  DATA_INVALID: "invalid_argument",
  DATA_VALIDATION_FAILED: "failed_precondition",
  DATA_DATASET_NOT_FOUND: "not_found",
  FEATURES_DEFINITION_INVALID: "invalid_argument",
  FEATURES_ENTITY_KEY_INVALID: "invalid_argument",
  FEATURES_ENTITY_ROWS_INVALID: "invalid_argument",
  FEATURES_VIEW_NOT_FOUND: "not_found",
  FEATURES_FEATURE_NOT_FOUND: "not_found",
  FEATURES_SERVICE_NOT_FOUND: "not_found",
  FEATURES_TRAINING_SET_NOT_FOUND: "not_found",
  FEATURES_REGISTRY_CONFLICT: "failed_precondition",
  FEATURES_QUERY_FAILED: "failed_precondition",
  MONITOR_INVALID: "invalid_argument",
  MONITOR_INVALID_WINDOW: "invalid_argument",
  MONITOR_INVALID_DEPLOYMENT: "invalid_argument",
  MONITOR_NOT_FOUND: "not_found",
  MONITOR_REFERENCE_UNAVAILABLE: "failed_precondition",
  MONITOR_FEEDBACK_INVALID: "invalid_argument",
  SERVING_DEPLOYMENT_NOT_FOUND: "not_found",
  SERVING_DEPLOYMENT_EXISTS: "already_exists",
  SERVING_DEPLOYMENT_INVALID: "invalid_argument",
  SERVING_DEPLOYMENT_DECLARED: "failed_precondition",
  SERVING_VERSION_NOT_SERVED: "not_found",
  SERVING_MODEL_NOT_READY: "unavailable",
  SERVING_MODEL_LOAD_FAILED: "failed_precondition",
  SERVING_INPUT_FORMAT: "invalid_argument",
  SERVING_INPUT_MISSING: "invalid_argument",
  SERVING_INPUT_UNKNOWN: "invalid_argument",
  SERVING_INPUT_SHAPE: "invalid_argument",
  SERVING_INPUT_DTYPE: "invalid_argument",
  SERVING_INPUT_CATEGORY: "invalid_argument",
  SERVING_OUTPUT_UNKNOWN: "invalid_argument",
  SERVING_UNSUPPORTED_MEDIA_TYPE: "invalid_argument",
  SERVING_FEATURES_UNAVAILABLE: "unavailable",
  SERVING_SHUTTING_DOWN: "unavailable",
  SERVING_UNREACHABLE: "unavailable",
  STORE_UNAVAILABLE: "unavailable",
  INTERNAL: "internal",
} as const satisfies Record<string, ErrorCategory>;

export type ErrorCode = keyof typeof ERROR_CODES;

interface CategoryInfo {
  http: number;
  exit: number;
  mlflow: string;
  retryable: boolean;
}

/** Category → HTTP status, CLI exit code, MLflow error_code (MLflow's own ERROR_CODE_TO_HTTP_STATUS). */
export const CATEGORIES: Record<ErrorCategory, CategoryInfo> = {
  not_found: { http: 404, exit: 4, mlflow: "RESOURCE_DOES_NOT_EXIST", retryable: false },
  already_exists: { http: 400, exit: 5, mlflow: "RESOURCE_ALREADY_EXISTS", retryable: false },
  invalid_argument: { http: 400, exit: 2, mlflow: "INVALID_PARAMETER_VALUE", retryable: false },
  failed_precondition: { http: 400, exit: 6, mlflow: "INVALID_PARAMETER_VALUE", retryable: false },
  unauthenticated: { http: 401, exit: 7, mlflow: "UNAUTHENTICATED", retryable: false },
  permission_denied: { http: 403, exit: 7, mlflow: "PERMISSION_DENIED", retryable: false },
  resource_exhausted: { http: 413, exit: 8, mlflow: "RESOURCE_EXHAUSTED", retryable: false },
  unavailable: { http: 503, exit: 9, mlflow: "TEMPORARILY_UNAVAILABLE", retryable: true },
  deadline: { http: 504, exit: 9, mlflow: "DEADLINE_EXCEEDED", retryable: true },
  internal: { http: 500, exit: 1, mlflow: "INTERNAL_ERROR", retryable: false },
};

export interface GyreErrorOptions {
  /** The request field or argument at fault, e.g. `metrics[3].value`. */
  field?: string;
  /** Structured extra detail that is safe to show to users. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** The only error class gyre throws on purpose. `message` says what failed and what to do next. */
export class GyreError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: GyreErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "GyreError";
    this.code = code;
    this.field = options.field;
    this.details = options.details;
  }

  get category(): ErrorCategory {
    return ERROR_CODES[this.code];
  }

  get httpStatus(): number {
    return CATEGORIES[this.category].http;
  }

  get exitCode(): number {
    return CATEGORIES[this.category].exit;
  }

  get mlflowCode(): string {
    return this.code === "ENDPOINT_NOT_FOUND" ? "ENDPOINT_NOT_FOUND" : CATEGORIES[this.category].mlflow;
  }

  /** True when the same call may succeed later (pipeline retry policies key on this). */
  get retryable(): boolean {
    return CATEGORIES[this.category].retryable;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      category: this.category,
      message: this.message,
      field: this.field,
      details: this.details,
    };
  }
}

/** Narrowing helper that survives duplicated module instances (checks the shape, not the prototype). */
export function isGyreError(e: unknown): e is GyreError {
  return e instanceof GyreError || (e instanceof Error && e.name === "GyreError" && "code" in e);
}

/** Shorthand for an invalid-argument error that names the field and how to fix it. */
export function invalid(field: string, message: string, code: ErrorCode = "REQUEST_INVALID"): GyreError {
  return new GyreError(code, message, { field });
}
