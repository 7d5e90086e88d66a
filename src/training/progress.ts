import type { EpochLog } from "./types.js";

/** Where the bar is drawn: anything with `write` (stderr by default). */
export interface ProgressSink {
  write(text: string): unknown;
}

const WIDTH = 28;
const REDRAW_MS = 100;

/**
 * A one-line progress bar for the epoch in progress, redrawn in place at most every 100 ms, and one
 * permanent summary line per finished epoch. Draws nothing when disabled.
 */
export class ProgressBar {
  #lastDraw = 0;

  constructor(
    readonly enabled: boolean,
    readonly epochs: number,
    readonly sink: ProgressSink = process.stderr,
  ) {}

  /** Redraws the bar for `done` of `total` batches of `epoch` (1-based), throttled. */
  tick(epoch: number, done: number, total: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (done < total && now - this.#lastDraw < REDRAW_MS) return;
    this.#lastDraw = now;
    const filled = Math.round((done / total) * WIDTH);
    const bar =
      "=".repeat(filled) + (filled < WIDTH ? ">" : "") + " ".repeat(Math.max(WIDTH - filled - 1, 0));
    const pct = String(Math.floor((done / total) * 100)).padStart(3);
    this.sink.write(`\r\x1b[2Kepoch ${epoch}/${this.epochs} [${bar}] ${pct}% ${done}/${total} batches`);
  }

  /** Replaces the bar with the finished epoch's metrics and moves to a new line. */
  epochEnd(log: EpochLog): void {
    if (!this.enabled) return;
    const parts = [`epoch ${log.epoch}/${this.epochs}`, `loss ${log.loss.toFixed(4)}`];
    if (log.valLoss !== undefined) parts.push(`val_loss ${log.valLoss.toFixed(4)}`);
    if (log.valAuc !== undefined) parts.push(`val_auc ${log.valAuc.toFixed(4)}`);
    parts.push(`${Math.round(log.rowsPerSecond).toLocaleString("en-US")} rows/s`);
    this.sink.write(`\r\x1b[2K${parts.join("  ")}\n`);
  }

  /** Says why training stopped before the last epoch. */
  note(text: string): void {
    if (this.enabled) this.sink.write(`\r\x1b[2K${text}\n`);
  }
}
