import type { ConfusionMatrix, RocCurve } from "./evaluate.js";

const SIZE = 320;
const PAD = 48;
const FONT = 'font-family="system-ui, sans-serif" font-size="12"';

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A standalone SVG of the ROC curve (FPR on x, TPR on y) with the chance diagonal and the AUC in the title. */
export function rocCurveSvg(curve: RocCurve, auc: number): string {
  const plot = SIZE - 2 * PAD;
  const px = (v: number) => (PAD + v * plot).toFixed(2);
  const py = (v: number) => (SIZE - PAD - v * plot).toFixed(2);
  const points = curve.fpr.map((f, i) => `${px(f)},${py(curve.tpr[i]!)}`).join(" ");
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (t) =>
        `<text x="${px(t)}" y="${SIZE - PAD + 16}" text-anchor="middle">${t}</text>` +
        `<text x="${PAD - 6}" y="${py(t)}" text-anchor="end" dominant-baseline="middle">${t}</text>`,
    )
    .join("");
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 ${SIZE} ${SIZE}" ${FONT}>`,
    `<rect width="${SIZE}" height="${SIZE}" fill="white"/>`,
    `<text x="${SIZE / 2}" y="24" text-anchor="middle" font-size="14">ROC curve (AUC ${escapeXml(auc.toFixed(4))})</text>`,
    `<rect x="${PAD}" y="${PAD}" width="${plot}" height="${plot}" fill="none" stroke="#999"/>`,
    `<line x1="${px(0)}" y1="${py(0)}" x2="${px(1)}" y2="${py(1)}" stroke="#bbb" stroke-dasharray="4 4"/>`,
    `<polyline points="${points}" fill="none" stroke="#1f77b4" stroke-width="2"/>`,
    ticks,
    `<text x="${SIZE / 2}" y="${SIZE - 12}" text-anchor="middle">false positive rate</text>`,
    `<text transform="translate(14 ${SIZE / 2}) rotate(-90)" text-anchor="middle">true positive rate</text>`,
    "</svg>",
  ].join("\n");
}

/** A standalone SVG of the 2×2 confusion matrix (rows: actual, columns: predicted), shaded by count. */
export function confusionMatrixSvg(
  confusion: ConfusionMatrix,
  threshold = 0.5,
  labels: [string, string] = ["0", "1"],
): string {
  const cell = (SIZE - 2 * PAD) / 2;
  const max = Math.max(1, ...confusion.matrix.flat());
  const cells = confusion.matrix.flatMap((row, r) =>
    row.map((count, c) => {
      const x = PAD + c * cell;
      const y = PAD + r * cell;
      const shade = Math.round(255 - (count / max) * 180);
      const ink = count / max > 0.6 ? "white" : "black";
      return (
        `<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="rgb(${shade},${shade},255)" stroke="white"/>` +
        `<text x="${x + cell / 2}" y="${y + cell / 2}" text-anchor="middle" dominant-baseline="middle" ` +
        `font-size="18" fill="${ink}">${count}</text>`
      );
    }),
  );
  const axis = labels.flatMap((label, i) => [
    `<text x="${PAD + (i + 0.5) * cell}" y="${PAD - 8}" text-anchor="middle">${escapeXml(label)}</text>`,
    `<text x="${PAD - 8}" y="${PAD + (i + 0.5) * cell}" text-anchor="end" dominant-baseline="middle">${escapeXml(label)}</text>`,
  ]);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 ${SIZE} ${SIZE}" ${FONT}>`,
    `<rect width="${SIZE}" height="${SIZE}" fill="white"/>`,
    `<text x="${SIZE / 2}" y="20" text-anchor="middle" font-size="14">Confusion matrix (threshold ${threshold})</text>`,
    ...cells,
    ...axis,
    `<text x="${SIZE / 2}" y="${SIZE - 14}" text-anchor="middle">predicted</text>`,
    `<text transform="translate(14 ${SIZE / 2}) rotate(-90)" text-anchor="middle">actual</text>`,
    "</svg>",
  ].join("\n");
}
