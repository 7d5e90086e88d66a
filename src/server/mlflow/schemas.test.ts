import { describe, expect, it } from "vitest";
import { parseInput } from "../routes.js";
import { logBatch, plainLogBatch } from "./schemas.js";

const run = "0123456789abcdef0123456789abcdef";

describe("plainLogBatch", () => {
  it("parses plain bodies exactly as the zod schema does", () => {
    const bodies: unknown[] = [
      {},
      { run_id: run },
      { run_uuid: run, metrics: [] },
      {
        run_id: run,
        experiment_id: "7",
        metrics: [
          { key: "loss", value: 0.25, timestamp: 1_700_000_000_000, step: 3 },
          { key: "acc", value: -1e-300, timestamp: 0, extra: true },
          { key: "a/b c", value: 5, timestamp: 12, step: -4 },
        ],
        params: [{ key: "lr", value: "0.1" }, { key: "empty" }],
        tags: [{ key: "mlflow.note", value: "" }],
      },
    ];
    for (const body of bodies) expect(plainLogBatch(body)).toEqual(logBatch.parse(body));
  });

  it("leaves anything unusual to zod, so errors and coercions stay zod's", () => {
    const metric = { key: "m", value: 1, timestamp: 1, step: 0 };
    const unusual: unknown[] = [
      null,
      [],
      { run_id: 5 },
      { metrics: null },
      { metrics: [metric, null] },
      { metrics: [{ ...metric, key: "" }] },
      { metrics: [{ ...metric, value: "NaN" }] },
      { metrics: [{ ...metric, value: "1.5" }] },
      { metrics: [{ ...metric, timestamp: "12" }] },
      { metrics: [{ ...metric, timestamp: 1.5 }] },
      { metrics: [{ ...metric, timestamp: 2 ** 60 }] },
      { metrics: [{ ...metric, step: null }] },
      { metrics: [{ key: "m", value: 1 }] },
      { params: [{ key: "p", value: 1 }] },
      { tags: [{ value: "v" }] },
    ];
    for (const body of unusual) expect(plainLogBatch(body)).toBeUndefined();
    expect(parseInput(logBatch, { metrics: [{ ...metric, timestamp: "12" }] })).toEqual({
      metrics: [{ ...metric, timestamp: 12 }],
    });
    expect(() => parseInput(logBatch, { metrics: [{ ...metric, timestamp: 1.5 }] })).toThrow(
      "metrics[0].timestamp",
    );
  });
});
