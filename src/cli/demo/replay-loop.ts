import { dataFor } from "../../data/index.js";
import type { FeatureStore } from "../../features/index.js";
import type { MonitorRun } from "../../monitoring/index.js";
import type { RunningServer } from "../../server/index.js";
import type { RunningServing } from "../../serving/index.js";
import { rocAuc } from "../../training/index.js";
import {
  DEMO_MODEL,
  type Progress,
  type TrainingSummary,
  timed,
  trainingOutcome,
  waitForRun,
} from "./pipeline-runs.js";
import type { FlightsProject } from "./project.js";
import { DAY_MS, loadReplay, type Outcome, sendFeedback, sendFlights } from "./replay.js";

export interface ReplayParts {
  server: RunningServer;
  serving: RunningServing;
  features: FeatureStore;
  project: FlightsProject;
  clock: { now: number };
  scale: { everyDays: number; perDay: number; canaryLabels: number };
}

export interface AlertSummary {
  id: string;
  day: string;
  feature: string;
  metric: string;
  value: number | null;
  threshold: number | null;
  severity: string;
  triggered: string | null;
}

export interface CanarySummary {
  version: number;
  percent: number;
  startDay: string;
  endDay: string | null;
  requests: number;
  logLoss: number | null;
  primaryLogLoss: number | null;
  rocAuc: number | null;
  primaryRocAuc: number | null;
  promoted: boolean;
  reason: string;
}

export interface ReplayResult {
  days: number;
  requests: number;
  answered: number;
  errors: Record<string, number>;
  feedback: number;
  byVersion: { version: number; requests: number; logLoss: number | null; rocAuc: number | null }[];
  monitorRuns: number;
  driftedFeatures: string[];
  alerts: AlertSummary[];
  /** Alerts that were already open when a monitor run found their condition again (de-duplicated, no new actions). */
  ongoingAlerts: number;
  retraining: TrainingSummary | null;
  /** Canaries in the order they ran: the initial training's challenger (on a continued workspace), the retraining's. */
  canaries: CanarySummary[];
}

const CANARY_PERCENT = 50;
/** Non-inferiority margin of the canary's live log loss against the primary's. */
const CANARY_MARGIN = 0.005;

const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);

interface LiveScore {
  /** Mean log loss of the answered predictions and its standard error. */
  logLoss: number;
  se: number;
  rocAuc: number | null;
  n: number;
}

/** How well answered predictions did against their truth: mean log loss (± standard error) and ROC AUC. */
function liveScore(outcomes: Outcome[]): LiveScore | null {
  const ok = outcomes.filter((o) => o.probability !== null);
  if (ok.length < 20) return null;
  const eps = 1e-7;
  const losses = ok.map((o) => {
    const p = Math.min(1 - eps, Math.max(eps, o.probability!));
    return o.flight.delayed === 1 ? -Math.log(p) : -Math.log(1 - p);
  });
  const mean = losses.reduce((a, b) => a + b, 0) / losses.length;
  const variance = losses.reduce((a, b) => a + (b - mean) ** 2, 0) / (losses.length - 1);
  const labels = ok.map((o) => o.flight.delayed);
  const both = labels.includes(0) && labels.includes(1);
  return {
    logLoss: mean,
    se: Math.sqrt(variance / losses.length),
    rocAuc: both
      ? rocAuc(
          labels,
          ok.map((o) => o.probability!),
        )
      : null,
    n: ok.length,
  };
}

/** The replay's state between days. */
class ReplayState {
  readonly outcomes: Outcome[] = [];
  readonly alerts: AlertSummary[] = [];
  readonly drifted = new Set<string>();
  /** Alerts found still firing (opened before this replay, or earlier in it), by id. */
  readonly ongoing = new Set<string>();
  monitorRuns = 0;
  feedback = 0;
  retrainRunId: string | null = null;
  retraining: TrainingSummary | null = null;
  readonly canaries: CanarySummary[] = [];

  constructor(private readonly say: Progress) {}

  /** The canary taking traffic now, if any. */
  get live(): CanarySummary | undefined {
    return this.canaries.find((c) => c.endDay === null);
  }

