import { describe, expect, it } from 'vitest';
import { cueAt, cueImageUrl, parseThumbnailsVtt, vttTime } from '../../../ui/src/lib/thumbnails-vtt.ts';
import { planSprite, spriteVtt } from '../../../lambdas/core/thumbnails.ts';

describe('thumbnails WebVTT', () => {
  it('reads what core/thumbnails.ts writes', () => {
    const layout = planSprite({ durationSec: 25, intervalSec: 2, maxTiles: 100, tileWidth: 160, sourceWidth: 1920, sourceHeight: 1080 });
    const cues = parseThumbnailsVtt(spriteVtt(layout, 'sprite.jpg', 25));
    expect(cues).toHaveLength(layout.count);
    expect(cues[0]).toEqual({ start: 0, end: 2, image: 'sprite.jpg', x: 0, y: 0, w: 160, h: 90 });
    expect(cues[11]).toMatchObject({ start: 22, end: 24, x: 160, y: 90 });
    expect(cues.at(-1)!.end).toBe(25);
  });
  it('parses times, CRLF, a BOM and skips cues without a tile', () => {
    expect(vttTime('01:02:03.500')).toBe(3723.5);
    expect(vttTime('02:03.250')).toBe(123.25);
    expect(vttTime('bad')).toBeNaN();
    const text = '\uFEFFWEBVTT\r\n\r\n00:00.000 --> 00:05.000\r\nsheet.jpg#xywh=0,0,100,50\r\n\r\n00:05.000 --> 00:10.000\r\nno fragment\r\n\r\n1\r\n00:10.000 --> 00:15.000\r\nsheet.jpg#xywh=100,0,100,50\r\n';
    const cues = parseThumbnailsVtt(text);
    expect(cues.map((c) => [c.start, c.x])).toEqual([
      [0, 0],
      [10, 100],
    ]);
    expect(parseThumbnailsVtt('not vtt')).toEqual([]);
  });
  it('finds the cue at a time', () => {
    const cues = parseThumbnailsVtt('WEBVTT\n\n00:00.000 --> 00:02.000\ns.jpg#xywh=0,0,1,1\n\n00:02.000 --> 00:04.000\ns.jpg#xywh=1,0,1,1\n\n00:04.000 --> 00:05.000\ns.jpg#xywh=2,0,1,1\n');
    expect(cueAt(cues, 0)!.x).toBe(0);
    expect(cueAt(cues, 1.99)!.x).toBe(0);
    expect(cueAt(cues, 2)!.x).toBe(1);
    expect(cueAt(cues, 4.5)!.x).toBe(2);
    expect(cueAt(cues, 99)!.x).toBe(2);
    expect(cueAt(cues, -1)!.x).toBe(0);
    expect(cueAt([], 1)).toBeNull();
  });
  it('loads the image from the sprite link, or relative to the VTT', () => {
    const sprite = { key: 'outputs/j1/sprite.jpg', url: 'https://b.s3.amazonaws.com/outputs/j1/sprite.jpg?X-Amz-Signature=abc' };
    expect(cueImageUrl('sprite.jpg', 'https://b.s3.amazonaws.com/outputs/j1/thumbnails.vtt?X-Amz-Signature=def', sprite)).toBe(sprite.url);
    expect(cueImageUrl('other.jpg', '/files/outputs/j1/thumbnails.vtt', null)).toBe('/files/outputs/j1/other.jpg');
    expect(cueImageUrl('other.jpg', 'https://cdn.example/a/thumbnails.vtt', sprite)).toBe('https://cdn.example/a/other.jpg');
  });
});
