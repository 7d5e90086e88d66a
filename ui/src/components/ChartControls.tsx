import { useSearchParams } from "react-router";
import type { XKind } from "../lib/chart-lines.js";

/** Chart settings kept in the URL (`x`, `smooth`, `log`), so a shared link shows the same charts. */
export function useChartSettings(): {
  x: XKind;
  smoothing: number;
  log: boolean;
  set(k: string, v: string | null): void;
} {
  const [search, setSearch] = useSearchParams();
  const xRaw = search.get("x");
  const x: XKind = xRaw === "time" || xRaw === "relative" ? xRaw : "step";
  const smoothing = Math.min(0.99, Math.max(0, Number(search.get("smooth") ?? 0) || 0));
  const set = (k: string, v: string | null) =>
    setSearch(
      (p) => {
        const n = new URLSearchParams(p);
        if (v === null) n.delete(k);
        else n.set(k, v);
        return n;
      },
      { replace: true },
    );
  return { x, smoothing, log: search.get("log") === "1", set };
}

/** x axis (step, wall time, relative time), smoothing (EMA weight) and log scale. */
export function ChartControls() {
  const s = useChartSettings();
  return (
    <div className="toolbar chart-controls">
      <label>
        X axis{" "}
        <select value={s.x} onChange={(e) => s.set("x", e.target.value === "step" ? null : e.target.value)}>
          <option value="step">Step</option>
          <option value="time">Wall time</option>
          <option value="relative">Relative time</option>
        </select>
      </label>
      <label>
        Smoothing{" "}
        <input
          type="range"
          min={0}
          max={0.99}
          step={0.01}
          value={s.smoothing}
          onChange={(e) => s.set("smooth", e.target.value === "0" ? null : e.target.value)}
        />{" "}
        <output>{s.smoothing.toFixed(2)}</output>
      </label>
      <label>
        <input
          type="checkbox"
          checked={s.log}
          onChange={(e) => s.set("log", e.target.checked ? "1" : null)}
        />{" "}
        Log scale
      </label>
    </div>
  );
}
