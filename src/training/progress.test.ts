import { describe, expect, it } from "vitest";
import { ProgressBar } from "./progress.js";

describe("ProgressBar", () => {
  it("redraws in place and leaves one summary line per epoch", () => {
    let out = "";
    const bar = new ProgressBar(true, 2, { write: (t: string) => (out += t) });
    bar.tick(1, 1, 4);
    bar.tick(1, 4, 4);
    bar.epochEnd({ epoch: 1, loss: 0.5, valLoss: 0.6, valAuc: 0.7, rowsPerSecond: 12345 });
    expect(out).toContain("epoch 1/2 [");
    expect(out).toContain("100% 4/4 batches");
    expect(out).toContain("epoch 1/2  loss 0.5000  val_loss 0.6000  val_auc 0.7000  12,345 rows/s\n");
  });

  it("writes nothing when disabled", () => {
    let out = "";
    const bar = new ProgressBar(false, 2, { write: (t: string) => (out += t) });
    bar.tick(1, 4, 4);
    bar.epochEnd({ epoch: 1, loss: 0.5, rowsPerSecond: 1 });
    bar.note("stop");
    expect(out).toBe("");
  });
});
