/**
 * A line chart of time series (uPlot): one line per series over epoch seconds, the unit on the
 * y axis, a legend with the values under the cursor, and a hidden table of the latest values for
 * screen readers. Colours follow the page's CSS variables, so it works light and dark.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { alignSeries, seriesColour, seriesStats, type SeriesInput } from '../lib/series.ts';

/** The chart theme from CSS variables on the element (components.css defines them). */
export function chartTheme(el: Element): { fg: string; grid: string; font: string } {
  const cs = getComputedStyle(el);
  const v = (name: string, fallback: string) => cs.getPropertyValue(name).trim() || fallback;
  return { fg: v('--m-chart-fg', '#64748b'), grid: v('--m-chart-grid', 'rgba(127,127,127,0.2)'), font: `12px ${cs.fontFamily || 'system-ui, sans-serif'}` };
}

/** Keeps a uPlot instance as wide as its container. */
export function useUplot(container: { current: HTMLDivElement | null }, make: (width: number) => uPlot | null, deps: unknown[]): void {
  useEffect(() => {
    const el = container.current;
    if (!el) return;
    let plot = make(Math.max(200, el.clientWidth || 600));
    const ro = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => {
      if (plot && el.clientWidth > 0) plot.setSize({ width: el.clientWidth, height: plot.height });
    });
    ro?.observe(el);
    return () => {
      ro?.disconnect();
      plot?.destroy();
      plot = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
}

export function TimeSeriesChart(props: {
  title: string;
  unit: string;
  series: { label: string; points: { t: number /* epoch seconds */; v: number }[] }[];
  height?: number;
  /** The time window shown (epoch seconds); default: the data's own span (one bucket would span years). */
  range?: [number, number];
}) {
  const box = useRef<HTMLDivElement>(null);
  const height = props.height ?? 220;
  const empty = props.series.every((s) => s.points.length === 0);
  const key = JSON.stringify([props.unit, height, props.series, props.range]);
  useUplot(
    box,
    (width) => {
      if (empty || !box.current) return null;
      const theme = chartTheme(box.current);
      const axis = { stroke: theme.fg, grid: { stroke: theme.grid, width: 1 }, ticks: { stroke: theme.grid, width: 1 }, font: theme.font, labelFont: theme.font };
      const fmt = (v: number | null) => (v === null || v === undefined ? '—' : `${+v.toPrecision(4)} ${props.unit}`);
      const opts: uPlot.Options = {
        width,
        height,
        series: [{}, ...props.series.map((s: SeriesInput, i) => ({ label: s.label, stroke: seriesColour(i), width: 2, spanGaps: true, points: { show: s.points.length < 60 }, value: (_u: uPlot, v: number | null) => fmt(v) }))],
        axes: [axis, { ...axis, label: props.unit, size: 60, values: (_u: uPlot, vals: number[]) => vals.map((v) => `${+v.toPrecision(3)}`) }],
        scales: { x: props.range ? { time: true, range: (): [number, number] => props.range! } : { time: true } },
        legend: { live: true },
        cursor: { drag: { x: true, y: false } },
      };
      return new uPlot(opts, alignSeries(props.series) as uPlot.AlignedData, box.current);
    },
    [key],
  );
  return (
    <figure class="m-chart" data-testid="time-series-chart">
      <figcaption class="m-chart-title">
        {props.title} <span class="m-muted">({props.unit})</span>
      </figcaption>
      {empty ? <p class="m-muted m-chart-empty">No data yet.</p> : <div ref={box} class="m-chart-plot" role="img" aria-label={`${props.title} over time, in ${props.unit}`} />}
      <table class="m-sr-only">
        <caption>{props.title}</caption>
        <thead>
          <tr>
            <th scope="col">Series</th>
            <th scope="col">Latest</th>
            <th scope="col">Min</th>
            <th scope="col">Max</th>
          </tr>
        </thead>
        <tbody>
          {props.series.map((s) => {
            const st = seriesStats(s.points);
            const f = (v: number | null) => (v === null ? '—' : `${+v.toPrecision(4)} ${props.unit}`);
            return (
              <tr key={s.label}>
                <th scope="row">{s.label}</th>
                <td>{f(st.last)}</td>
                <td>{f(st.min)}</td>
                <td>{f(st.max)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </figure>
  );
}
