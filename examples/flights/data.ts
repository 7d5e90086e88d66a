/**
 * The raw data of the project and what it must satisfy before anything is built on it: the 3 million US
 * flights of January–June 2001 from the `vega-datasets` package. Register it with
 * `gyre data register flights ../../node_modules/vega-datasets/data/flights-3m.parquet` or let `gyre demo` do
 * it (with these expectations).
 */
import { fileURLToPath } from "node:url";
import type { Expectations } from "../../src/data/index.js";

export const FLIGHTS_FILE = fileURLToPath(
  new URL("../../node_modules/vega-datasets/data/flights-3m.parquet", import.meta.url),
);

export const flightsExpectations: Expectations = {
  minRows: 100_000,
  allowExtraColumns: false,
  columns: {
    date: { type: "timestamp", nullable: false },
    delay: { type: "integer", nullable: false, min: -1440, max: 2880 },
    distance: { type: "integer", nullable: false, min: 1, max: 6000 },
    origin: { type: "string", nullable: false, pattern: "[A-Z0-9]{3}" },
    destination: { type: "string", nullable: false, pattern: "[A-Z0-9]{3}" },
  },
};

export const flightsDataset = { name: "flights", file: FLIGHTS_FILE, expectations: flightsExpectations };
