/**
 * Worker entry of the sort pool (sort-pool.ts): sorts batches of raw numeric columns and sends the sorted
 * values back without copying (their buffers are transferred).
 */
import { parentPort } from "node:worker_threads";
import { numericColumn } from "./sort.js";

/** A batch of raw columns (NaN for missing values) to sort. */
export interface SortRequest {
  id: number;
  columns: Float64Array[];
}

/** The sorted columns of a batch, in request order, with their missing counts. */
export interface SortReply {
  id: number;
  sorted: Float64Array[];
  missing: number[];
}

parentPort?.postMessage("ready");
parentPort?.on("message", (request: SortRequest) => {
  const columns = request.columns.map((c) => numericColumn(c));
  const reply: SortReply = {
    id: request.id,
    sorted: columns.map((c) => c.sorted),
    missing: columns.map((c) => c.missing),
  };
  parentPort?.postMessage(
    reply,
    reply.sorted.map((s) => s.buffer as ArrayBuffer),
  );
});
