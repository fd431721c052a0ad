import { describe, expect, it } from 'vitest';
import { planSprite, spriteVtt } from '../../../lambdas/core/thumbnails.js';

const sprite = (durationSec: number, over: Partial<Parameters<typeof planSprite>[0]> = {}) =>
  planSprite({ durationSec, intervalSec: 5, maxTiles: 100, tileWidth: 160, sourceWidth: 1920, sourceHeight: 1080, ...over });

describe('planSprite', () => {
  it('lays out one tile per interval, up to 10 columns', () => {
    expect(sprite(30)).toEqual({ count: 6, intervalSec: 5, columns: 6, rows: 1, tileWidth: 160, tileHeight: 90 });
    expect(sprite(123)).toMatchObject({ count: 25, columns: 10, rows: 3 });
  });

  it('widens the interval when the tile count would exceed maxTiles', () => {
    const s = sprite(1001);
    expect(s.intervalSec).toBeGreaterThan(5);
    expect(s.count).toBeLessThanOrEqual(100);
    expect(s.count * s.intervalSec).toBeGreaterThanOrEqual(1001);
    expect(sprite(1000)).toMatchObject({ intervalSec: 10, count: 100, columns: 10, rows: 10 });
  });

  it('keeps the tile height even and in aspect', () => {
    const s = sprite(30, { tileWidth: 120, sourceWidth: 1280, sourceHeight: 720 }); // 67.5 exact
    expect(s.tileHeight % 2).toBe(0);
    expect(Math.abs(s.tileHeight - 67.5)).toBeLessThanOrEqual(1);
    const portrait = sprite(30, { sourceWidth: 1080, sourceHeight: 1920 });
    expect(portrait.tileHeight).toBe(284);
  });

  it('has at least one tile for a very short source', () => {
    expect(sprite(0.5).count).toBe(1);
  });
});

describe('spriteVtt', () => {
  const TS = /^\d{2}:\d{2}:\d{2}\.\d{3}$/;
  const cues = (vtt: string) =>
    [...vtt.matchAll(/^(\S+) --> (\S+)\n(.+)#xywh=(\d+),(\d+),(\d+),(\d+)$/gm)].map((m) => ({
      start: m[1],
      end: m[2],
      uri: m[3],
      xywh: m.slice(4).map(Number),
    }));

  it('writes one cue per tile with grid coordinates, the last ending at the duration', () => {
    const layout = sprite(123);
    const vtt = spriteVtt(layout, 'sprite.jpg', 123);
    expect(vtt.startsWith('WEBVTT\n\n')).toBe(true);
    const c = cues(vtt);
    expect(c).toHaveLength(25);
    expect(c[0]).toEqual({ start: '00:00:00.000', end: '00:00:05.000', uri: 'sprite.jpg', xywh: [0, 0, 160, 90] });
    expect(c[12].xywh).toEqual([2 * 160, 1 * 90, 160, 90]);
    expect(c[24]).toMatchObject({ start: '00:02:00.000', end: '00:02:03.000', xywh: [4 * 160, 2 * 90, 160, 90] });
    for (const cue of c) {
      expect(cue.start).toMatch(TS);
      expect(cue.end).toMatch(TS);
    }
    for (let i = 1; i < c.length; i++) expect(c[i].start).toBe(c[i - 1].end);
  });

  it('formats hours and milliseconds', () => {
    const layout = sprite(3725.5);
    const c = cues(spriteVtt(layout, 's.jpg', 3725.5));
    expect(c).toHaveLength(layout.count);
    expect(c.at(-1)!.end).toBe('01:02:05.500');
  });
});
