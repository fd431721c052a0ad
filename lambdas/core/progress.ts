/** Parses ffmpeg `-progress` key=value blocks. */
export interface FfmpegProgress {
  frame: number | null;
  outTimeSec: number | null;
  fps: number | null;
  speed: number | null;
  done: boolean;
}

export class ProgressParser {
  private block: Record<string, string> = {};
  private buffer = '';

  /** Feeds raw stdout; returns every complete progress block seen. */
  push(chunk: string): FfmpegProgress[] {
    this.buffer += chunk;
    const out: FfmpegProgress[] = [];
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      const eq = line.indexOf('=');
      if (eq <= 0) continue;
      const key = line.slice(0, eq);
      const value = line.slice(eq + 1).trim();
      this.block[key] = value;
      if (key === 'progress') {
        out.push(toProgress(this.block));
        this.block = {};
      }
    }
    return out;
  }
}

function num(v: string | undefined): number | null {
  if (v === undefined || v === 'N/A') return null;
  const n = Number.parseFloat(v);
  return Number.isFinite(n) ? n : null;
}

function toProgress(b: Record<string, string>): FfmpegProgress {
  // out_time_us is the modern key; old builds misname microseconds as out_time_ms.
  const us = num(b.out_time_us) ?? num(b.out_time_ms);
  return {
    frame: num(b.frame),
    outTimeSec: us === null ? null : us / 1e6,
    fps: num(b.fps),
    speed: num(b.speed?.replace(/x$/, '')),
    done: b.progress === 'end',
  };
}
