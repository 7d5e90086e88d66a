import { createHash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { formatBytes } from "./output.js";

/** Below this size a transfer finishes too quickly for a progress line to help. */
const PROGRESS_MIN_BYTES = 8 * 1024 * 1024;
const REDRAW_MS = 100;

/**
 * A pass-through stream that counts and sha256-hashes the bytes going through it and, when stderr is a
 * terminal and the transfer is large (or of unknown size), redraws a progress line on stderr.
 */
export class TransferMeter extends Transform {
  bytes = 0;
  readonly #hash = createHash("sha256");
  readonly #show: boolean;
  #drawnAt = 0;

  constructor(
    readonly label: string,
    readonly total?: number,
  ) {
    super();
    this.#show = Boolean(process.stderr.isTTY) && (total === undefined || total >= PROGRESS_MIN_BYTES);
  }

  /** Lower-case hex sha256 of everything that went through; call once the stream has finished. */
  sha256(): string {
    return this.#hash.digest("hex");
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    this.#hash.update(chunk);
    if (this.#show && Date.now() - this.#drawnAt >= REDRAW_MS) this.#draw();
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.#show) process.stderr.write("\r\x1b[K");
    done();
  }

  #draw(): void {
    this.#drawnAt = Date.now();
    const pct = this.total ? ` ${Math.floor((100 * this.bytes) / this.total)}%` : "";
    const of = this.total ? ` of ${formatBytes(this.total)}` : "";
    process.stderr.write(`\r\x1b[K${this.label}${pct} (${formatBytes(this.bytes)}${of})`);
  }
}
