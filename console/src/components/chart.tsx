import 'uplot/dist/uPlot.min.css';

import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface ChartSeries {
  label: string;
  values: Array<number | null>;
  color: string;
}

interface Props {
  /** What the chart shows, for screen readers (the numbers are also in a table nearby). */
  label: string;
  /** Unix seconds. */
  times: number[];
  series: ChartSeries[];
  height?: number;
  yRange?: [number, number];
}

/** A uPlot time chart that follows its container's width. */
export function TimeChart({ label, times, series, height = 220, yRange }: Props) {
  const box = useRef<HTMLDivElement>(null);
  // Redrawn when the numbers change, not whenever a render builds new arrays.
  const data = JSON.stringify([times, series, yRange]);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const plot = new uPlot(
      {
        width: Math.max(element.clientWidth, 200),
        height,
        scales: yRange ? { y: { range: yRange } } : {},
        series: [
          {},
          ...series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: 2,
            points: { show: times.length < 60 },
          })),
        ],
        axes: [{}, { size: 50 }],
      },
      [times, ...series.map((s) => s.values)],
      element,
    );
    const observer = new ResizeObserver(() =>
      plot.setSize({ width: Math.max(element.clientWidth, 200), height }),
    );
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [data, height]);
  return <div ref={box} role="img" aria-label={label} class="chart" />;
}
