import { DuckDBInstance } from "@duckdb/node-api";
import { literal } from "../../data/duck.js";
import { postFeedback } from "../commands/feedback.js";

/** One flight of the replay: what a client knows at departure, plus the truth that arrives later. */
export interface ReplayFlight {
  id: string;
  ts: number;
  origin: string;
  destination: string;
  depHour: number;
  delayed: number;
}

/** How one replayed request went: the version that answered and its probability, or the error code. */
export interface Outcome {
  flight: ReplayFlight;
  version: number | null;
  probability: number | null;
  error: string | null;
}

export const DAY_MS = 86_400_000;

/**
 * The replay's flights by day (UTC midnight → flights in time order): every `everyDays`-th day in [from, to),
 * up to `perDay` flights a day chosen by a hash (the same flights every run). Request ids start with `tag`
 * (unique per run), so ground truth of one run never labels another run's predictions.
 */
export async function loadReplay(
  file: string,
  o: { from: string; to: string; everyDays: number; perDay: number; tag: string },
): Promise<Map<number, ReplayFlight[]>> {
  const db = await (await DuckDBInstance.create(":memory:", { threads: "2" })).connect();
  try {
    const sql = `SELECT epoch_ms(date) AS ts, origin, destination, hour(date) AS dep_hour,
        CAST(delay > 15 AS INTEGER) AS delayed, epoch_ms(date_trunc('day', date)) AS day
      FROM read_parquet(${literal(file)})
      WHERE date >= TIMESTAMP ${literal(o.from)} AND date < TIMESTAMP ${literal(o.to)}
        AND (datediff('day', TIMESTAMP ${literal(o.from)}, date) % ${o.everyDays}) = 0
      QUALIFY row_number() OVER (PARTITION BY day ORDER BY hash(date, origin, destination, delay, distance)) <= ${o.perDay}
      ORDER BY date, origin, destination`;
    const rows = (await db.runAndReadAll(sql)).getRowObjectsJS();
    const byDay = new Map<number, ReplayFlight[]>();
    for (const [i, r] of rows.entries()) {
      const day = Number(r.day);
      const flight: ReplayFlight = {
        id: `${o.tag}-${i}-${r.origin}-${r.destination}`,
        ts: Number(r.ts),
        origin: String(r.origin),
        destination: String(r.destination),
        depHour: Number(r.dep_hour),
        delayed: Number(r.delayed),
      };
      const list = byDay.get(day) ?? [];
      list.push(flight);
      byDay.set(day, list);
    }
    return byDay;
  } finally {
    db.closeSync();
  }
}

/** The Open Inference Protocol request a client sends for one flight: entity keys and the hour only. */
function inferBody(f: ReplayFlight) {
  return {
    id: f.id,
    inputs: [
      { name: "origin", datatype: "BYTES", shape: [1], data: [f.origin] },
      { name: "destination", datatype: "BYTES", shape: [1], data: [f.destination] },
      { name: "dep_hour", datatype: "FP32", shape: [1], data: [f.depHour] },
    ],
  };
}

/** Sends flights to `POST /v2/models/<deployment>/infer`, `concurrency` requests in flight, in time order. */
export async function sendFlights(
  servingUrl: string,
  deployment: string,
  flights: ReplayFlight[],
  concurrency = 8,
): Promise<Outcome[]> {
  const out: Outcome[] = new Array(flights.length);
  let next = 0;
  const url = `${servingUrl}/v2/models/${deployment}/infer`;
  const worker = async () => {
    while (next < flights.length) {
      const i = next++;
      const flight = flights[i]!;
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(inferBody(flight)),
      });
      const body = (await res.json()) as {
        model_version?: string;
        outputs?: { name: string; data: number[] }[];
        error?: string;
      };
      if (res.ok) {
        const prob = body.outputs?.find((o) => o.name === "probability") ?? body.outputs?.[0];
        out[i] = {
          flight,
          version: Number(body.model_version),
          probability: prob?.data[0] ?? null,
          error: null,
        };
      } else {
        out[i] = {
          flight,
          version: null,
          probability: null,
          error: `HTTP ${res.status}: ${body.error ?? ""}`,
        };
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}

/** Ground truth for answered requests: `POST /api/v1/monitoring/feedback` by request id; how many matched. */
export async function sendFeedback(
  serverUrl: string,
  deployment: string,
  outcomes: Outcome[],
): Promise<number> {
  const items = outcomes
    .filter((o) => o.error === null)
    .map((o) => ({ request_id: o.flight.id, row_index: 0, label: o.flight.delayed }));
  return (await postFeedback(serverUrl, deployment, items)).matched;
}
