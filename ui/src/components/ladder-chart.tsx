/**
 * The bitrate ladder (uPlot): a point per rung, bitrate against VMAF (PSNR when VMAF was not
 * measured), the per-title hull dashed when the report has one; with the points also listed as
 * text (`data-testid="ladder-point"`) for screen readers and tests.
 */
import { useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { formatKbps, formatScore } from '../lib/format.ts';
import type { Ladder } from '../lib/ladder.ts';
import { alignSeries, seriesColour } from '../lib/series.ts';
import { chartTheme, useUplot } from './time-series-chart.tsx';

export function LadderChart(props: { ladder: Ladder; height?: number; vmafUnavailableReason?: string | null }) {
  const { ladder } = props;
  const box = useRef<HTMLDivElement>(null);
  const plotted = ladder.points.filter((p) => p.quality !== null);
  const key = JSON.stringify([ladder, props.height]);
  useUplot(
    box,
    (width) => {
      if (!box.current || plotted.length === 0 || !ladder.metric) return null;
      const theme = chartTheme(box.current);
      const axis = { stroke: theme.fg, grid: { stroke: theme.grid, width: 1 }, ticks: { stroke: theme.grid, width: 1 }, font: theme.font, labelFont: theme.font };
      const series = [{ label: 'rungs', points: plotted.map((p) => ({ t: p.bitrateKbps, v: p.quality! })) }];
      if (ladder.hull) series.push({ label: 'per-title hull', points: ladder.hull.map((h) => ({ t: h.bitrateKbps, v: h.quality })) });
      const data = alignSeries(series);
      const byRate = new Map(plotted.map((p) => [p.bitrateKbps, p]));
      const opts: uPlot.Options = {
        width,
        height: props.height ?? 260,
        scales: { x: { time: false } },
        series: [
          { label: 'bitrate', value: (_u: uPlot, v: number | null) => (v === null ? '—' : `${formatKbps(v)}${byRate.get(v) ? ` (${byRate.get(v)!.id} ${byRate.get(v)!.size})` : ''}`) },
          { label: `${ladder.metric} per rung`, stroke: seriesColour(0), width: 2, spanGaps: true, points: { show: true, size: 9, fill: seriesColour(0) }, value: (_u: uPlot, v: number | null) => formatScore(v) },
          ...(ladder.hull ? [{ label: 'per-title hull', stroke: seriesColour(1), width: 1.5, dash: [6, 4], spanGaps: true, points: { show: true, size: 5 }, value: (_u: uPlot, v: number | null) => formatScore(v) }] : []),
        ],
        axes: [
          { ...axis, label: 'bitrate (kb/s)', values: (_u: uPlot, vals: number[]) => vals.map((v) => `${Math.round(v)}`) },
          { ...axis, label: ladder.metric === 'PSNR' ? 'PSNR (dB)' : 'VMAF', size: 50 },
        ],
        legend: { live: true },
      };
      return new uPlot(opts, data as uPlot.AlignedData, box.current);
    },
    [key],
  );
  return (
    <figure class="m-chart" data-testid="ladder-chart">
      <figcaption class="m-chart-title">
        Bitrate ladder {ladder.metric ? <span class="m-muted">— {ladder.metric === 'PSNR' ? 'PSNR (dB)' : 'VMAF'} against bitrate</span> : null}
      </figcaption>
      {ladder.metric === 'PSNR' && props.vmafUnavailableReason ? <p class="m-muted">VMAF unavailable: {props.vmafUnavailableReason}</p> : null}
      {plotted.length ? <div ref={box} class="m-chart-plot" role="img" aria-label={`Bitrate ladder: ${ladder.metric} against bitrate for ${plotted.length} rungs`} /> : <p class="m-muted">No quality scores to plot.</p>}
      <ul class="m-legend" aria-label="Ladder points">
        {ladder.points.map((p) => (
          <li key={p.id} data-testid="ladder-point" data-rung={p.id} data-bitrate={String(p.bitrateKbps)} data-quality={p.quality === null ? '' : String(p.quality)} style={{ listStyle: 'none' }}>
            {p.id} {p.size}: {formatKbps(p.bitrateKbps)} → {ladder.metric ?? 'quality'} {formatScore(p.quality)}
          </li>
        ))}
      </ul>
    </figure>
  );
}
