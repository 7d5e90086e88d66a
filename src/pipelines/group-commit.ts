import type { Atomic, Deps } from "./run-context.js";

interface Unit {
  fn: (t: Atomic) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit over `atomic`: units of work handed over during one turn of the event loop run in one
 * transaction, so that steps finishing together share one commit (and write shared pages once). Each
 * unit's promise settles after the commit that contains it, so "persisted before acted on" still holds.
 * If the batch fails, each unit runs again in a transaction of its own, so a failing unit fails alone;
 * units must therefore be database work only, safe to run again after a rollback.
 */
export function groupCommit(atomic: Deps["atomic"]): Deps["atomic"] {
  let queue: Unit[] = [];
  const alone = (u: Unit) => atomic(u.fn).then(u.resolve, u.reject);
  const flush = async () => {
    const batch = queue;
    queue = [];
    if (batch.length === 1) return alone(batch[0]!);
    let results: unknown[];
    try {
      results = await atomic(async (t) => {
        const out: unknown[] = [];
        for (const u of batch) out.push(await u.fn(t));
        return out;
      });
    } catch {
      for (const u of batch) await alone(u);
      return;
    }
    for (const [i, u] of batch.entries()) u.resolve(results[i]);
  };
  return <T>(fn: (t: Atomic) => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (queue.length === 1) setImmediate(() => void flush());
    });
}
