import { openArtifactStore } from "../artifacts/index.js";
import { GyreError } from "../core/errors.js";
import { openMetadataStore, sqlDialectOf, TrackingService } from "../metadata/index.js";
import { PipelineScheduler, type SchedulerOptions } from "./scheduler.js";
import { PipelineService, type PipelineServiceOptions } from "./service.js";
import { PipelineTriggers, type TriggerPollOptions } from "./trigger-runner.js";

export type {
  CommandStepSpec,
  Condition,
  FunctionStepSpec,
  Handle,
  MapOptions,
  NodeOptions,
  ParamRef,
  Params,
  PipelineBuilder,
  PipelineDef,
  Ports,
  Ref,
  StepDef,
  StepOptions,
} from "./dsl.js";
export { definePipeline, defineStep, fatal, param } from "./dsl.js";
export type {
  Executor,
  StepContext,
  StepFunction,
  StepOutcome,
  StepReturn,
  StepTask,
} from "./executor.js";
export type { LocalExecutorOptions } from "./local/local-executor.js";
export { LocalExecutor } from "./local/local-executor.js";
export { runParams } from "./params.js";
export { compile } from "./plan.js";
export type { PipelineEvent } from "./run-context.js";
export type {
  PipelineRunSummary,
  PipelineServiceOptions,
  RunHandle,
  StartOptions,
} from "./service.js";
export { PipelineService } from "./service.js";
export type { CacheEntry, PipelineRunRecord, PipelineStore, RunOptions, StepRecord } from "./store.js";
export type * from "./types.js";
export { ARTIFACT_KINDS, PIPELINE_RUN_STATUSES, STEP_STATUSES } from "./types.js";
export type { RunWatch, WatchOptions } from "./watch.js";
export { watchRun } from "./watch.js";

/**
 * Pipelines over the same database as `tracking`'s metadata store (tables migrated on first use).
 * Throws CONFIG_INVALID when the metadata store is not SQL-backed. Closing the service leaves `tracking` open.
 */
export async function pipelinesFor(
  tracking: TrackingService,
  options: PipelineServiceOptions = {},
): Promise<PipelineService> {
  const dialect = sqlDialectOf(tracking.store);
  if (!dialect) {
    throw new GyreError(
      "CONFIG_INVALID",
      `Pipelines need a SQL metadata store (sqlite://, postgres://); got a '${tracking.store.kind}' store`,
      { field: "store" },
    );
  }
  const { SqlPipelineStore } = await import("./sql/sql-pipeline-store.js");
  return new PipelineService(tracking, await SqlPipelineStore.open(dialect), options);
}

/**
 * A pipeline service for store URIs (SQLite/PostgreSQL plus an artifact store), with its own tracking
 * service, closed with it. Steps see `store` as GYRE_TRACKING_URI unless `options.trackingUri` says otherwise.
 */
export async function openPipelines(
  uris: { store: string; artifacts: string },
  options: Omit<PipelineServiceOptions, "onClose"> = {},
): Promise<PipelineService> {
  const [store, artifacts] = await Promise.all([
    openMetadataStore(uris.store),
    openArtifactStore(uris.artifacts),
  ]);
  const tracking = new TrackingService(store, artifacts);
  try {
    return await pipelinesFor(tracking, {
      trackingUri: uris.store,
      ...options,
      onClose: () => tracking.close(),
    });
  } catch (e) {
    await tracking.close();
    throw e;
  }
}
export type {
  ClientStartOptions,
  PipelineClient,
  PipelineInfo,
  PipelineRunStatusView,
  PipelineRunView,
} from "./client.js";
export { HttpPipelineClient } from "./http/http-pipeline-client.js";
export { loadPipelines } from "./load.js";
export { LocalPipelineClient } from "./local-client.js";
export type { Firing, SchedulerOptions } from "./scheduler.js";
export type { CatchUp, NewSchedule, Schedule, ScheduleStore } from "./schedules.js";
export {
  type AlertmanagerWebhook,
  alertmanagerEvents,
  PipelineTriggers,
  type TriggerFiring,
  type TriggerPollOptions,
} from "./trigger-runner.js";
export {
  type NewTrigger,
  parseTriggerSpec,
  SEVERITIES,
  type Severity,
  type Trigger,
  type TriggerEvent,
  type TriggerEventRecord,
  type TriggerKind,
  type TriggerSpec,
} from "./triggers.js";
export { PipelineScheduler };

/** A scheduler over the pipeline service's database (schedules live in the pipeline tables). Throws CONFIG_INVALID for non-SQL stores. */
export async function schedulerFor(
  service: PipelineService,
  options: SchedulerOptions = {},
): Promise<PipelineScheduler> {
  const dialect = sqlDialectOf(service.tracking.store);
  if (!dialect) {
    throw new GyreError("CONFIG_INVALID", "Schedules need a SQL metadata store (sqlite://, postgres://)", {
      field: "store",
    });
  }
  const { SqlScheduleStore } = await import("./sql/sql-schedule-store.js");
  const triggers = await triggersFor(service, options.triggers);
  return new PipelineScheduler(service, new SqlScheduleStore(dialect), options, triggers);
}

/** The event triggers over the pipeline service's database. Throws CONFIG_INVALID for non-SQL stores. */
export async function triggersFor(
  service: PipelineService,
  options: TriggerPollOptions = {},
): Promise<PipelineTriggers> {
  const dialect = sqlDialectOf(service.tracking.store);
  if (!dialect) {
    throw new GyreError("CONFIG_INVALID", "Triggers need a SQL metadata store (sqlite://, postgres://)", {
      field: "store",
    });
  }
  const { SqlTriggerStore } = await import("./sql/sql-trigger-store.js");
  return new PipelineTriggers(service, new SqlTriggerStore(dialect), options);
}