  recordMonitorRuns(runs: MonitorRun[], day: number): void {
    for (const run of runs) {
      this.monitorRuns++;
      for (const f of run.report.driftedFeatures) this.drifted.add(f);
      for (const a of run.alerts.ongoing) this.ongoing.add(a.id);
      for (const a of run.alerts.fired) {
        const pipeline = a.actions.find((x) => x.type === "pipeline" && x.ok && x.runId);
        if (pipeline?.runId && !this.retrainRunId) this.retrainRunId = pipeline.runId;
        this.say(
          `  ${isoDay(day)}  ALERT ${a.severity} ${a.feature} ${a.metric} ${a.value?.toFixed(3)} (threshold ${a.threshold})`,
        );
        this.alerts.push({
          id: a.id,
          day: isoDay(day),
          feature: a.feature,
          metric: a.metric,
          value: a.value,
          threshold: a.threshold,
          severity: a.severity,
          triggered: pipeline?.runId ?? null,
        });
      }
    }
  }
}

/** Runs a challenger the training pipeline registered as a canary (one canary at a time). */
async function startCanary(p: ReplayParts, st: ReplayState, t: TrainingSummary, day: number, say: Progress) {
  if (t.alias !== "challenger" || t.version === null || st.live) return;
  await p.serving.service.setTraffic(p.project.deployment.name, {
    canary: { model: `${DEMO_MODEL}@challenger`, percent: CANARY_PERCENT },
  });
  await p.serving.sync();
  st.canaries.push({
    version: t.version,
    percent: CANARY_PERCENT,
    startDay: isoDay(day),
    endDay: null,
    requests: 0,
    logLoss: null,
    primaryLogLoss: null,
    rocAuc: null,
    primaryRocAuc: null,
    promoted: false,
    reason: "",
  });
  say(`  ${isoDay(day)}  canary: ${CANARY_PERCENT} % of traffic → ${DEMO_MODEL} v${t.version} (challenger)`);
}

/** Decides the canary once enough of its predictions have ground truth: promote, or roll back. */
async function judgeCanary(p: ReplayParts, st: ReplayState, day: number, say: Progress): Promise<void> {
  const c = st.live!;
  const since = Date.parse(c.startDay);
  const live = st.outcomes.filter((o) => o.flight.ts >= since && o.version !== null);
  const mine = live.filter((o) => o.version === c.version);
  if (mine.length < p.scale.canaryLabels) return;
  const theirs = live.filter((o) => o.version !== c.version);
  const [canary, primary] = [liveScore(mine), liveScore(theirs)];
  c.requests = mine.length;
  c.logLoss = canary?.logLoss ?? null;
  c.primaryLogLoss = primary?.logLoss ?? null;
  c.rocAuc = canary?.rocAuc ?? null;
  c.primaryRocAuc = primary?.rocAuc ?? null;
  c.endDay = isoDay(day);
  // Non-inferiority: roll back only when the canary's log loss is worse than the primary's by more than the
  // margin plus 1.96 standard errors of the difference (a small canary sample is noisy).
  const allowed = canary && primary ? CANARY_MARGIN + 1.96 * Math.hypot(canary.se, primary.se) : 0;
  c.promoted = canary !== null && primary !== null && canary.logLoss <= primary.logLoss + allowed;
  const verdict = `live log loss ${c.logLoss?.toFixed(4)} vs primary ${c.primaryLogLoss?.toFixed(4)} (allowed +${allowed.toFixed(4)}; ROC AUC ${c.rocAuc?.toFixed(4)} vs ${c.primaryRocAuc?.toFixed(4)}) over ${mine.length} labelled canary predictions`;
  if (c.promoted) {
    c.reason = `canary promoted: ${verdict}`;
    await p.server.registry.setAlias(DEMO_MODEL, "champion", c.version, { reason: c.reason });
    await p.server.registry.deleteAlias(DEMO_MODEL, "challenger", { reason: "promoted to champion" });
  } else {
    c.reason = `canary rolled back: ${verdict}`;
  }
  await p.serving.service.setTraffic(p.project.deployment.name, { canary: null });
  await p.serving.sync();
  say(`  ${isoDay(day)}  ${c.reason}${c.promoted ? ` → champion is v${c.version}` : ""}`);
}

