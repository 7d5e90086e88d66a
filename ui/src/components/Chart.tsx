import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { cssVar, PALETTE } from "../lib/theme.js";

/** One line: x and y of equal length, x ascending. */
export interface Line {
  label: string;
  x: number[];
  y: number[];
}

export interface ChartProps {
  title: string;
  lines: Line[];
  /** "time": x is ms since the epoch; "relative": seconds since the first point; "step": plain numbers. */
  xKind: "step" | "time" | "relative";
  log?: boolean;
  height?: number;
}

/** x, then each line's y aligned on the union of x values (uPlot's data layout). */
function align(lines: Line[], log: boolean): uPlot.AlignedData {
  const clean = (y: number[]) => (log ? y.map((v) => (v > 0 ? v : null)) : y);
  if (lines.length === 1) return [lines[0]!.x, clean(lines[0]!.y)] as uPlot.AlignedData;
  return uPlot.join(lines.map((l) => [l.x, clean(l.y)] as uPlot.AlignedData));
}

function options(p: ChartProps, width: number): uPlot.Options {
  const fg = cssVar("--fg-muted") || "#666";
  const grid = cssVar("--grid") || "#ddd";
  const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  return {
    width,
    height: p.height ?? 240,
    title: p.title,
    scales: { x: { time: p.xKind === "time" }, y: { distr: p.log ? 3 : 1 } },
    axes: [
      { ...axis, label: p.xKind === "step" ? "step" : p.xKind === "relative" ? "seconds" : undefined },
      axis,
    ],
    series: [
      { label: p.xKind },
      ...p.lines.map((l, i) => ({
        label: l.label,
        stroke: PALETTE[i % PALETTE.length],
        width: 1.5,
        spanGaps: true,
        points: { show: l.x.length < 60 },
      })),
    ],
    hooks: { draw: [() => performance.mark(`gyre:chart:${p.title}`)] },
  };
}

/** A uPlot line chart that follows its container's width and the theme; fast with 100,000s of points. */
export function Chart(props: ChartProps) {
  const el = useRef<HTMLDivElement>(null);
  const { lines, xKind, log, title, height } = props;
  useEffect(() => {
    const p = { lines, xKind, log, title, height };
    const host = el.current;
    if (!host) return;
    const plot = new uPlot(options(p, host.clientWidth || 600), align(lines, !!log), host);
    const resize = new ResizeObserver(() => {
      if (host.clientWidth > 0 && host.clientWidth !== plot.width)
        plot.setSize({ width: host.clientWidth, height: plot.height });
    });
    resize.observe(host);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [lines, xKind, log, title, height]);
  return <div className="chart" ref={el} data-testid="chart" />;
}
