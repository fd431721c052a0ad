import { describe, expect, it } from 'vitest';
import { alignWebVtt, formatVttTime, parseWebVtt } from '../../../lambdas/core/webvtt.js';

const VTT = [
  'WEBVTT',
  '',
  '00:00.100 --> 00:00.150',
  'before the first frame',
  '',
  'cue-2',
  '00:00.900 --> 00:02.000 line:0 align:start',
  'straddles the origin',
  '',
  '01:00:01.500 --> 01:00:02.500',
  'an hour in & <b>bold</b> &amp; kept',
  '',
  '00:09.500 --> 00:12.000',
  'runs past the end',
  '',
].join('\n');

describe('WebVTT alignment', () => {
  it('moves cues onto the video timeline, cuts them at its edges and drops the ones outside', () => {
    const { cues, text } = alignWebVtt(VTT, { offsetSec: 1, durationSec: 3601 });
    // In start order, as WebVTT wants them; bare & escaped, entities kept.
    expect(cues.map((c) => [c.startSec, c.endSec, c.text])).toEqual([
      [0, 1, 'straddles the origin'],
      [8.5, 11, 'runs past the end'],
      [3600.5, 3601, 'an hour in &amp; <b>bold</b> &amp; kept'],
    ]);
    expect(alignWebVtt(VTT, { offsetSec: 1, durationSec: 3600.2 }).cues.map((c) => c.text)).toEqual(['straddles the origin', 'runs past the end']);
    expect(text.startsWith('WEBVTT\n\n')).toBe(true);
    expect(text).toContain('cue-2\n00:00:00.000 --> 00:00:01.000 line:0 align:start\nstraddles the origin');
    expect(parseWebVtt(text).cues).toHaveLength(3);
  });

  it('keeps the cue times when the offset is 0 (a sidecar) and clips at the duration', () => {
    const { cues } = alignWebVtt(VTT, { offsetSec: 0, durationSec: 10 });
    expect(cues.map((c) => [c.startSec, c.endSec])).toEqual([
      [0.1, 0.15],
      [0.9, 2],
      [9.5, 10],
    ]);
  });

  it('a negative offset (video origin before 0) moves cues later', () => {
    expect(alignWebVtt(VTT, { offsetSec: -0.5, durationSec: 5 }).cues[0]).toMatchObject({ startSec: 0.6, endSec: 0.65 });
  });

  it('reads CRLF and a BOM, and refuses text without the WEBVTT header', () => {
    expect(parseWebVtt('\uFEFFWEBVTT\r\n\r\n00:01.000 --> 00:02.000\r\nhi\r\n').cues).toEqual([{ startSec: 1, endSec: 2, settings: '', id: null, text: 'hi' }]);
    expect(() => parseWebVtt('1\n00:00:01,000 --> 00:00:02,000\nhi\n')).toThrow(/WEBVTT/);
  });

  it('formats hours, minutes, seconds and milliseconds', () => {
    expect(formatVttTime(0)).toBe('00:00:00.000');
    expect(formatVttTime(3723.4567)).toBe('01:02:03.457');
    expect(formatVttTime(-1)).toBe('00:00:00.000');
  });
});
