/**
 * Feature-store data for the web UI's browser tests: the airport fixture's definitions plus a derived SQL
 * view with a 2-hour TTL, applied and materialized into the server's own stores (there is no HTTP route for
 * apply or materialize; the CLI and gyre.config.ts do it). `airport_stats` ends up fresh (long TTL), the
 * derived view expired (its newest event is older than its TTL).
 */
import type { FeatureDefinition, FeatureStore } from "../../src/features/index.js";
import { defineFeatureView } from "../../src/features/index.js";
import { airportDefinitions, HOUR, T0, writeAirports } from "../fixtures/airport-features.js";

export function uiFeatureDefinitions(): FeatureDefinition[] {
  return [
    ...airportDefinitions({ ttl: "10000w" }),
    defineFeatureView({
      name: "airport_peaks",
      entity: "airport",
      source: "airport_hourly",
      timestampField: "ts",
      ttl: "2h",
      sql: "SELECT *, avg_delay * flights AS delay_minutes FROM airport_hourly",
      features: { delay_minutes: "float", busiest_dest: "string" },
      description: "Total delay minutes per airport and hour",
      tags: { team: "ops" },
    }),
  ];
}

/** Writes airports.parquet into `dir` (the server's featuresDir), applies and materializes everything. */
export async function seedFeatures(fs: FeatureStore, dir: string): Promise<void> {
  await writeAirports(dir);
  await fs.apply();
  await fs.materialize({ start: T0, end: T0 + 10 * HOUR });
}
