import { describe, expect, it } from "vitest";
import { historyFromJson, latestPerKey } from "./dialect.js";

describe("historyFromJson", () => {
  it("reads values, NaN (null) and PostgreSQL's quoted infinities", () => {
    const points = historyFromJson("m", [
      '[0.5, null, "Infinity", "-Infinity", 9e999]',
      "[1,2,3,4,5]",
      "[0,1,2,3,4]",
    ]);
    expect(points.map((p) => p.value)).toEqual([0.5, Number.NaN, Infinity, -Infinity, Infinity]);
    expect(points[1]).toEqual({ key: "m", value: Number.NaN, timestamp: 2, step: 1 });
  });

  it("returns no points for an empty or NULL aggregate", () => {
    expect(historyFromJson("m", ["[]", "[]", "[]"])).toEqual([]);
    expect(historyFromJson("m", [null, null, null])).toEqual([]);
  });

  it("sorts by (step, timestamp) should an engine aggregate out of order", () => {
    const points = historyFromJson("m", ["[3, 1, 2]", "[9, 5, 4]", "[1, 0, 1]"]);
    expect(points.map((p) => [p.step, p.timestamp, p.value])).toEqual([
      [0, 5, 1],
      [1, 4, 2],
      [1, 9, 3],
    ]);
  });
});

describe("latestPerKey", () => {
  it("keeps the greatest (step, timestamp, value) per key", () => {
    const row = (key: string, step: number, timestamp: number, value: number) => ({
      run_uuid: "r",
      key,
      value,
      is_nan: 0,
      timestamp,
      step,
    });
    const rows = [
      row("a", 1, 5, 0),
      row("a", 2, 1, 0),
      row("b", 1, 1, 3),
      row("b", 1, 1, 4),
      row("b", 1, 0, 9),
    ];
    expect(latestPerKey(rows)).toEqual([row("a", 2, 1, 0), row("b", 1, 1, 4)]);
  });
});
