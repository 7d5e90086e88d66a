import { GyreError } from "../core/errors.js";
import type { Catalog } from "./catalog.js";
import type { OfflineStore } from "./offline-store.js";
import type { OnlineStore } from "./online-store.js";
import type { MaterializeProgress, MaterializeResult } from "./types.js";

/** Rows written per online-store transaction; bounds memory whatever the range. */
export const DEFAULT_CHUNK_ROWS = 10_000;

export interface MaterializeOptions {
  /** Range start (ms, UTC, inclusive); required unless `incremental`. */
  start?: number;
  /** Range end (ms, UTC, exclusive); defaults to now. */
  end?: number;
  /** Start each view at its watermark (or the beginning of time before its first run). */
  incremental?: boolean;
  /** Views to materialize (default: all). */
  views?: string[];
  chunkRows?: number;
  onProgress?: MaterializeProgress;
}

/** The range one view is materialized over, and where to resume in it. */
async function rangeFor(online: OnlineStore, view: string, o: MaterializeOptions, now: number) {
  const state = await online.state(view);
  const p = state.pending;
  if (o.incremental) {
    // An unfinished run is finished first, over its own range, before anything newer.
    if (p) return { start: p.start, end: p.end, after: p.lastKey, resumed: true };
    return {
      start: state.watermark ?? 0,
      end: Math.max(o.end ?? now, state.watermark ?? 0),
      after: null,
      resumed: false,
    };
  }
  if (o.start === undefined)
    throw new GyreError("FEATURES_DEFINITION_INVALID", "Give a start time, or materialize --incremental", {
      field: "start",
    });
  const end = o.end ?? now;
  if (!(end > o.start))
    throw new GyreError(
      "FEATURES_DEFINITION_INVALID",
      `The end (${new Date(end).toISOString()}) must be after the start`,
      { field: "end" },
    );
  const resume = p !== null && p.start === o.start && p.end === end;
  return { start: o.start, end, after: resume ? p.lastKey : null, resumed: false };
}

/**
 * Writes the latest row per entity of each view with event time in the range to the online store, one
 * bounded chunk per transaction, recording the last key written with each chunk. A run that dies part-way is
 * resumed after that key by the next run over the same range (or the next incremental run): no gaps, and
 * rewrites are no-ops because the online store keeps the newer row.
 */
export async function materialize(
  deps: { catalog: Catalog; offline: OfflineStore; online: OnlineStore; now: number },
  o: MaterializeOptions,
): Promise<MaterializeResult> {
  const { catalog, offline, online } = deps;
  const names = o.views ?? [...catalog.views.keys()];
  const result: MaterializeResult = { views: [] };
  for (const name of names) {
    const view = catalog.offlineView(catalog.view(name, "views"));
    // An incremental run first finishes a crashed run over that run's range, then goes on from the watermark.
    for (let pass = 0; pass < 2; pass++) {
      const { start, end, after, resumed } = await rangeFor(online, name, o, deps.now);
      let rows = 0;
      let chunks = 0;
      let lastKey = after;
      for await (const chunk of offline.latest(view, start, end, after, o.chunkRows ?? DEFAULT_CHUNK_ROWS)) {
        lastKey = chunk[chunk.length - 1]!.key;
        await online.writeChunk(name, chunk, { start, end, lastKey });
        rows += chunk.length;
        chunks++;
        o.onProgress?.({ view: name, rows, chunks });
      }
      await online.writeChunk(name, [], { start, end, lastKey }, true);
      result.views.push({ name, start, end, rows, chunks });
      if (!(o.incremental && resumed)) break;
    }
  }
  return result;
}
