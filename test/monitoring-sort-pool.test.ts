/**
 * The sort pool: columns sorted across worker threads come back exactly as `numericColumn` sorts them in
 * the calling thread (values, order, missing counts), for typed arrays and for arrays with nulls.
 */
import { describe, expect, it } from "vitest";
import {
  computeDrift,
  driftMetricConfig,
  numericColumn,
  numericColumns,
  numericDrift,
  sortPoolStatus,
} from "../src/monitoring/index.js";

function columns(): (Float64Array | (number | null)[])[] {
  let seed = 11;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const typed = Array.from({ length: 5 }, (_, k) =>
    Float64Array.from({ length: 45000 + k * 1000 }, (_, i) =>
      i % 997 === 0 ? Number.NaN : Math.round((rand() - 0.5) * 10 ** (k % 4)) / 100,
    ),
  );
  const plain = Array.from({ length: 3 }, () =>
    Array.from({ length: 20000 }, (_, i) => (i % 50 === 0 ? null : rand() * 3 - 1)),
  );
  return [...typed, ...plain];
}

function expectSameAsInThread(cols: ReturnType<typeof columns>, got: ReturnType<typeof numericColumn>[]) {
  expect(got).toHaveLength(cols.length);
  cols.forEach((c, i) => {
    const want = numericColumn(c);
    expect(got[i]!.missing).toBe(want.missing);
    const bytes = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    expect(bytes(got[i]!.sorted).equals(bytes(want.sorted)), `column ${i}`).toBe(true);
  });
}

describe("sorting numeric columns on all cores", () => {
  it("sorts in the calling thread when asked for no workers", async () => {
    const cols = columns();
    expectSameAsInThread(cols, await numericColumns(cols, { workers: 0 }));
  });

  it("gives the same columns through a worker thread (the TypeScript worker loads through tsx)", async () => {
    const cols = columns();
    const got = await numericColumns(cols, { workers: 1 });
    expect(sortPoolStatus()).toEqual({ workers: 1, unavailable: null });
    expectSameAsInThread(cols, got);
    expectSameAsInThread(cols, await numericColumns(cols, { workers: 1 }));
  });

  it("sorts small inputs the same (they stay in the calling thread)", async () => {
    const cols = columns().map((c) => c.slice(0, 1000));
    expectSameAsInThread(cols, await numericColumns(cols, { workers: 1 }));
  });

  it("computes drift metrics on numeric pairs in the workers exactly as computeDrift does in-thread", async () => {
    const cols = columns();
    const configs = [
      driftMetricConfig("ks"),
      driftMetricConfig({ method: "psi", bins: 10 }),
      driftMetricConfig("wasserstein"),
      driftMetricConfig("jensenshannon"),
    ];
    const pairs = [0, 1, 2, 3].map((k) => ({ reference: cols[k]!, current: cols[(k + 1) % 8]!, configs }));
    const got = await numericDrift(pairs, { workers: 1 });
    expect(sortPoolStatus().workers).toBe(1);
    pairs.forEach((p, k) => {
      const r = { kind: "numeric", column: numericColumn(p.reference) } as const;
      const c = { kind: "numeric", column: numericColumn(p.current) } as const;
      expect(got[k]!.drift).toEqual(configs.map((config) => computeDrift(config, r, c)));
    });
    expect(got[0]!.drift[0]!.status).toBe("ok");
    const inThread = await numericDrift(pairs, { workers: 0 });
    expect(inThread).toEqual(got);
  });
});
