import { describe, expect, it } from 'vitest';
import { ProgressParser } from '../../../lambdas/core/progress.js';

const block = (over: Record<string, string> = {}) =>
  Object.entries({ frame: '120', fps: '59.94', out_time_us: '4004000', speed: '2.5x', progress: 'continue', ...over })
    .map(([k, v]) => `${k}=${v}\n`)
    .join('');

describe('ProgressParser', () => {
  it('parses one complete block', () => {
    expect(new ProgressParser().push(block())).toEqual([{ frame: 120, outTimeSec: 4.004, fps: 59.94, speed: 2.5, done: false }]);
  });

  it('reassembles lines split across chunks and emits only completed blocks', () => {
    const p = new ProgressParser();
    const text = block() + block({ frame: '240', out_time_us: '8008000' });
    const cut = text.indexOf('out_time_us') + 5; // mid-key of the first block
    expect(p.push(text.slice(0, cut))).toEqual([]);
    const second = text.indexOf('progress=continue') + 'progress=cont'.length; // mid-value
    expect(p.push(text.slice(cut, second))).toEqual([]);
    const out = p.push(text.slice(second));
    expect(out.map((x) => [x.frame, x.outTimeSec])).toEqual([
      [120, 4.004],
      [240, 8.008],
    ]);
  });

  it('does not carry keys from one block into the next', () => {
    const p = new ProgressParser();
    const out = p.push(block() + 'frame=5\nprogress=continue\n');
    expect(out[1]).toEqual({ frame: 5, outTimeSec: null, fps: null, speed: null, done: false });
  });

  it('reads the legacy out_time_ms key as microseconds', () => {
    const [b] = new ProgressParser().push('frame=1\nout_time_ms=2500000\nprogress=continue\n');
    expect(b.outTimeSec).toBe(2.5);
  });

  it('prefers out_time_us over out_time_ms and maps N/A to null', () => {
    const [b] = new ProgressParser().push('out_time_us=1000000\nout_time_ms=9000000\nspeed=N/A\nprogress=continue\n');
    expect(b.outTimeSec).toBe(1);
    expect(b.speed).toBeNull();
  });

  it('marks progress=end as done, with CRLF line ends', () => {
    const out = new ProgressParser().push(block({ progress: 'end' }).replace(/\n/g, '\r\n'));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ done: true, frame: 120 });
  });
});
