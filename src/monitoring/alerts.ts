/**
 * Alert state per series (monitor, deployment, feature, metric): a breach opens an alert or adds an
 * occurrence to the open one (de-duplication); a clear evaluation resolves it. Actions run for new alerts
 * and again only once the cooldown has passed; a monitor's pipeline action runs at most once per cooldown,
 * however many series fire together.
 */
import { randomUUID } from "node:crypto";
import { redactUrl } from "./monitor-schema.js";
import type { AlertAction, Monitor } from "./monitors.js";
import type { ActionOutcome, AlertRecord, MonitoringStore } from "./store.js";
import { parseDuration } from "./windows.js";

/** One evaluated condition of a series. Series that could not be evaluated are simply not reported. */
export interface Finding {
  feature: string;
  metric: string;
  breached: boolean;
  value: number | null;
  threshold: number | null;
  message: string;
}

/** Starts a pipeline run for an alert; tags record the trigger in the run's lineage. */
export interface PipelineTrigger {
  start(
    pipeline: string,
    params: Record<string, unknown>,
    tags: Record<string, string>,
  ): Promise<{ runId: string }>;
}

export interface ActionContext {
  trigger?: PipelineTrigger;
  /**
   * Also hands every notified alert to whoever listens for alerts (the pipelines' alert triggers, so a
   * `gyre pipeline trigger add … --on alert:<deployment>` starts its pipeline); failures are recorded.
   */
  deliver?: (alerts: AlertRecord[], now: number) => Promise<ActionOutcome[]>;
  log?: (entry: Record<string, unknown>) => void;
  fetch?: typeof fetch;
}

/** What one evaluation did to the alerts. */
export interface AlertChanges {
  fired: AlertRecord[];
  ongoing: AlertRecord[];
  resolved: AlertRecord[];
}

const lastActionTime = (a: AlertRecord) => Math.max(a.firstTime, ...a.actions.map((x) => x.at));

/** Applies findings to the stored alerts and runs actions; returns what changed. */
export async function applyFindings(
  store: MonitoringStore,
  monitor: Monitor,
  findings: Finding[],
  now: number,
  ctx: ActionContext,
): Promise<AlertChanges> {
  const cooldown = parseDuration(monitor.alert.cooldown, "alert.cooldown");
  const changes: AlertChanges = { fired: [], ongoing: [], resolved: [] };
  const notify: AlertRecord[] = [];
  for (const f of findings) {
    const latest = await store.latestAlert(monitor.name, monitor.deployment, f.feature, f.metric);
    if (!f.breached) {
      if (latest?.state === "firing") {
        const resolved = { ...latest, state: "resolved" as const, resolvedTime: now, lastTime: now };
        await store.updateAlert(resolved);
        changes.resolved.push(resolved);
      }
      continue;
    }
    if (latest && (latest.state === "firing" || lastActionTime(latest) + cooldown > now)) {
      const open: AlertRecord = {
        ...latest,
        state: "firing",
        resolvedTime: null,
        occurrences: latest.occurrences + 1,
        lastTime: now,
        value: f.value,
        message: f.message,
      };
      await store.updateAlert(open);
      changes.ongoing.push(open);
      if (lastActionTime(latest) + cooldown <= now) notify.push(open);
      continue;
    }
    const alert: AlertRecord = {
      id: randomUUID(),
      monitor: monitor.name,
      deployment: monitor.deployment,
      feature: f.feature,
      metric: f.metric,
      severity: monitor.alert.severity,
      state: "firing",
      value: f.value,
      threshold: f.threshold,
      message: f.message,
      occurrences: 1,
      firstTime: now,
      lastTime: now,
      resolvedTime: null,
      actions: [],
    };
    await store.insertAlert(alert);
    changes.fired.push(alert);
    notify.push(alert);
  }
  if (notify.length > 0) await runActions(store, monitor, notify, now, cooldown, ctx);
  return changes;
}

async function runActions(
  store: MonitoringStore,
  monitor: Monitor,
  alerts: AlertRecord[],
  now: number,
  cooldown: number,
  ctx: ActionContext,
) {
  const outcomes: ActionOutcome[] = [];
  for (const action of monitor.alert.actions) {
    outcomes.push(await runAction(store, action, monitor, alerts, now, cooldown, ctx));
  }
  if (ctx.deliver) {
    outcomes.push(
      ...(await ctx
        .deliver(alerts, now)
        .catch((e: unknown) => [
          { type: "trigger", ok: false, at: now, detail: `alert triggers: ${(e as Error).message}` },
        ])),
    );
  }
  for (const a of alerts) {
    a.actions = [...a.actions, ...outcomes];
    await store.updateAlert(a);
  }
}

