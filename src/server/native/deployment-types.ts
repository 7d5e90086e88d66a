/** JSON shapes of the deployments routes (types only, so the web UI can import them). */
import type { Deployment, ResolvedVariant } from "../../serving/deployment-types.js";
import type { DeploymentLive } from "../../serving/live/live-types.js";
import type { DeploymentTimeline } from "../../serving/timeline-types.js";

/** A one-line live summary for the deployments list: total requests/s, worst p99 and reachability. */
export interface LiveSummary {
  reachable: boolean;
  requests: number;
  requestsPerSecond: number | null;
  p99Ms: number | null;
}

/** A deployment as the API shows it: its definition and the version each variant (and shadow) resolves to now. */
export interface DeploymentView
  extends Pick<Deployment, "name" | "origin" | "description" | "features" | "batching" | "spec"> {
  stickyKey: string | null;
  variants: ResolvedVariant[];
  /** Only in the list, with `live=true`. */
  live?: LiveSummary;
}

/** `GET /deployments`: every deployment, and the serving data planes live figures are read from. */
export interface DeploymentList {
  deployments: DeploymentView[];
  servingUrls: string[];
}

/** One deployment with its version timeline (`GET /deployments/:name`, the `deployment` stream event). */
export interface DeploymentDetail extends DeploymentView {
  timeline: DeploymentTimeline;
}

/** Live figures as the API answers them (`/live`, the `live` stream event). */
export type DeploymentLiveView = DeploymentLive & {
  /** Whether any serving data plane is configured to read figures from. */
  configured: boolean;
};
