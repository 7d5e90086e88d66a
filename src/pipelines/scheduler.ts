import { GyreError } from "../core/errors.js";
import { runParams } from "./params.js";
import {
  cronOf,
  dueFirings,
  type NewSchedule,
  newSchedule,
  nextAfter,
  type Schedule,
  type ScheduleStore,
} from "./schedules.js";
import type { PipelineService, RunHandle } from "./service.js";
import type { PipelineTriggers, TriggerPollOptions } from "./trigger-runner.js";

/** Scheduler settings; times in ms. */
export interface SchedulerOptions {
  /** A firing later than this is "missed" (catch-up policy applies). Default 60 s. */
  graceMs?: number;
  /** How often `start()` ticks. Default 1 s. */
  tickMs?: number;
  /** Called when a schedule cannot fire (e.g. its pipeline is not registered); default: ignore. */
  onError?: (error: unknown, schedule: string) => void;
  /** Poll intervals of dataset and git triggers. */
  triggers?: TriggerPollOptions;
}

/** A firing that started a run, or was skipped because the schedule's runs were at their limit. */
export interface Firing {
  schedule: string;
  time: number;
  run: RunHandle | null;
}

function notFound(name: string): GyreError {
  return new GyreError(
    "PIPELINE_SCHEDULE_NOT_FOUND",
    `Schedule '${name}' not found — list them with \`gyre pipeline schedule list\``,
    { field: "name" },
  );
}

/**
 * Cron schedules of pipelines. Any number of schedulers may tick over the same database: each firing
 * window is claimed with a compare-and-set on the schedule row, so exactly one of them starts the run.
 */
export class PipelineScheduler {
  #timer: NodeJS.Timeout | null = null;
  #ticking = false;

  constructor(
    readonly service: PipelineService,
    readonly store: ScheduleStore,
    readonly options: SchedulerOptions = {},
    /** Dataset and git triggers, polled on every tick when given. */
    readonly triggers: PipelineTriggers | null = null,
  ) {}

  /** Adds a schedule for a registered pipeline. Throws PIPELINE_NOT_FOUND, _SCHEDULE_INVALID, _SCHEDULE_EXISTS, _PARAM_INVALID. */
  async add(s: NewSchedule, now = Date.now()): Promise<Schedule> {
    const plan = this.service.plan(s.pipeline);
    const schedule = newSchedule(s, now);
    schedule.params = runParams(plan.params, schedule.params, plan.name);
    await this.store.insertSchedule(schedule);
    return schedule;
  }

  list(): Promise<Schedule[]> {
    return this.store.listSchedules();
  }

  /** Throws PIPELINE_SCHEDULE_NOT_FOUND. */
  async remove(name: string): Promise<void> {
    if (!(await this.store.deleteSchedule(name))) throw notFound(name);
  }

  /** Pauses or resumes a schedule. Re-enabling starts from the next cron time after `now`: nothing missed while disabled fires. */
  async setEnabled(name: string, enabled: boolean, now = Date.now()): Promise<Schedule> {
    const s = await this.store.getSchedule(name);
    if (!s) throw notFound(name);
    const nextFire = enabled ? nextAfter(cronOf(s.cron, s.timezone), now) : s.nextFire;
    await this.store.updateSchedule(name, { enabled, nextFire });
    return { ...s, enabled, nextFire };
  }

  /** Fires every enabled schedule that is due at `now` (a controllable clock for tests); returns the firings. */
  async tick(now = Date.now()): Promise<Firing[]> {
    const firings: Firing[] = [];
    for (const s of await this.store.listSchedules()) {
      if (!s.enabled || s.nextFire === null || s.nextFire > now) continue;
      try {
        firings.push(...(await this.#fire(s, now)));
      } catch (e) {
        this.options.onError?.(e, s.name);
      }
    }
    return firings;
  }

  async #fire(s: Schedule, now: number): Promise<Firing[]> {
    const { fire, next } = dueFirings(s, cronOf(s.cron, s.timezone), now, this.options.graceMs ?? 60_000);
    if (!(await this.store.advance(s.name, s.nextFire!, next, fire.at(-1) ?? s.nextFire!))) return [];
    const out: Firing[] = [];
    for (const time of fire) {
      if ((await this.store.activeRuns(s.name)) >= s.maxConcurrent) {
        out.push({ schedule: s.name, time, run: null });
        continue;
      }
      const runName = `${s.name}@${new Date(time).toISOString()}`;
      const run = await this.service.start(s.pipeline, { params: s.params, schedule: s.name, runName });
      out.push({ schedule: s.name, time, run });
    }
    return out;
  }

  /** Resumes runs orphaned by a dead orchestrator, then fires schedules and polls triggers every `tickMs` until `stop()`. */
  async start(): Promise<void> {
    await this.service.resumeOrphans();
    this.#timer = setInterval(() => {
      if (this.#ticking) return;
      this.#ticking = true;
      void Promise.all([
        this.tick(),
        this.triggers?.poll().catch((e) => this.options.onError?.(e, "triggers")),
      ]).finally(() => {
        this.#ticking = false;
      });
    }, this.options.tickMs ?? 1000);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
