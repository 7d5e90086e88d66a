/** A deployment's version timeline (types only, so the web UI can import them). */
import type { AliasHistory } from "../registry/types.js";

/** One entry of a deployment's version timeline: a change of the deployment itself or a move of an alias it follows. */
export interface TimelineEvent {
  /** ms since the epoch. */
  time: number;
  kind: "deployment" | "alias";
  /** create / update / delete for deployment changes; set / move / delete for alias moves. */
  action: "create" | "update" | "delete" | "set" | "move";
  /** What changed, in words: `canary started: flights@challenger at 10%`, `@champion v1 → v2`. */
  summary: string;
  model: string | null;
  alias: string | null;
  fromVersion: number | null;
  toVersion: number | null;
  /** Who moved the alias and why (alias moves only). */
  userId: string | null;
  reason: string | null;
}

/** A deployment's history: each followed alias's moves (for lanes) and every event, newest first. */
export interface DeploymentTimeline {
  /** Every alias the deployment follows now or followed in a recorded change, oldest event first. */
  aliases: AliasHistory[];
  events: TimelineEvent[];
}
