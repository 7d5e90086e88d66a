import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/**
 * The worker's code, evaluated as CommonJS so it runs the same from `src/` (tsx) and from `dist/`.
 * A PASSIVE checkpoint never waits for the writer or readers; with nothing to copy it returns at once.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path, { timeout: workerData.busyTimeoutMs });
const timer = setInterval(() => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch {}
}, workerData.intervalMs);
parentPort.on("message", () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * Copies committed WAL frames into the database file from a worker thread. A checkpoint fsyncs the WAL
 * and the database file; off the event loop those waits no longer stall requests (SQLite's advice for
 * busy WAL databases). The writer keeps a larger auto-checkpoint as a backstop should this thread fall behind.
 */
export class SqliteCheckpointer {
  readonly #worker: Worker;
  readonly #exited: Promise<void>;

  constructor(path: string, options: { busyTimeoutMs: number; intervalMs?: number }) {
    const driver = createRequire(import.meta.url).resolve("better-sqlite3");
    this.#worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        driver,
        path,
        busyTimeoutMs: options.busyTimeoutMs,
        intervalMs: options.intervalMs ?? 100,
      },
    });
    this.#exited = new Promise((resolve) => this.#worker.once("exit", () => resolve()));
    // A failed checkpointer only costs speed: the writer's auto-checkpoint still bounds the WAL.
    this.#worker.on("error", () => undefined);
    this.#worker.unref();
  }

  /** Stops checkpointing and closes the worker's connection (resolves at once if the worker already died). */
  async close(): Promise<void> {
    this.#worker.ref();
    this.#worker.postMessage("close");
    await this.#exited;
  }
}
