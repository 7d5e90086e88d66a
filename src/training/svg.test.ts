import { describe, expect, it } from "vitest";
import { confusionMatrix, rocCurve } from "./evaluate.js";
import { confusionMatrixSvg, rocCurveSvg } from "./svg.js";

describe("evaluation plots", () => {
  const labels = [0, 0, 1, 1, 0, 1];
  const scores = [0.1, 0.4, 0.35, 0.8, 0.2, 0.9];

  it("draws the ROC curve as one polyline with a point per curve point", () => {
    const curve = rocCurve(labels, scores);
    const svg = rocCurveSvg(curve, 0.8889);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    const points = /<polyline points="([^"]+)"/.exec(svg)![1]!.split(" ");
    expect(points).toHaveLength(curve.fpr.length);
    expect(points[0]).toBe("48.00,272.00");
    expect(points.at(-1)).toBe("272.00,48.00");
    expect(svg).toContain("AUC 0.8889");
  });

  it("draws the four confusion counts", () => {
    const svg = confusionMatrixSvg(confusionMatrix(labels, scores), 0.5, ["on time", "delayed"]);
    const counts = [...svg.matchAll(/font-size="18" fill="\w+">(\d+)</g)].map((m) => Number(m[1]));
    expect(counts).toEqual([3, 0, 1, 2]);
    expect(svg).toContain("delayed");
  });
});
