/** The main server's read-only deployments routes (/api/v1/deployments…): split, versions, timeline, live stats. */

import { encodePath, request } from "./client.js";
import type { AliasHistory } from "./types.js";

const D = "/api/v1/deployments";

/** What one variant (or the shadow) serves now. */
export interface ResolvedVariant {
  variant: string;
  ref: string;
  model: string;
  alias: string | null;
  /** Share of requests in percent (for the shadow: share mirrored). */
  weight: number;
  version: number | null;
  error: string | null;
}

export interface LiveSummary {
  reachable: boolean;
  requests: number;
  requestsPerSecond: number | null;
  p99Ms: number | null;
}

export interface DeploymentView {
  name: string;
  origin: "config" | "store";
  description: string | null;
  stickyKey: string | null;
  features: { service: string; entityKeys: string[] } | null;
  batching: { maxBatchSize: number; maxWaitMs: number };
  variants: ResolvedVariant[];
  spec: Record<string, unknown>;
  live?: LiveSummary;
}

export interface TimelineEvent {
  time: number;
  kind: "deployment" | "alias";
  action: "create" | "update" | "delete" | "set" | "move";
  summary: string;
  model: string | null;
  alias: string | null;
  fromVersion: number | null;
  toVersion: number | null;
  userId: string | null;
  reason: string | null;
}

export interface DeploymentDetail extends DeploymentView {
  timeline: { aliases: AliasHistory[]; events: TimelineEvent[] };
}

export interface VariantLive {
  variant: string;
  version: number;
  model: string | null;
  serving: boolean;
  requests: number;
  errors: number;
  requestsPerSecond: number | null;
  errorsPerSecond: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
}

export interface DeploymentLive {
  deployment: string;
  configured: boolean;
  sources: { url: string; reachable: boolean; error: string | null }[];
  time: number | null;
  windowMs: number | null;
  variants: VariantLive[];
  series: {
    variant: string;
    version: number;
    points: { time: number; requestsPerSecond: number; p50Ms: number | null; p99Ms: number | null }[];
  }[];
}

export async function listDeployments(
  signal?: AbortSignal,
): Promise<{ deployments: DeploymentView[]; servingUrls: string[] }> {
  return request(`${D}?live=true`, { signal });
}

export function getDeployment(name: string, signal?: AbortSignal): Promise<DeploymentDetail> {
  return request(`${D}/${encodePath(name)}`, { signal });
}

/** What a deployment's event stream delivers. */
export interface DeploymentStreamHandlers {
  onDeployment(d: DeploymentDetail): void;
  onLive(live: DeploymentLive): void;
  /** The deployment was deleted; the stream has ended. */
  onGone(message: string): void;
  /** The stream broke (server restarting or gone); EventSource reconnects by itself while `true`. */
  onConnection(open: boolean): void;
}

/**
 * Subscribes to a deployment's Server-Sent Events (its definition on every change, live figures every
 * 2 s); returns the function that closes the stream.
 */
export function watchDeployment(name: string, on: DeploymentStreamHandlers): () => void {
  const source = new EventSource(`${D}/${encodePath(name)}/events`);
  const data = <T>(ev: Event) => JSON.parse((ev as Event & { data: string }).data) as T;
  source.addEventListener("deployment", (ev) => on.onDeployment(data<DeploymentDetail>(ev)));
  source.addEventListener("live", (ev) => on.onLive(data<DeploymentLive>(ev)));
  source.addEventListener("gone", (ev) => {
    source.close();
    on.onGone(data<{ message: string }>(ev).message);
  });
  source.addEventListener("open", () => on.onConnection(true));
  source.addEventListener("error", () => on.onConnection(false));
  return () => source.close();
}

/** One deployment variant (or shadow) that serves a given model version now. */
export interface ServingUse {
  deployment: string;
  variant: string;
  weight: number;
}

/** The deployments whose variants resolve to `model` version `version` now. */
export async function deploymentsServing(
  model: string,
  version: number,
  signal?: AbortSignal,
): Promise<ServingUse[]> {
  const { deployments } = await request<{ deployments: DeploymentView[] }>(D, { signal });
  return deployments.flatMap((d) =>
    d.variants
      .filter((v) => v.model === model && v.version === version)
      .map((v) => ({ deployment: d.name, variant: v.variant, weight: v.weight })),
  );
}
