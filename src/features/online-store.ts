import type { LatestRow } from "./offline-store.js";
import type { FeatureValue } from "./types.js";

/** A materialization of one view in progress or done: the range and the last entity key written. */
export interface MaterializeState {
  view: string;
  /** Everything with event time before this (ms, UTC) is online; null before the first completed run. */
  watermark: number | null;
  /** A run that has not finished (crashed or running): its range and the last key it wrote. */
  pending: { start: number; end: number; lastKey: string | null } | null;
}

/** What the online store holds for one entity of one view. */
export interface OnlineValue {
  eventTime: number;
  values: Record<string, FeatureValue>;
}

/**
 * The online store's small core (Redis follows with the same shape): chunked writes, key reads, and
 * per-view materialization state. A written row replaces the stored one only when it is newer (event time,
 * then created time), so writing the same chunk twice changes nothing.
 */
export interface OnlineStore {
  readonly kind: string;
  /**
   * Writes `rows` of `view` and records `pending` (the run's range and its last key) in one transaction;
   * with `finish`, the run completes instead: the watermark moves to its end and `pending` is cleared.
   */
  writeChunk(
    view: string,
    rows: LatestRow[],
    pending: { start: number; end: number; lastKey: string | null },
    finish?: boolean,
  ): Promise<void>;
  /** Stored values of `keys` (entity keys as `latestSql` builds them); missing keys are absent from the map. */
  read(view: string, keys: string[]): Promise<Map<string, OnlineValue>>;
  state(view: string): Promise<MaterializeState>;
  /** Number of entities stored for `view`. */
  count(view: string): Promise<number>;
  close(): Promise<void>;
}
