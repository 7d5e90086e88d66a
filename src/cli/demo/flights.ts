import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ColumnSpec, Row } from "../../training/index.js";

/** One flight as vega-datasets ships it: local date "2001/01/14 21:55", delay in minutes, distance in miles. */
export interface Flight {
  date: string;
  delay: number;
  distance: number;
  origin: string;
  destination: string;
}

export interface FlightsFile {
  path: string;
  sha256: string;
  flights: Flight[];
}

/** Loads `data/flights-20k.json` (Jan–Mar 2001) from the installed vega-datasets package. */
export async function loadFlights(): Promise<FlightsFile> {
  // The package exports only its JS entry (build/index.js); the data files sit beside build/.
  const entry = fileURLToPath(import.meta.resolve("vega-datasets"));
  const path = join(dirname(entry), "..", "data", "flights-20k.json");
  const bytes = await readFile(path);
  return {
    path,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    flights: JSON.parse(bytes.toString("utf8")) as Flight[],
  };
}

/** Raw features of a flight as a client would send them to serving, plus the label (delayed > 15 min). */
export function flightRow(f: Flight): Row {
  return {
    distance: f.distance,
    hour: Number(f.date.slice(11, 13)),
    origin: f.origin,
    destination: f.destination,
    delayed: f.delay > 15 ? 1 : 0,
  };
}

/** The flights model's columns: distance and hour as numbers, the airports as categories. */
export const FLIGHT_SPEC: ColumnSpec = {
  features: [
    { name: "distance", type: "numeric" },
    { name: "hour", type: "numeric" },
    { name: "origin", type: "categorical", maxCategories: 40 },
    { name: "destination", type: "categorical", maxCategories: 40 },
  ],
  label: "delayed",
};