async function runAction(
  store: MonitoringStore,
  action: AlertAction,
  monitor: Monitor,
  alerts: AlertRecord[],
  now: number,
  cooldown: number,
  ctx: ActionContext,
): Promise<ActionOutcome> {
  const summary = alertText(monitor, alerts);
  try {
    if (action.type === "log") {
      (ctx.log ?? defaultLog)({
        msg: "monitoring alert",
        monitor: monitor.name,
        deployment: monitor.deployment,
        alerts: alerts.map(brief),
      });
      return { type: "log", ok: true, at: now, detail: summary };
    }
    if (action.type === "webhook") {
      const body =
        action.format === "slack"
          ? { text: summary }
          : { monitor: monitor.name, deployment: monitor.deployment, alerts };
      const res = await (ctx.fetch ?? fetch)(action.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...action.headers },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(5000),
      });
      return {
        type: "webhook",
        ok: res.ok,
        at: now,
        detail: `POST ${redactUrl(action.url)} → ${res.status}`,
      };
    }
    return await triggerPipeline(store, action, monitor, alerts, now, cooldown, ctx);
  } catch (e) {
    // fetch's messages can quote the URL: keep a webhook's secret path out of the stored outcome.
    const message = (e as Error).message;
    const detail =
      action.type === "webhook" ? message.replaceAll(action.url, redactUrl(action.url)) : message;
    return { type: action.type, ok: false, at: now, detail };
  }
}

async function triggerPipeline(
  store: MonitoringStore,
  action: AlertAction & { type: "pipeline" },
  monitor: Monitor,
  alerts: AlertRecord[],
  now: number,
  cooldown: number,
  ctx: ActionContext,
): Promise<ActionOutcome> {
  const recent = await store.listAlerts({ monitor: monitor.name, limit: 200 });
  const last = Math.max(
    0,
    ...recent.flatMap((a) =>
      a.actions.filter((x) => x.type === "pipeline" && x.runId !== undefined).map((x) => x.at),
    ),
  );
  if (last > 0 && last + cooldown > now) {
    return {
      type: "pipeline",
      ok: true,
      at: now,
      detail: `skipped: '${action.pipeline}' was triggered for this monitor ${Math.round((now - last) / 1000)} s ago (cooldown ${monitor.alert.cooldown})`,
    };
  }
  if (!ctx.trigger)
    return { type: "pipeline", ok: false, at: now, detail: "no pipeline service in this process" };
  const first = alerts[0]!;
  const params = {
    alert_id: first.id,
    deployment: monitor.deployment,
    monitor: monitor.name,
    features: alerts.map((a) => a.feature).join(","),
    ...action.params,
  };
  const tags = {
    "gyre.trigger": "monitoring.alert",
    "gyre.monitoring.alert_id": first.id,
    "gyre.monitoring.alert_ids": alerts.map((a) => a.id).join(","),
    "gyre.monitoring.deployment": monitor.deployment,
    "gyre.monitoring.monitor": monitor.name,
  };
  const { runId } = await ctx.trigger.start(action.pipeline, params, tags);
  return { type: "pipeline", ok: true, at: now, detail: `started '${action.pipeline}' run ${runId}`, runId };
}

function brief(a: AlertRecord) {
  return {
    id: a.id,
    feature: a.feature,
    metric: a.metric,
    value: a.value,
    threshold: a.threshold,
    severity: a.severity,
  };
}

function alertText(monitor: Monitor, alerts: AlertRecord[]): string {
  const lines = alerts.map((a) => `• ${a.feature} — ${a.message}`);
  return `[${monitor.alert.severity}] gyre monitor '${monitor.name}' on deployment '${monitor.deployment}': ${alerts.length} alert(s)\n${lines.join("\n")}`;
}

function defaultLog(entry: Record<string, unknown>): void {
  process.stderr.write(`${JSON.stringify({ level: "warn", time: Date.now(), ...entry })}\n`);
}
