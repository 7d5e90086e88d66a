/**
 * The fixed-rate (open-loop) load generator of bench/serving.ts and bench/features.ts, in its own small
 * process: the bench's main process holds a trained model, DuckDB and large heaps whose garbage collections
 * would stall the generator and show up as server latency. argv[2] is the JSON of {@link RateJob}; the
 * result goes back over IPC as `{ windows: LoadResult[] }`.
 *
 *   node --import tsx bench/rate-client.ts '{"url":…,"bodies":["…"],"rate":1000,"seconds":3,"windows":2}'
 */
import { closeConnections } from "./http.js";
import { fixedRate } from "./serving-load.js";

/** What to send: `bodies` in turn (one body: the same request every time) at `rate` per second. */
export interface RateJob {
  url: string;
  bodies: string[];
  rate: number;
  /** Length of one measured window, s. */
  seconds: number;
  /** Measured windows after one warm-up second at the same rate. */
  windows: number;
}

const job = JSON.parse(process.argv[2] ?? "{}") as RateJob;
await fixedRate(job.url, job.bodies, job.rate, 1);
const windows = [];
for (let i = 0; i < job.windows; i++)
  windows.push(await fixedRate(job.url, job.bodies, job.rate, job.seconds));
closeConnections();
process.send?.({ windows }, () => process.exit(0));
