import { describe, expect, it } from "vitest";
import { DynamicBatcher } from "./batcher.js";
import type { Tensors } from "./types.js";

/** A column of `values` as an [N, 1] float32 tensor named x. */
const column = (values: number[]): Tensors => ({
  x: { dtype: "float32", shape: [values.length, 1], data: Float32Array.from(values) },
});

/** Doubles x; records each call's row count. */
function doubling(calls: number[]) {
  return async (t: Tensors): Promise<Tensors> => {
    const x = t.x!;
    calls.push(x.shape[0]!);
    return { y: { dtype: "float32", shape: x.shape, data: (x.data as Float32Array).map((v) => v * 2) } };
  };
}

describe("DynamicBatcher", () => {
  it("starts a lone request at once, merges the requests that arrive meanwhile and splits the outputs back in order", async () => {
    const calls: number[] = [];
    const observed: [number, number][] = [];
    const b = new DynamicBatcher(
      doubling(calls),
      { maxBatchSize: 64, maxWaitMs: 0, batchable: true },
      (rows, requests) => observed.push([rows, requests]),
    );
    const out = await Promise.all([
      b.submit(column([0]), 1),
      b.submit(column([1]), 1),
      b.submit(column([2, 3]), 2),
      b.submit(column([4]), 1),
    ]);
    expect(calls).toEqual([1, 4]);
    expect(observed).toEqual([
      [1, 1],
      [4, 3],
    ]);
    expect(out.map((o) => [...(o.y!.data as Float32Array)])).toEqual([[0], [2], [4, 6], [8]]);
    expect(out[2]!.y!.shape).toEqual([2, 1]);
  });

  it("caps a call at maxBatchSize rows and runs one call at a time", async () => {
    const calls: number[] = [];
    const b = new DynamicBatcher(doubling(calls), { maxBatchSize: 2, maxWaitMs: 0, batchable: true });
    const out = await Promise.all([1, 2, 3, 4, 5].map((v) => b.submit(column([v]), 1)));
    expect(calls).toEqual([1, 2, 2]);
    expect(out.map((o) => (o.y!.data as Float32Array)[0])).toEqual([2, 4, 6, 8, 10]);
    expect(b.depth).toBe(0);
  });

  it("waits up to maxWaitMs for company, then runs", async () => {
    const calls: number[] = [];
    const b = new DynamicBatcher(doubling(calls), { maxBatchSize: 8, maxWaitMs: 30, batchable: true });
    const first = b.submit(column([1]), 1);
    await new Promise((r) => setTimeout(r, 5));
    const second = b.submit(column([2]), 1);
    await Promise.all([first, second]);
    expect(calls).toEqual([2]);
  });

  it("runs each request alone when batching is off or the model is not batchable", async () => {
    for (const options of [
      { maxBatchSize: 1, maxWaitMs: 0, batchable: true },
      { maxBatchSize: 64, maxWaitMs: 0, batchable: false },
    ]) {
      const calls: number[] = [];
      const b = new DynamicBatcher(doubling(calls), options);
      await Promise.all([b.submit(column([1]), 1), b.submit(column([2]), 1)]);
      expect(calls).toEqual([1, 1]);
    }
  });

  it("rejects every request of a failed call and keeps serving the next ones", async () => {
    let fail = true;
    const b = new DynamicBatcher(
      async (t) => {
        if (fail) throw new Error("boom");
        return t;
      },
      { maxBatchSize: 8, maxWaitMs: 0, batchable: true },
    );
    const results = await Promise.allSettled([b.submit(column([1]), 1), b.submit(column([2]), 1)]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    fail = false;
    expect((await b.submit(column([3]), 1)).x!.data).toEqual(Float32Array.from([3]));
  });
});
