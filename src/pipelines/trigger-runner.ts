import { GyreError } from "../core/errors.js";
import { gitHead } from "./git-head.js";
import type { PipelineService, RunHandle } from "./service.js";
import {
  alertMatches,
  firingParams,
  likePattern,
  type NewTrigger,
  newTrigger,
  type Trigger,
  type TriggerEvent,
  type TriggerEventRecord,
  type TriggerKind,
  type TriggerStore,
} from "./triggers.js";
import type { JsonValue } from "./types.js";

/** How often each kind of trigger is polled, ms (alerts are pushed, never polled). */
export interface TriggerPollOptions {
  /** Default 5 s: one indexed query per dataset trigger. */
  datasetMs?: number;
  /** Default 60 s: one `git ls-remote` per git trigger. */
  gitMs?: number;
}

/** A trigger that fired for an event: the run it started, or null when starting failed (see `error`). */
export interface TriggerFiring {
  trigger: string;
  event: string;
  run: RunHandle | null;
  error?: string;
}

function notFound(name: string): GyreError {
  return new GyreError(
    "PIPELINE_TRIGGER_NOT_FOUND",
    `Trigger '${name}' not found — list them with \`gyre pipeline trigger list\``,
    { field: "name" },
  );
}

function datasetEvent(d: { name: string; digest: string; sourceType: string; source: string }): TriggerEvent {
  return {
    key: `${d.name}@${d.digest}`,
    payload: {
      dataset_name: d.name,
      dataset_digest: d.digest,
      dataset_source_type: d.sourceType,
      dataset_source: d.source,
    },
  };
}

/**
 * Event triggers of pipelines: new dataset versions and git commits (polled) and alerts (pushed with
 * `fire`). Every (trigger, event) is claimed in the database before its run starts, so however many
 * schedulers poll and however often an alert is delivered, each event starts at most one run.
 */
export class PipelineTriggers {
  readonly #lastPoll = new Map<string, number>();

  constructor(
    readonly service: PipelineService,
    readonly store: TriggerStore,
    readonly options: TriggerPollOptions = {},
  ) {}

  /**
   * Adds a trigger for a registered pipeline. What exists now (current dataset versions, the branch's
   * current commit) is recorded as seen, so only later events fire. Throws PIPELINE_NOT_FOUND,
   * PIPELINE_TRIGGER_INVALID (also when git cannot read the branch), PIPELINE_TRIGGER_EXISTS.
   */
  async add(t: NewTrigger, now = Date.now()): Promise<Trigger> {
    this.service.plan(t.pipeline);
    const trigger = newTrigger(t, now);
    await this.store.insertTrigger(trigger, await this.#currentEvents(trigger));
    return trigger;
  }

  list(): Promise<Trigger[]> {
    return this.store.listTriggers();
  }

  /** Throws PIPELINE_TRIGGER_NOT_FOUND. */
  async remove(name: string): Promise<void> {
    if (!(await this.store.deleteTrigger(name))) throw notFound(name);
  }

  /** Throws PIPELINE_TRIGGER_NOT_FOUND. */
  async setEnabled(name: string, enabled: boolean): Promise<void> {
    if (!(await this.store.setTriggerEnabled(name, enabled))) throw notFound(name);
  }

  /** The events a trigger has seen, newest first. Throws PIPELINE_TRIGGER_NOT_FOUND. */
  async events(name: string, limit = 50): Promise<TriggerEventRecord[]> {
    if (!(await this.store.getTrigger(name))) throw notFound(name);
    return this.store.listEvents(name, limit);
  }

  /**
   * Delivers a pushed event (e.g. an alert) to every enabled trigger of `kind` that matches it; returns the
   * runs started. Delivering the same event key again starts nothing new.
   */
  async fire(kind: TriggerKind, event: TriggerEvent, now = Date.now()): Promise<TriggerFiring[]> {
    const out: TriggerFiring[] = [];
    for (const t of await this.store.listTriggers()) {
      if (!t.enabled || t.on.kind !== kind) continue;
      if (t.on.kind === "alert" && !alertMatches(t.on, event.payload)) continue;
      const firing = await this.#fireOne(t, event, now);
      if (firing) out.push(firing);
    }
    return out;
  }

  /** Polls the dataset and git triggers that are due at `now`; returns the runs started. */
  async poll(now = Date.now()): Promise<TriggerFiring[]> {
    const out: TriggerFiring[] = [];
    for (const t of await this.store.listTriggers()) {
      if (!t.enabled || t.on.kind === "alert") continue;
      const every = t.on.kind === "git" ? (this.options.gitMs ?? 60_000) : (this.options.datasetMs ?? 5_000);
      if (now - (this.#lastPoll.get(t.name) ?? Number.NEGATIVE_INFINITY) < every) continue;
      this.#lastPoll.set(t.name, now);
      for (const event of await this.#newEvents(t)) {
        const firing = await this.#fireOne(t, event, now);
        if (firing) out.push(firing);
      }
    }
    return out;
  }

  async #currentEvents(t: Trigger): Promise<TriggerEvent[]> {
    if (t.on.kind === "alert") return [];
    return this.#newEvents(t);
  }

  async #newEvents(t: Trigger): Promise<TriggerEvent[]> {
    if (t.on.kind === "dataset")
      return (await this.store.unseenDatasets(t.name, likePattern(t.on.dataset))).map(datasetEvent);
    if (t.on.kind !== "git") return [];
    const sha = await gitHead(t.on.repo, t.on.branch);
    return [{ key: sha, payload: { git_commit: sha, git_branch: t.on.branch, git_repo: t.on.repo } }];
  }

  async #fireOne(t: Trigger, event: TriggerEvent, now: number): Promise<TriggerFiring | null> {
    if (!(await this.store.claimEvent(t.name, event, now))) return null;
    try {
      const plan = this.service.plan(t.pipeline);
      const run = await this.service.start(t.pipeline, {
        params: firingParams(plan.params, t.params, event.payload),
        runName: `${t.name}@${event.key.slice(0, 40)}`,
        trigger: { name: t.name, kind: t.on.kind, event: event.key, payload: event.payload },
      });
      await this.store.setEventRun(t.name, event.key, run.runId);
      return { trigger: t.name, event: event.key, run };
    } catch (e) {
      await this.store.releaseEvent(t.name, event.key);
      return { trigger: t.name, event: event.key, run: null, error: (e as Error).message };
    }
  }
}

/** Alertmanager's webhook body (version 4), as Prometheus users' existing receivers send it. */
export interface AlertmanagerWebhook {
  alerts: {
    status: string;
    labels: Record<string, string>;
    annotations?: Record<string, string>;
    startsAt?: string;
    fingerprint?: string;
  }[];
}

/** The events of an Alertmanager webhook: firing alerts only, keyed by fingerprint and start (one per episode). */
export function alertmanagerEvents(body: AlertmanagerWebhook): TriggerEvent[] {
  return body.alerts
    .filter((a) => a.status === "firing")
    .map((a) => {
      const payload: Record<string, JsonValue> = { ...a.annotations, ...a.labels };
      if (a.labels.alertname) payload.alert = a.labels.alertname;
      const id = a.fingerprint ?? JSON.stringify(a.labels);
      return { key: `${id}@${a.startsAt ?? ""}`, payload };
    });
}
