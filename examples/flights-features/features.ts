/**
 * Airport-level rolling delay features for the flight-delays scenario (vega-datasets, Jan–Jun 2001).
 * A day's features become known at the end of that day (event time = day + 1), so a flight only ever sees
 * the days before its own: the point-in-time join then makes the training set leakage-free.
 */
import {
  defineEntity,
  defineFeatureService,
  defineFeatureView,
  defineOnDemandFeatureView,
  defineSource,
} from "../../src/features/index.js";

export const airport = defineEntity({
  name: "airport",
  joinKeys: { origin: "string" },
  description: "An origin airport (IATA code)",
});

export const flights = defineSource({
  name: "flights",
  path: "../../node_modules/vega-datasets/data/flights-3m.parquet",
  description: "3 million US flights, Jan–Jun 2001: date, delay (min), distance, origin, destination",
});

/** Per origin and day: flights, summed delay and delayed departures (> 15 min), computed by DuckDB. */
export const airportDaily = defineSource({
  name: "airport_daily",
  query: `SELECT origin, date_trunc('day', date) AS day, count(*) AS n, sum(delay) AS delay_sum,
            count(*) FILTER (WHERE delay > 15) AS n_delayed
          FROM flights GROUP BY ALL`,
});

const rolling = (days: number) => `(PARTITION BY origin ORDER BY day
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
        FROM airport_daily WINDOW w AS ${rolling(7)}`,
  features: { avg_delay_7d: "float", share_delayed_7d: "float", flights_7d: "int" },
  description: "The last 7 days of departures at the origin",
});

/** Computed per request: the 1-day average delay, weighted up for evening departures (delays accumulate). */
export const departureRisk = defineOnDemandFeatureView({
  name: "departure_risk",
  inputs: ["airport_delays_1d:avg_delay_1d"],
  request: { dep_hour: "int" },
  features: { evening_delay_risk: "float" },
  compute: (row) => ({
    evening_delay_risk:
      row.avg_delay_1d === null ? null : Number(row.avg_delay_1d) * (Number(row.dep_hour) >= 17 ? 1.5 : 1),
  }),
});

export const delayModel = defineFeatureService({
  name: "delay_model",
  features: ["airport_delays_1d", "airport_delays_7d"],
  description: "What the delay classifier reads",
});

export const features = [
  airport,
  flights,
  airportDaily,
  airportDelays1d,
  airportDelays7d,
  departureRisk,
  delayModel,
];
