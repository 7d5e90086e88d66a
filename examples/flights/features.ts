/**
 * The flights project's features: rolling delay rates and traffic per origin airport and per route, computed
 * by DuckDB from the registered `flights` dataset. A day's values become known at the end of that day
 * (event time = day + 1), so a flight only ever sees the days before its own — the point-in-time join makes
 * training sets leakage-free, and materializing up to "now" never exposes the future.
 */
import {
  defineEntity,
  defineFeatureService,
  defineFeatureView,
  defineSource,
} from "../../src/features/index.js";

export const airport = defineEntity({
  name: "airport",
  joinKeys: { origin: "string" },
  description: "An origin airport (IATA code)",
});

export const route = defineEntity({
  name: "route",
  joinKeys: { origin: "string", destination: "string" },
  description: "A route: origin and destination airports",
});

/**
 * Daily aggregates per origin and per route, computed from the raw `flights` dataset by the feature
 * pipeline's `aggregate` step (steps.ts) and registered as datasets of their own (versioned, with lineage).
 */
export const airportDaily = defineSource({
  name: "airport_daily",
  dataset: "airport_daily",
  description:
    "Per origin and day: flights n, summed delay delay_sum, delayed departures n_delayed (> 15 min)",
});

export const routeDaily = defineSource({
  name: "route_daily",
  dataset: "route_daily",
  description: "Per route and day: flights n, delayed departures n_delayed, mean distance",
});

const rolling = (partition: string, days: number) => `(PARTITION BY ${partition} ORDER BY day
  RANGE BETWEEN INTERVAL ${days - 1} DAYS PRECEDING AND CURRENT ROW)`;

export const airportDelays1d = defineFeatureView({
  name: "airport_delays_1d",
  entity: "airport",
  source: "airport_daily",
  timestampField: "event_timestamp",
  ttl: "2d",
  sql: `SELECT origin, day + INTERVAL 1 DAY AS event_timestamp,
          delay_sum / n AS avg_delay_1d, n_delayed / n AS share_delayed_1d, n AS flights_1d
        FROM airport_daily`,
  features: { avg_delay_1d: "float", share_delayed_1d: "float", flights_1d: "int" },
  description: "Yesterday's departures at the origin",
});

export const airportDelays7d = defineFeatureView({
  name: "airport_delays_7d",
  entity: "airport",
  source: "airport_daily",
  timestampField: "event_timestamp",
  ttl: "8d",
  sql: `SELECT origin, day + INTERVAL 1 DAY AS event_timestamp,
          sum(delay_sum) OVER w / sum(n) OVER w AS avg_delay_7d,
          sum(n_delayed) OVER w / sum(n) OVER w AS share_delayed_7d,
          sum(n) OVER w AS flights_7d
        FROM airport_daily WINDOW w AS ${rolling("origin", 7)}`,
  features: { avg_delay_7d: "float", share_delayed_7d: "float", flights_7d: "int" },
  description: "The last 7 days of departures at the origin",
});

export const routeDelays7d = defineFeatureView({
  name: "route_delays_7d",
  entity: "route",
  source: "route_daily",
  timestampField: "event_timestamp",
  ttl: "8d",
  sql: `SELECT origin, destination, day + INTERVAL 1 DAY AS event_timestamp,
          sum(n_delayed) OVER w / sum(n) OVER w AS route_share_delayed_7d,
          sum(n) OVER w AS route_flights_7d,
          avg(distance) OVER w AS route_distance
        FROM route_daily WINDOW w AS ${rolling("origin, destination", 7)}`,
  features: { route_share_delayed_7d: "float", route_flights_7d: "int", route_distance: "float" },
  description: "The last 7 days of flights on the route",
});

/** What the delay model reads from the online store. */
export const delayModel = defineFeatureService({
  name: "delay_model",
  features: ["airport_delays_1d", "airport_delays_7d", "route_delays_7d"],
  description: "Airport and route features of the delay classifier",
});

export const features = [
  airport,
  route,
  airportDaily,
  routeDaily,
  airportDelays1d,
  airportDelays7d,
  routeDelays7d,
  delayModel,
];
