/**
 * The fixed-rate (open-loop) load generator of bench/serving.ts and bench/features.ts, in its own small
 * process: the bench's main process holds a trained model, DuckDB and large heaps whose garbage collections
 * would stall the generator and show up as server latency. The job ({@link RateJob}) arrives as the first IPC
 * message (bodies can be larger than a command line may be); the result goes back as `{ windows }`, one list
 * of windows per target.
 */
import { once } from "node:events";
import { closeConnections } from "./http.js";
import { fixedRate, type LoadResult } from "./serving-load.js";

/**
 * Targets measured in turn, window after window, so that each sees the same machine load: `rounds` rounds of
 * one `seconds`-long window per target at `rate` requests/s, after one warm-up second per target. Each target
 * sends its `bodies` in turn.
 */
export interface RateJob {
  targets: { url: string; bodies: string[] }[];
  rate: number;
  seconds: number;
  rounds: number;
}

const [job] = (await once(process, "message")) as [RateJob];
for (const t of job.targets) await fixedRate(t.url, t.bodies, job.rate, 1);
const windows: LoadResult[][] = job.targets.map(() => []);
for (let r = 0; r < job.rounds; r++)
  for (const [i, t] of job.targets.entries())
    windows[i]!.push(await fixedRate(t.url, t.bodies, job.rate, job.seconds));
closeConnections();
process.send?.({ windows }, () => process.exit(0));
