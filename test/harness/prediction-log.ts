/**
 * Writes prediction-log rows with serving's own Parquet writer (the one `gyre serve` flushes its log with),
 * so the monitoring tests read exactly what serving writes: `<dir>/predictions/deployment=<d>/hour=<H>/…`.
 */
import { ParquetSink } from "../../src/serving/index.js";

/** One prediction-log row, with convenient defaults (ts in epoch milliseconds, UTC). */
export interface LogRow {
  requestId: string;
  rowIndex?: number;
  ts: number;
  deployment: string;
  model: string;
  version: string;
  variant?: string;
  shadow?: boolean;
  protocol?: "v2" | "invocations";
  latencyMs?: number;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  entityKey?: Record<string, unknown> | null;
}

/** Writes `rows` as one flush of serving's log writer: one Parquet file per (deployment, hour). */
export async function writePredictionLog(root: string, rows: LogRow[]): Promise<void> {
  const sink = new ParquetSink(root);
  try {
    await sink.write(
      rows.map((r) => ({
        requestId: r.requestId,
        rowIndex: r.rowIndex ?? 0,
        ts: r.ts,
        deployment: r.deployment,
        model: r.model,
        version: r.version,
        variant: r.variant ?? "primary",
        shadow: r.shadow ?? false,
        protocol: r.protocol ?? "v2",
        latencyMs: r.latencyMs ?? 1,
        inputs: JSON.stringify(r.inputs),
        outputs: JSON.stringify(r.outputs),
        entityKey: r.entityKey ? JSON.stringify(r.entityKey) : null,
      })),
    );
  } finally {
    await sink.close();
  }
}
