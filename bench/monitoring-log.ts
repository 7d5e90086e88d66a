/** Prediction-log figures for bench/monitoring.ts (filled in once the log reader lands). */
import type { Figure } from "./report.js";

export async function benchLog(_dir: string, _rows: number, _log: (m: string) => void): Promise<Figure[]> {
  return [];
}
