import { Cron } from "croner";
import { GyreError } from "../core/errors.js";
import { checkName } from "./dsl.js";
import type { JsonValue } from "./types.js";

/** What a scheduler does with firings it missed while no scheduler ran: skip them, run the latest, or run them all (bounded). */
export type CatchUp = "none" | "latest" | "all";

/** A cron schedule of a pipeline. Times are ms since the epoch; the cron is read in `timezone` (IANA). */
export interface Schedule {
  name: string;
  pipeline: string;
  cron: string;
  timezone: string;
  params: Record<string, JsonValue>;
  catchup: CatchUp;
  /** With catchup "all": at most this many missed firings, the most recent. */
  maxCatchup: number;
  /** A firing is skipped while this many runs of the schedule are still RUNNING. */
  maxConcurrent: number;
  enabled: boolean;
  /** The next firing time, null when the cron never fires again. */
  nextFire: number | null;
  lastFire: number | null;
  createdTime: number;
  updatedTime: number;
}

/** A new schedule; everything but name, pipeline and cron has a default (UTC, catch-up "latest", 1 run at a time). */
export interface NewSchedule {
  name: string;
  pipeline: string;
  cron: string;
  timezone?: string;
  params?: Record<string, JsonValue>;
  catchup?: CatchUp;
  maxCatchup?: number;
  maxConcurrent?: number;
  enabled?: boolean;
}

/** Persistence of schedules. `advance` is the lock: a compare-and-set on the next firing time. */
export interface ScheduleStore {
  /** Throws PIPELINE_SCHEDULE_EXISTS when the name is taken. */
  insertSchedule(s: Schedule): Promise<void>;
  getSchedule(name: string): Promise<Schedule | null>;
  listSchedules(): Promise<Schedule[]>;
  updateSchedule(
    name: string,
    patch: Partial<Pick<Schedule, "enabled" | "nextFire" | "lastFire">>,
  ): Promise<void>;
  /** False when there was no such schedule. */
  deleteSchedule(name: string): Promise<boolean>;
  /**
   * Moves the schedule from `expectedNext` to `nextFire` (recording `lastFire`) only if no other scheduler
   * did so first; true for exactly one caller per firing window.
   */
  advance(name: string, expectedNext: number, nextFire: number | null, lastFire: number): Promise<boolean>;
  /** Runs of the schedule that are RUNNING. */
  activeRuns(name: string): Promise<number>;
}

/** The cron of a schedule, validated. Throws PIPELINE_SCHEDULE_INVALID naming the bad cron or time zone. */
export function cronOf(expr: string, timezone: string): Cron {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
  } catch {
    throw new GyreError(
      "PIPELINE_SCHEDULE_INVALID",
      `Unknown time zone '${timezone}': use an IANA name such as Europe/Berlin or UTC`,
      { field: "timezone" },
    );
  }
  try {
    return new Cron(expr, { timezone, paused: true });
  } catch (e) {
    throw new GyreError("PIPELINE_SCHEDULE_INVALID", `Invalid cron '${expr}': ${(e as Error).message}`, {
      field: "cron",
    });
  }
}

/** The first firing strictly after `after` (ms), or null. */
export function nextAfter(cron: Cron, after: number): number | null {
  return cron.nextRun(new Date(after))?.getTime() ?? null;
}

/** A complete schedule from `s`, validated; its first firing is the first cron time after `now`. */
export function newSchedule(s: NewSchedule, now: number): Schedule {
  checkName(s.name, "schedule name");
  const timezone = s.timezone ?? "UTC";
  const cron = cronOf(s.cron, timezone);
  const catchup = s.catchup ?? "latest";
  if (!["none", "latest", "all"].includes(catchup)) {
    throw new GyreError(
      "PIPELINE_SCHEDULE_INVALID",
      `Invalid catch-up policy '${catchup}': use none, latest or all`,
      { field: "catchup" },
    );
  }
  const enabled = s.enabled ?? true;
  return {
    name: s.name,
    pipeline: s.pipeline,
    cron: s.cron,
    timezone,
    params: s.params ?? {},
    catchup,
    maxCatchup: Math.max(1, s.maxCatchup ?? 10),
    maxConcurrent: Math.max(1, s.maxConcurrent ?? 1),
    enabled,
    nextFire: nextAfter(cron, now),
    lastFire: null,
    createdTime: now,
    updatedTime: now,
  };
}

/**
 * The firings of a window: every cron time from `s.nextFire` up to `now`, reduced by the catch-up policy.
 * Firings older than `graceMs` count as missed ("none" skips them). Also returns the next firing after `now`.
 */
export function dueFirings(
  s: Schedule,
  cron: Cron,
  now: number,
  graceMs: number,
): { fire: number[]; next: number | null } {
  const due: number[] = [];
  let t = s.nextFire;
  while (t !== null && t <= now) {
    due.push(t);
    if (due.length > s.maxCatchup) due.shift();
    t = nextAfter(cron, t);
  }
  const last = due.at(-1);
  if (last === undefined) return { fire: [], next: t };
  if (s.catchup === "all") return { fire: due, next: t };
  if (s.catchup === "latest" || now - last <= graceMs) return { fire: [last], next: t };
  return { fire: [], next: t };
}
