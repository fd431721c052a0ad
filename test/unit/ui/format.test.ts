import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatKbps, formatMs, formatPercent, formatRelative, formatScore, formatUsd } from '../../../ui/src/lib/format.ts';

describe('format', () => {
  it('writes durations', () => {
    expect(formatDuration(65)).toBe('1 m 05 s');
    expect(formatDuration(0.25)).toBe('250 ms');
    expect(formatDuration(4.26)).toBe('4.3 s');
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(7380)).toBe('2 h 03 m');
    expect(formatDuration(null)).toBe('—');
    expect(formatMs(65_000)).toBe('1 m 05 s');
  });
  it('writes bytes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.50 KB');
    expect(formatBytes(12.34 * 1024 * 1024)).toBe('12.3 MB');
    expect(formatBytes(300 * 1024 ** 3)).toBe('300 GB');
    expect(formatBytes(undefined)).toBe('—');
  });
  it('writes dollars, small amounts to 4 significant digits', () => {
    expect(formatUsd(1.234)).toBe('$1.23');
    expect(formatUsd(1234.5)).toBe('$1,234.50');
    expect(formatUsd(0.0001234567)).toBe('$0.0001235');
    expect(formatUsd(0.005)).toBe('$0.005');
    expect(formatUsd(0.000000123456)).toBe('$0.0000001235');
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(null)).toBe('—');
  });
  it('writes percentages', () => {
    expect(formatPercent(100)).toBe('100%');
    expect(formatPercent(99.54)).toBe('99.5%');
    expect(formatPercent(42)).toBe('42%');
    expect(formatPercent(120)).toBe('100%');
  });
  it('writes relative times', () => {
    const now = Date.parse('2024-05-01T12:00:00Z');
    expect(formatRelative('2024-05-01T11:59:58Z', now)).toBe('just now');
    expect(formatRelative('2024-05-01T11:59:30Z', now)).toBe('30 s ago');
    expect(formatRelative('2024-05-01T11:55:00Z', now)).toBe('5 min ago');
    expect(formatRelative('2024-05-01T09:00:00Z', now)).toBe('3 h ago');
    expect(formatRelative('2024-04-29T12:00:00Z', now)).toBe('2 d ago');
    expect(formatRelative('2024-05-01T12:05:00Z', now)).toBe('in 5 min');
    expect(formatRelative('nonsense', now)).toBe('—');
  });
  it('writes bitrates and scores', () => {
    expect(formatKbps(850)).toBe('850 kb/s');
    expect(formatKbps(4500)).toBe('4.5 Mb/s');
    expect(formatScore(93.456)).toBe('93.46');
    expect(formatScore(null)).toBe('—');
  });
});
