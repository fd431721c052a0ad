import { describe, expect, it } from 'vitest';
import { alignSeries, seriesColour, seriesStats } from '../../../ui/src/lib/series.ts';

describe('alignSeries', () => {
  it('joins the times of every series and fills gaps with null', () => {
    const [xs, a, b] = alignSeries([
      { label: 'a', points: [{ t: 3, v: 30 }, { t: 1, v: 10 }] },
      { label: 'b', points: [{ t: 2, v: 2 }, { t: 3, v: 3 }] },
    ]);
    expect(xs).toEqual([1, 2, 3]);
    expect(a).toEqual([10, null, 30]);
    expect(b).toEqual([null, 2, 3]);
  });
  it('handles no series and empty series', () => {
    expect(alignSeries([])).toEqual([[]]);
    expect(alignSeries([{ label: 'x', points: [] }])).toEqual([[], []]);
  });
  it('summarises a series and cycles colours', () => {
    expect(seriesStats([{ t: 2, v: 5 }, { t: 1, v: 9 }, { t: 3, v: 1 }])).toEqual({ last: 1, min: 1, max: 9 });
    expect(seriesStats([])).toEqual({ last: null, min: null, max: null });
    expect(seriesColour(0)).toBe(seriesColour(8));
  });
});
