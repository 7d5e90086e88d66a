/**
 * Worker entry of the sort pool (sort-pool.ts): runs batches of items (sort-job.ts) and sends the sorted
 * values back without copying (their buffers are transferred).
 */
import { parentPort } from "node:worker_threads";
import { runItem, type SortReply, type SortRequest } from "./sort-job.js";

parentPort?.postMessage("ready");
parentPort?.on("message", (request: SortRequest) => {
  const reply: SortReply = { id: request.id, items: request.items.map(runItem) };
  const buffers = reply.items.flatMap((item) => item.columns.map((c) => c.sorted.buffer as ArrayBuffer));
  parentPort?.postMessage(reply, buffers);
});
