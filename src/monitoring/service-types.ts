/** JSON shapes the monitoring service answers the API with (types only, so the web UI can import them). */
import type { Monitor } from "./monitor-schema.js";
import type { AlertRecord, MonitorState } from "./store.js";

/** A deployment monitoring knows: from the prediction log and/or a monitor. */
export interface DeploymentSummary {
  deployment: string;
  /** Whether the prediction log has a partition for it. */
  logged: boolean;
  monitors: string[];
  firing: number;
  /** When its newest stored result was evaluated, null before the first monitor run. */
  lastEvaluated: number | null;
}

/** Ground truth received for a deployment and how much of it matched a logged prediction (first 100 unmatched). */
export interface FeedbackStatus {
  total: number;
  matched: number;
  unmatched: { key: string; receivedTime: number }[];
}

/** A monitor, when it last ran, and its firing alerts. */
export interface MonitorStatus {
  monitor: Monitor;
  state: MonitorState | null;
  firing: AlertRecord[];
}
