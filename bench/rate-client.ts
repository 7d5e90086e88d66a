/**
 * The fixed-rate (open-loop) load generator of bench/serving.ts and bench/features.ts, in its own small
 * process: the bench's main process holds a trained model, DuckDB and large heaps whose garbage collections
 * would stall the generator and show up as server latency. The job ({@link RateJob}) arrives as the first IPC
 * message (bodies can be larger than a command line may be); the result goes back as `{ windows: LoadResult[] }`.
 */
import { once } from "node:events";
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

const [job] = (await once(process, "message")) as [RateJob];
await fixedRate(job.url, job.bodies, job.rate, 1);
const windows = [];
for (let i = 0; i < job.windows; i++)
  windows.push(await fixedRate(job.url, job.bodies, job.rate, job.seconds));
closeConnections();
process.send?.({ windows }, () => process.exit(0));
