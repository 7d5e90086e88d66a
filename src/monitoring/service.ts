/**
 * Monitoring as a service: monitors from gyre.config.ts, evaluations (drift, data quality, performance) over
 * the prediction log, results stored as time series, alerts with actions, feedback ingestion, schedules and
 * Prometheus gauges. HTTP routes, the CLI and the server's scheduler all call this.
 */
import { GyreError } from "../core/errors.js";
import { type ActionContext, type AlertChanges, applyFindings } from "./alerts.js";
import { evaluateWindow, type PackageLookup, type ReferenceSpec, type WindowReport } from "./evaluate.js";
import { feedbackRecords, parseFeedbackItems } from "./feedback.js";
import {
  matchAgainstLog,
  type PerformanceSpec,
  type WindowPerformance,
  windowPerformance,
} from "./feedback-join.js";
import { driftFindings, metricPoints, performanceFindings } from "./findings.js";
import { checkDeployment, loggedDeployments, pruneLog } from "./log/layout.js";
import { PredictionLogReader } from "./log/reader.js";
import { type Monitor, toEpochMs } from "./monitors.js";
import type { DeploymentSummary, FeedbackStatus, MonitorStatus } from "./service-types.js";
import type { AlertFilter, AlertRecord, MetricPoint, MonitoringStore, ResultFilter } from "./store.js";
import { type CompareOptions, compareVariants, type VariantComparison } from "./variants.js";
import { parseDuration, type WindowBounds, type WindowSpec, windowBounds } from "./windows.js";

export type { DeploymentSummary, FeedbackStatus, MonitorStatus } from "./service-types.js";

export interface MonitoringServiceOptions {
  /** Directory holding `predictions/` (the file:// artifact store root). */
  logRoot: string;
  store: MonitoringStore;
  lookup: PackageLookup;
  monitors?: Monitor[];
  actions?: ActionContext;
  /** Clock, epoch ms (tests pin it). */
  now?: () => number;
}

/** The outcome of running one monitor once. */
export interface MonitorRun {
  monitor: string;
  deployment: string;
  evaluatedAt: number;
  report: WindowReport;
  performance: (WindowPerformance & { evaluation: Record<string, number> }) | null;
  alerts: AlertChanges;
  points: number;
}

/** Result of one feedback call: everything is stored; `unmatched` lists keys with no logged prediction yet. */
export interface FeedbackResult {
  accepted: number;
  matched: number;
  unmatched: string[];
}

/** Latest value per (deployment, feature, metric) and open alerts, for Prometheus. */
export interface GaugeSample {
  deployment: string;
  feature: string;
  metric: string;
  value: number;
}

export class MonitoringService {
  readonly #opts: MonitoringServiceOptions;
  readonly #monitors: Map<string, Monitor>;
  #reader: PredictionLogReader | null = null;
  #running: Promise<unknown> = Promise.resolve();
  #ticking = false;

  constructor(options: MonitoringServiceOptions) {
    this.#opts = options;
    this.#monitors = new Map((options.monitors ?? []).map((m) => [m.name, m]));
  }

  get store(): MonitoringStore {
    return this.#opts.store;
  }

  private now(): number {
    return this.#opts.now?.() ?? Date.now();
  }

  private async reader(): Promise<PredictionLogReader> {
    this.#reader ??= await PredictionLogReader.open(this.#opts.logRoot);
    return this.#reader;
  }

