import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** One flight as vega-datasets ships it: local date "2001/01/14 21:55", delay in minutes, distance in miles. */
export interface Flight {
  date: string;
  delay: number;
  distance: number;
  origin: string;
  destination: string;
}

/** Feature matrix (row-major) and 0/1 labels: delayed more than 15 minutes. */
export interface Encoded {
  x: Float64Array[];
  y: Uint8Array;
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

/**
 * One-hot and numeric features fitted on the training months only (no leakage of later vocabularies):
 * log distance (standardised), hour of day as sin/cos, day of week, and the busiest origins/destinations.
 */
export class FlightEncoder {
  readonly #origins: Map<string, number>;
  readonly #dests: Map<string, number>;
  readonly #mean: number;
  readonly #std: number;

  constructor(train: Flight[], topAirports = 20) {
    this.#origins = topK(
      train.map((f) => f.origin),
      topAirports,
    );
    this.#dests = topK(
      train.map((f) => f.destination),
      topAirports,
    );
    const logs = train.map((f) => Math.log1p(f.distance));
    this.#mean = logs.reduce((a, b) => a + b, 0) / logs.length;
    this.#std = Math.sqrt(logs.reduce((a, b) => a + (b - this.#mean) ** 2, 0) / logs.length) || 1;
  }

  /** Number of features including the bias term. */
  get width(): number {
    return 4 + 7 + this.#origins.size + this.#dests.size;
  }

  encode(flights: Flight[]): Encoded {
    const x = flights.map((f) => this.#row(f));
    const y = Uint8Array.from(flights, (f) => (f.delay > 15 ? 1 : 0));
    return { x, y };
  }

  #row(f: Flight): Float64Array {
    const row = new Float64Array(this.width);
    const [day, time] = f.date.split(" ") as [string, string];
    const [yy, mm, dd] = day.split("/").map(Number) as [number, number, number];
    const [hh, mi] = time.split(":").map(Number) as [number, number];
    const angle = (2 * Math.PI * (hh + mi / 60)) / 24;
    row[0] = 1;
    row[1] = (Math.log1p(f.distance) - this.#mean) / this.#std;
    row[2] = Math.sin(angle);
    row[3] = Math.cos(angle);
    row[4 + new Date(Date.UTC(yy, mm - 1, dd)).getUTCDay()] = 1;
    const o = this.#origins.get(f.origin);
    if (o !== undefined) row[11 + o] = 1;
    const d = this.#dests.get(f.destination);
    if (d !== undefined) row[11 + this.#origins.size + d] = 1;
    return row;
  }
}

function topK(values: string[], k: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const top = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, k);
  return new Map(top.map(([v], i) => [v, i]));
}
