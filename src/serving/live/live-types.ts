/** Live figures of deployments from the data planes (types only, so the web UI can import them). */

/** Live figures of one variant/version of a deployment. */
export interface VariantLive {
  variant: string;
  version: number;
  /** The registered model (known while the data plane serves this variant/version). */
  model: string | null;
  /** True while the data plane routes this variant to this version. */
  serving: boolean;
  /** Requests answered since the data planes started (every status). */
  requests: number;
  errors: number;
  /** Over the stats window; null until two scrapes exist. */
  requestsPerSecond: number | null;
  errorsPerSecond: number | null;
  /** Latency quantiles of successful requests over the window, ms, estimated from histogram buckets. */
  p50Ms: number | null;
  p99Ms: number | null;
}

/** One point of a variant's live series: the figures between two consecutive scrapes. */
export interface LivePoint {
  /** End of the interval, ms since the epoch. */
  time: number;
  requestsPerSecond: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

/** What the data planes report about one deployment now and over the retained scrapes. */
export interface DeploymentLive {
  deployment: string;
  /** Each configured data plane and whether its `/metrics` answered at the last scrape. */
  sources: { url: string; reachable: boolean; error: string | null }[];
  /** Time of the last scrape, ms since the epoch (null when no data plane is configured). */
  time: number | null;
  /** Length of the window `requestsPerSecond` and quantiles cover, ms (null until two scrapes exist). */
  windowMs: number | null;
  variants: VariantLive[];
  series: { variant: string; version: number; points: LivePoint[] }[];
}
