/**
 * A job's steps over time (SVG): a row per step id grouped by function, a bar per attempt
 * coloured by status, cache hits hatched, retries outlined and numbered, escalations marked
 * with ⬆ (their cause in the tooltip). Every bar is focusable: hover shows its `<title>`, focus
 * also writes the details under the chart.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { formatDuration, formatUsd } from '../lib/format.ts';
import { barTitle, timeTicks, type Gantt, type GanttBar } from '../lib/gantt.ts';

const LABEL_W = 150;
const ROW_H = 18;
const GROUP_H = 22;
const AXIS_H = 22;

function useWidth(fallback: number): [{ current: HTMLDivElement | null }, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    setWidth(el.clientWidth || fallback);
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth || fallback));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, width];
}

const fmt = { duration: formatDuration, usd: formatUsd };

export function GanttChart(props: { gantt: Gantt }) {
  const { gantt } = props;
  const [box, measured] = useWidth(800);
  const [focused, setFocused] = useState<GanttBar | null>(null);
  if (gantt.rows.length === 0) return <p class="m-muted" data-testid="gantt">No steps have run yet.</p>;
  const width = Math.max(420, measured);
  const plotW = width - LABEL_W - 12;
  const x = (s: number) => LABEL_W + (s / gantt.span) * plotW;
  let y = AXIS_H;
  const layout: { kind: 'group' | 'row'; y: number; fn: string; row?: Gantt['rows'][number] }[] = [];
  for (const g of gantt.groups) {
    layout.push({ kind: 'group', y, fn: g.fn });
    y += GROUP_H;
    for (const r of g.rows) {
      layout.push({ kind: 'row', y, fn: g.fn, row: r });
      y += ROW_H;
    }
  }
  const height = y + 4;
  const ticks = timeTicks(gantt.span, Math.max(2, Math.floor(plotW / 90)));
  return (
    <div class="m-gantt" ref={box} data-testid="gantt">
      <div class="m-scroll-x" style={{ maxHeight: '32rem', overflowY: 'auto' }}>
        <svg width={width} height={height} role="group" aria-label={`Steps over time: ${gantt.rows.length} steps, ${gantt.attempts} attempts, ${formatDuration(gantt.span)}`}>
          <defs>
            <pattern id="m-hatch" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">
              <line x1="0" y1="0" x2="0" y2="6" class="m-hatch-line" />
            </pattern>
          </defs>
          <g aria-hidden="true">
            {ticks.map((t) => (
              <g key={t}>
                <line x1={x(t)} x2={x(t)} y1={AXIS_H - 4} y2={height} class="m-gantt-grid" />
                <text x={x(t)} y={AXIS_H - 8} text-anchor="middle" class="m-gantt-tick">
                  {t === 0 ? '0' : `+${formatDuration(t)}`}
                </text>
              </g>
            ))}
          </g>
          {layout.map((item) =>
            item.kind === 'group' ? (
              <text key={`g-${item.fn}`} x={4} y={item.y + 15} class="m-gantt-group">
                {item.fn}
              </text>
            ) : (
              <g key={item.row!.stepId} data-row={item.row!.stepId}>
                <text x={14} y={item.y + 13} class="m-gantt-label">
                  <title>{item.row!.stepId}</title>
                  {item.row!.label.length > 20 ? `${item.row!.label.slice(0, 19)}…` : item.row!.label}
                </text>
                {item.row!.bars.map((b) => {
                  const bx = x(b.start);
                  const bw = Math.max(2, x(b.end) - bx);
                  const title = barTitle(b, fmt);
                  const cls = ['m-bar', `m-bar-${b.status}`, b.cached ? 'm-bar-cached' : '', b.retry > 0 ? 'm-bar-retry' : '', b.escalation ? 'm-bar-escalated' : ''].join(' ');
                  return (
                    <g
                      key={b.attempt}
                      class={`m-status-${b.status}`}
                      data-step={b.stepId}
                      data-attempt={String(b.attempt)}
                      data-status={b.status}
                      {...(b.escalation ? { 'data-escalated': 'true' } : {})}
                      tabIndex={0}
                      role="img"
                      aria-label={title.replace(/\n/g, '; ')}
                      onFocus={() => setFocused(b)}
                      onBlur={() => setFocused((f) => (f === b ? null : f))}
                      onMouseEnter={() => setFocused(b)}
                    >
                      <title>{title}</title>
                      <rect class={cls} x={bx} y={item.y + 3} width={bw} height={ROW_H - 6} rx={2} />
                      {b.escalation ? (
                        <text class="m-mark" x={bx + 2} y={item.y + 12}>
                          ⬆
                        </text>
                      ) : b.retry > 0 && bw > 14 ? (
                        <text class="m-mark" x={bx + 2} y={item.y + 12}>
                          ↻{b.retry}
                        </text>
                      ) : null}
                    </g>
                  );
                })}
              </g>
            ),
          )}
        </svg>
      </div>
      <p class="m-muted" aria-live="polite" style={{ whiteSpace: 'pre-line', minHeight: '2.5em', margin: '0.25rem 0' }}>
        {focused ? barTitle(focused, fmt) : 'Hover or focus a bar for its details.'}
      </p>
      <div class="m-legend" aria-hidden="true">
        <span class="m-status-SUCCEEDED">succeeded</span>
        <span class="m-legend-cached">cached</span>
        <span class="m-status-RUNNING">running</span>
        <span class="m-status-FAILED">failed</span>
        <span class="m-status-ABANDONED">abandoned</span>
        <span class="m-muted">↻ retry · ⬆ escalated one size up</span>
      </div>
    </div>
  );
}
