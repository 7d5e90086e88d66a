/** The main server's read-only deployments routes (/api/v1/deployments…): split, versions, timeline, live stats. */

import type {
  DeploymentDetail,
  DeploymentList,
  DeploymentLiveView,
  DeploymentView,
  LiveSummary,
} from "../../../src/server/native/deployment-types.js";
import type { ResolvedVariant } from "../../../src/serving/deployment-types.js";
import { encodePath, request } from "./client.js";

const D = "/api/v1/deployments";

export type { ResolvedVariant } from "../../../src/serving/deployment-types.js";
export type { LivePoint, VariantLive } from "../../../src/serving/live/live-types.js";
export type { TimelineEvent } from "../../../src/serving/timeline-types.js";
export type { DeploymentDetail, DeploymentView, LiveSummary };
/** Live figures as the routes answer them: the data planes' figures plus whether any is configured. */
export type DeploymentLive = DeploymentLiveView;

export async function listDeployments(signal?: AbortSignal): Promise<DeploymentList> {
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
export interface ServingUse extends Pick<ResolvedVariant, "variant" | "weight"> {
  deployment: string;
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
