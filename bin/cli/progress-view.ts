/**
 * Live progress of one job in the terminal: a line per stage, chunk counts and active chunks
 * for the encode, overall percent and ETA. On a non-TTY it prints a line per finished step.
 */
import type { MosaicEvent, PlanResult } from '../../lambdas/contracts/index.js';
type ProgressSnapshot = { fraction: number; etaSec: number | null };

const STAGES: [fn: string, label: string][] = [
  ['inspect', 'Inspect'],
  ['plan', 'Plan'],
  ['encode-video', 'Encode video'],
  ['encode-audio', 'Encode audio'],
  ['assemble', 'Assemble'],
  ['measure-quality', 'Measure quality'],
  ['package', 'Package'],
  ['thumbnails', 'Thumbnails'],
  ['publish', 'Publish'],
];

interface StepState {
  fraction: number;
  status: string;
  fps: number | null;
}

export const fmtDuration = (sec: number | null) => {
  if (sec === null || !Number.isFinite(sec)) return '--:--';
  const s = Math.round(sec);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

export class ProgressView {
  private readonly steps = new Map<string, StepState>();
  private lines = 0;
  private timer: NodeJS.Timeout | null = null;
  private lastPlain = 0;
  private readonly started = Date.now();

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly getPlan: () => PlanResult | undefined,
    private readonly getProgress: () => ProgressSnapshot,
  ) {}

  start(): void {
    if (this.out.isTTY) this.timer = setInterval(() => this.draw(), 250);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.out.isTTY) this.draw();
  }

  onEvent(e: MosaicEvent): void {
    if (e.detailType === 'Step Progress') {
      const s = this.steps.get(e.detail.stepId) ?? { fraction: 0, status: 'RUNNING', fps: null };
      s.fraction = e.detail.fraction;
      s.fps = e.detail.fps ?? null;
      this.steps.set(e.detail.stepId, s);
      if (!this.out.isTTY && Date.now() - this.lastPlain > 5000) {
        this.lastPlain = Date.now();
        const p = this.getProgress();
        this.out.write(`  ${(p.fraction * 100).toFixed(0)}% done, ETA ${fmtDuration(p.etaSec)}\n`);
      }
    } else if (e.detailType === 'Step Status Changed') {
      const s = this.steps.get(e.detail.stepId) ?? { fraction: 0, status: 'RUNNING', fps: null };
      s.status = e.detail.status;
      if (e.detail.status === 'SUCCEEDED' || e.detail.status === 'CACHED') s.fraction = 1;
      this.steps.set(e.detail.stepId, s);
      if (!this.out.isTTY && e.detail.status !== 'RUNNING') {
        const t = e.detail.durationMs != null ? ` ${(e.detail.durationMs / 1000).toFixed(1)} s` : '';
        this.out.write(`  ${e.detail.stepId} ${e.detail.status.toLowerCase()}${t}${e.detail.error ? `: ${e.detail.error}` : ''}\n`);
      }
    }
  }

  private stageLine(fn: string, label: string): string | null {
    const items = [...this.steps.entries()].filter(([id]) => id === fn || id.startsWith(`${fn}:`));
    const plan = this.getPlan();
    const expected =
      fn === 'encode-video' ? (plan?.videoTaskList?.count ?? plan?.videoTasks.length) : fn === 'assemble' ? plan?.assembleTasks.length : fn === 'measure-quality' ? plan?.qualityTasks.length : undefined;
    if (!items.length) return `  ·  ${label}`;
    const done = items.filter(([, s]) => s.status === 'SUCCEEDED' || s.status === 'CACHED').length;
    const cached = items.filter(([, s]) => s.status === 'CACHED').length;
    const failed = items.some(([, s]) => s.status === 'FAILED');
    const total = expected ?? items.length;
    const glyph = failed ? '✗' : done >= total ? '✓' : '▸';
    const count = total > 1 ? ` ${done}/${total}` : '';
    const cache = cached ? ` (${cached} cached)` : '';
    const active = items
      .filter(([, s]) => s.status === 'RUNNING')
      .map(([id, s]) => `${id.split(':')[1] ?? ''} ${(s.fraction * 100).toFixed(0)}%${s.fps ? ` ${s.fps.toFixed(0)}fps` : ''}`.trim())
      .slice(0, 4);
    return `  ${glyph}  ${label}${count}${cache}${active.length ? `  [${active.join(', ')}]` : ''}`;
  }

  private draw(): void {
    const p = this.getProgress();
    const width = 30;
    const filled = Math.round(p.fraction * width);
    const lines = [
      ...STAGES.map(([fn, label]) => this.stageLine(fn, label)).filter((l): l is string => l !== null),
      `  [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(p.fraction * 100).toFixed(0).padStart(3)}%  elapsed ${fmtDuration((Date.now() - this.started) / 1000)}  ETA ${fmtDuration(p.etaSec)}`,
    ];
    if (this.lines) this.out.write(`\x1b[${this.lines}A`);
    this.out.write(lines.map((l) => `\x1b[2K${l}`).join('\n') + '\n');
    this.lines = lines.length;
  }
}
