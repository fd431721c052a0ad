import { describe, expect, it } from 'vitest';
import { levelIndexFor, rungLabel } from '../../../ui/src/lib/rungs.ts';

describe('levelIndexFor', () => {
  const levels = [
    { height: 360, bitrate: 800_000 },
    { height: 720, bitrate: 2_600_000 },
    { height: 1080, bitrate: 4_700_000 },
    { height: 1080, bitrate: 7_900_000 },
  ];
  it('matches by height, then the nearest bitrate', () => {
    expect(levelIndexFor(levels, { height: 720, bitrateKbps: 2500 })).toBe(1);
    expect(levelIndexFor(levels, { height: 1080, bitrateKbps: 8000 })).toBe(3);
    expect(levelIndexFor(levels, { height: 1080, bitrateKbps: 4500 })).toBe(2);
  });
  it('falls back to the nearest height, or -1 without levels', () => {
    expect(levelIndexFor(levels, { height: 480, bitrateKbps: 1200 })).toBe(0);
    expect(levelIndexFor([], { height: 480, bitrateKbps: 1200 })).toBe(-1);
  });
  it('labels a rung', () => {
    expect(rungLabel({ id: 'r2', height: 1080, bitrateKbps: 4500 })).toBe('1080p · 4.5 Mb/s (r2)');
    expect(rungLabel({ id: 'r0', height: 360, bitrateKbps: 800 })).toBe('360p · 800 kb/s (r0)');
  });
});