/** One simulated day: materialize up to midnight, serve the day's flights, send yesterday's truth, monitor. */
async function replayDay(
  p: ReplayParts,
  st: ReplayState,
  day: number,
  flights: Parameters<typeof sendFlights>[2],
  pending: Outcome[],
) {
  p.clock.now = day;
  await p.features.materialize({ incremental: true, end: day });
  p.clock.now = day + DAY_MS / 2;
  const outcomes = await sendFlights(p.serving.url, p.project.deployment.name, flights);
  st.outcomes.push(...outcomes);
  await p.serving.log?.flush();
  if (pending.length)
    await sendFeedback(p.server.url, p.project.deployment.name, pending).then((n) => {
      st.feedback += n;
    });
  const runs = (await p.server.monitoring?.tick()) ?? [];
  st.recordMonitorRuns(runs, day);
  return outcomes;
}

/**
 * Replays [from, to) day by day as production traffic (entity keys only; features from the online store),
 * with ground truth one day later; monitoring runs as predictions accumulate; an alert's retraining run is
 * awaited, its challenger runs as a canary and is promoted or rolled back on live ground truth. A challenger
 * the initial training registered (a continued workspace) is the first canary.
 */
export async function replay(
  p: ReplayParts,
  range: { from: string; to: string },
  stages: { name: string; seconds: number }[],
  say: Progress,
  challenger: TrainingSummary | null = null,
): Promise<ReplayResult> {
  const { path: file } = await (await dataFor(p.server.tracking)).localFile(p.project.dataset.name);
  const days = await loadReplay(file, { ...range, ...p.scale, tag: Date.now().toString(36) });
  const st = new ReplayState(say);
  const first = [...days.keys()][0];
  if (challenger && first !== undefined) await startCanary(p, st, challenger, first, say);
  let pending: Outcome[] = [];
  await timed(
    stages,
    `replay ${range.from} → ${range.to}: traffic, drift, retraining, canary`,
    say,
    async () => {
      let i = 0;
      for (const [day, flights] of days) {
        pending = await replayDay(p, st, day, flights, pending);
        if (st.retrainRunId && !st.retraining) {
          say(`  ${isoDay(day)}  alert → pipeline flights-train run ${st.retrainRunId}; replay waits for it`);
          st.retraining = await trainingOutcome(
            p.server,
            await waitForRun(p.server.pipelines, st.retrainRunId),
          );
          const t = st.retraining;
          say(
            `  ${isoDay(day)}  retrained: log loss ${t.candidateLogLoss?.toFixed(4)} vs ${t.against} ${t.championLogLoss?.toFixed(4)} on ${t.evalFrom} → ${t.until} (ROC AUC ${t.candidateRocAuc?.toFixed(4)} vs ${t.championRocAuc?.toFixed(4)}) → ${t.version ? `v${t.version} ${t.alias}` : "gate failed"}`,
          );
          await startCanary(p, st, st.retraining, day + DAY_MS, say);
        } else if (st.live) {
          await judgeCanary(p, st, day, say);
        }
        if (++i % Math.max(1, Math.round(days.size / 6)) === 0)
          say(
            `  ${isoDay(day)}  ${st.outcomes.length} requests, ${st.monitorRuns} monitor runs, ${st.alerts.length} alerts`,
          );
      }
      if (pending.length) st.feedback += await sendFeedback(p.server.url, p.project.deployment.name, pending);
    },
  );
  return summarise(st, days.size);
}

function summarise(st: ReplayState, days: number): ReplayResult {
  const errors: Record<string, number> = {};
  const versions = new Map<number, Outcome[]>();
  for (const o of st.outcomes) {
    if (o.error) errors[o.error] = (errors[o.error] ?? 0) + 1;
    if (o.version !== null) versions.set(o.version, [...(versions.get(o.version) ?? []), o]);
  }
  return {
    days,
    requests: st.outcomes.length,
    answered: st.outcomes.filter((o) => o.error === null).length,
    errors,
    feedback: st.feedback,
    byVersion: [...versions].map(([version, os]) => ({
      version,
      requests: os.length,
      logLoss: liveScore(os)?.logLoss ?? null,
      rocAuc: liveScore(os)?.rocAuc ?? null,
    })),
    monitorRuns: st.monitorRuns,
    driftedFeatures: [...st.drifted].sort(),
    alerts: st.alerts,
    ongoingAlerts: [...st.ongoing].filter((id) => !st.alerts.some((a) => a.id === id)).length,
    retraining: st.retraining,
    canaries: st.canaries,
  };
}