  /** Monitors defined in gyre.config.ts, by name. */
  monitors(): Monitor[] {
    return [...this.#monitors.values()];
  }

  /** The monitor `name`; throws MONITOR_NOT_FOUND listing the known ones. */
  monitor(name: string): Monitor {
    const m = this.#monitors.get(name);
    if (m) return m;
    const known = [...this.#monitors.keys()].join(", ") || "none";
    throw new GyreError(
      "MONITOR_NOT_FOUND",
      `Monitor '${name}' is not defined in gyre.config.ts (known: ${known})`,
      { field: "monitor" },
    );
  }

  /** Runs monitor `name` once: evaluate, store results, update alerts, run actions. Runs are serialised. */
  async run(name: string): Promise<MonitorRun> {
    const monitor = this.monitor(name);
    const next = this.#running.then(() => this.runNow(monitor));
    this.#running = next.catch(() => undefined);
    return next;
  }

  private async runNow(monitor: Monitor): Promise<MonitorRun> {
    const now = this.now();
    const reader = await this.reader();
    const report = await evaluateWindow(reader, this.#opts.lookup, {
      deployment: monitor.deployment,
      window: monitor.window,
      reference: referenceOf(monitor),
      ...(monitor.features ? { features: monitor.features } : {}),
      ...(monitor.metrics ? { metrics: monitor.metrics } : {}),
      minRows: monitor.minRows,
      now,
    });
    const performance = monitor.performance ? await this.performanceOf(monitor, report) : null;
    const findings = [
      ...driftFindings(monitor, report),
      ...(performance ? performanceFindings(monitor, performance, performance.evaluation) : []),
    ];
    const points = metricPoints(monitor, report, performance, now);
    await this.store.writeResults(points);
    const alerts = await applyFindings(this.store, monitor, findings, now, this.#opts.actions ?? {});
    const rows = await reader.count(monitor.deployment);
    await this.store.setMonitorState({
      monitor: monitor.name,
      lastRunTime: now,
      lastRows: rows,
      lastStatus: report.status,
    });
    return {
      monitor: monitor.name,
      deployment: monitor.deployment,
      evaluatedAt: now,
      report,
      performance,
      alerts,
      points: points.length,
    };
  }

  private async performanceOf(monitor: Monitor, report: WindowReport): Promise<MonitorRun["performance"]> {
    const reader = await this.reader();
    await this.rematch(monitor.deployment);
    const feedback = await this.store.listFeedback(monitor.deployment, { matched: true });
    const spec: PerformanceSpec = { ...monitor.performance };
    const perf = await windowPerformance(reader, monitor.deployment, report.window.bounds, feedback, spec);
    const pkg =
      report.reference.model && report.reference.version
        ? await this.#opts.lookup(report.reference.model, report.reference.version)
        : null;
    return { ...perf, evaluation: pkg?.metrics ?? {} };
  }

  /** Re-checks unmatched feedback against the log (predictions may be flushed after their labels arrive). */
  private async rematch(deployment: string): Promise<void> {
    const unmatched = await this.store.listFeedback(deployment, { matched: false });
    if (unmatched.length === 0) return;
    const found = await matchAgainstLog(await this.reader(), deployment, unmatched);
    await this.store.setMatched(deployment, [...found], true);
  }

  /** Evaluates an ad-hoc window without storing anything (CLI reports, API queries). */
  async evaluate(
    deployment: string,
    window: WindowSpec,
    reference: ReferenceSpec,
    features?: string[],
  ): Promise<WindowReport> {
    checkDeployment(deployment);
    return evaluateWindow(await this.reader(), this.#opts.lookup, {
      deployment,
      window,
      reference,
      ...(features ? { features } : {}),
      now: this.now(),
    });
  }

  /** Stores feedback (one transaction) and reports which items match a logged prediction. */
  async ingestFeedback(deployment: string, items: unknown[]): Promise<FeedbackResult> {
    checkDeployment(deployment);
    const records = feedbackRecords(deployment, parseFeedbackItems(items), this.now());
    const found = await matchAgainstLog(await this.reader(), deployment, records);
    for (const r of records) r.matched = found.has(r.matchKey);
    await this.store.upsertFeedback(records);
    return {
      accepted: records.length,
      matched: found.size,
      unmatched: records.filter((r) => !r.matched).map((r) => r.matchKey),
    };
  }

  /** Counts of stored feedback and the oldest unmatched items (re-checked against the log first). */
  async feedbackStatus(deployment: string): Promise<FeedbackStatus> {
    checkDeployment(deployment);
    await this.rematch(deployment);
    const all = await this.store.listFeedback(deployment);
    const unmatched = all.filter((f) => !f.matched);
    return {
      total: all.length,
      matched: all.length - unmatched.length,
      unmatched: unmatched.slice(0, 100).map((f) => ({ key: f.matchKey, receivedTime: f.receivedTime })),
    };
  }

  /** Performance of one window of a deployment against whatever labels have arrived. */
  async performance(
    deployment: string,
    window: WindowSpec,
    spec: PerformanceSpec = {},
  ): Promise<WindowPerformance> {
    checkDeployment(deployment);
    const reader = await this.reader();
    await this.rematch(deployment);
    const bounds = windowBounds(window, this.now(), await reader.count(deployment));
    return windowPerformance(
      reader,
      deployment,
      bounds,
      await this.store.listFeedback(deployment, { matched: true }),
      spec,
    );
  }

  /**
   * The deployment's variants (primary, canary/A/B, shadow) over one window: rows, latency, metrics against
   * the labels that have arrived, and each variant's main metric tested against the baseline's.
   */
  async compareVariants(
    deployment: string,
    window: WindowSpec,
    options: CompareOptions = {},
  ): Promise<VariantComparison & { window: WindowBounds }> {
    checkDeployment(deployment);
    const reader = await this.reader();
    await this.rematch(deployment);
    const bounds = windowBounds(window, this.now(), await reader.count(deployment));
    const feedback = await this.store.listFeedback(deployment, { matched: true });
    return { ...(await compareVariants(reader, deployment, bounds, feedback, options)), window: bounds };
  }

  /** Monitors due at `now`: never run, or every-N-minutes elapsed, or every-N-predictions reached. */
  async due(): Promise<Monitor[]> {
    const now = this.now();
    const out: Monitor[] = [];
    for (const m of this.#monitors.values()) {
      if (!m.schedule) continue;
      const state = await this.store.getMonitorState(m.name);
      if ("everyMinutes" in m.schedule) {
        if (!state || now - state.lastRunTime >= m.schedule.everyMinutes * 60_000) out.push(m);
      } else {
        const rows = await (await this.reader()).count(m.deployment);
        if (rows - (state?.lastRows ?? 0) >= m.schedule.everyPredictions) out.push(m);
      }
    }
    return out;
  }

  /**
   * Applies retention, then runs every due monitor; errors of one monitor do not stop the others. A tick
   * that starts while the previous one is still running does nothing (no monitor runs twice for one due time).
   */
  async tick(onError?: (monitor: string, e: unknown) => void): Promise<MonitorRun[]> {
    if (this.#ticking) return [];
    this.#ticking = true;
    try {
      return await this.tickNow(onError);
    } finally {
      this.#ticking = false;
    }
  }

  private async tickNow(onError?: (monitor: string, e: unknown) => void): Promise<MonitorRun[]> {
    const runs: MonitorRun[] = [];
    try {
      this.applyRetention();
    } catch (e) {
      onError?.("retention", e);
    }
    for (const m of await this.due()) {
      try {
        runs.push(await this.run(m.name));
      } catch (e) {
        onError?.(m.name, e);
      }
    }
    return runs;
  }

  /** Deletes hour partitions of `deployment`'s log older than `olderThan` (a duration such as 30d). */
  prune(deployment: string, olderThan: string): { deployment: string; before: number; removed: string[] } {
    const before = this.now() - parseDuration(olderThan, "olderThan");
    return { deployment, before, removed: pruneLog(this.#opts.logRoot, checkDeployment(deployment), before) };
  }

  /** Applies every monitor's `retention` to its deployment's log (the shortest one wins). */
  applyRetention(): { deployment: string; removed: string[] }[] {
    const shortest = new Map<string, number>();
    for (const m of this.#monitors.values()) {
      if (!m.retention) continue;
      const ms = parseDuration(m.retention, "retention");
      shortest.set(m.deployment, Math.min(ms, shortest.get(m.deployment) ?? Number.POSITIVE_INFINITY));
    }
    return [...shortest].map(([deployment, ms]) => ({
      deployment,
      removed: pruneLog(this.#opts.logRoot, deployment, this.now() - ms),
    }));
  }

  /** Each monitor with its schedule state and open alerts. */
  async status(): Promise<MonitorStatus[]> {
    return Promise.all(
      this.monitors().map(async (monitor) => ({
        monitor,
        state: await this.store.getMonitorState(monitor.name),
        firing: await this.store.listAlerts({ monitor: monitor.name, state: "firing" }),
      })),
    );
  }

  /** Deployments with a prediction log or a monitor, by name: monitors, firing alerts, last evaluation. */
  async deployments(): Promise<DeploymentSummary[]> {
    const logged = new Set(loggedDeployments(this.#opts.logRoot));
    const names = [...new Set([...logged, ...this.monitors().map((m) => m.deployment)])].sort();
    const firing = await this.store.listAlerts({ state: "firing", limit: 1000 });
    return Promise.all(
      names.map(async (deployment) => ({
        deployment,
        logged: logged.has(deployment),
        monitors: this.monitors()
          .filter((m) => m.deployment === deployment)
          .map((m) => m.name),
        firing: firing.filter((a) => a.deployment === deployment).length,
        lastEvaluated: (await this.store.queryResults({ deployment, limit: 1 }))[0]?.evaluatedTime ?? null,
      })),
    );
  }

  alerts(filter: AlertFilter = {}): Promise<AlertRecord[]> {
    return this.store.listAlerts(filter);
  }

  results(filter: ResultFilter): Promise<MetricPoint[]> {
    return this.store.queryResults(filter);
  }

  /**
   * Latest stored value per (deployment, feature, metric) — drift scores, quality shares, performance — for
   * Prometheus gauges. Read from the store, so every replica and a restarted server report the same.
   */
  async gauges(): Promise<GaugeSample[]> {
    const latest = new Map<string, GaugeSample>();
    for (const p of await this.store.queryResults({ limit: 5000 })) {
      const key = `${p.deployment}\u0000${p.feature}\u0000${p.metric}`;
      if (p.value === null || p.status !== "ok" || latest.has(key)) continue;
      latest.set(key, { deployment: p.deployment, feature: p.feature, metric: p.metric, value: p.value });
    }
    return [...latest.values()];
  }

  async close(): Promise<void> {
    await this.#running;
    this.#reader?.close();
    this.#reader = null;
  }
}

function referenceOf(m: Monitor): ReferenceSpec {
  const r = m.reference;
  if (r.type === "profile") return r;
  if ("first" in r) return r;
  return { type: "window", from: toEpochMs(r.from), to: toEpochMs(r.to) };
}
