/**
 * How the UI writes numbers: durations, bytes, money, percentages, relative times. Pure (no DOM),
 * so the views and the Node unit tests share it.
 */

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `850 ms`, `12 s`, `1 m 05 s`, `2 h 03 m`; `—` for null/NaN. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const neg = seconds < 0;
  const s = Math.abs(seconds);
  let out: string;
  if (s < 1) out = `${Math.round(s * 1000)} ms`;
  else if (s < 10) out = `${(Math.round(s * 10) / 10).toString()} s`;
  else if (s < 60) out = `${Math.round(s)} s`;
  else {
    const total = Math.round(s);
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const sec = total % 60;
    out = h > 0 ? `${h} h ${pad2(m)} m` : `${m} m ${pad2(sec)} s`;
  }
  return neg ? `-${out}` : out;
}

/** Milliseconds as a duration. */
export const formatMs = (ms: number | null | undefined): string => (ms === null || ms === undefined ? '—' : formatDuration(ms / 1000));

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];
/** Bytes in powers of 1024: `512 B`, `1.5 KB`, `12.3 MB`. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  let v = Math.abs(bytes);
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  const digits = u === 0 || v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${bytes < 0 ? '-' : ''}${v.toFixed(digits)} ${UNITS[u]}`;
}

/**
 * US dollars: `$1.23` for a cent or more, and small amounts to 4 significant digits
 * (`$0.0001234`), so a job that costs a fraction of a cent still shows what it costs.
 */
export function formatUsd(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return '—';
  const sign = usd < 0 ? '-' : '';
  const a = Math.abs(usd);
  if (a === 0) return '$0.00';
  if (a >= 0.01) return `${sign}$${a.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  // Four significant digits, trailing zeros dropped: 0.0001234 → $0.0001234, 0.005 → $0.005.
  const decimals = Math.min(20, 3 - Math.floor(Math.log10(a)));
  return `${sign}$${a.toFixed(decimals).replace(/0+$/, '')}`;
}

/** `42%`, `99.5%` (one decimal below 100 when not whole). */
export function formatPercent(percent: number | null | undefined): string {
  if (percent === null || percent === undefined || !Number.isFinite(percent)) return '—';
  const p = Math.min(100, Math.max(0, percent));
  const r = Math.round(p * 10) / 10;
  return `${Number.isInteger(r) ? r.toFixed(0) : r.toFixed(1)}%`;
}

/** A time relative to `now`: `just now`, `12 s ago`, `5 min ago`, `3 h ago`, `2 d ago`, `in 5 min`. */
export function formatRelative(time: string | number | Date | null | undefined, now: number = Date.now()): string {
  if (time === null || time === undefined) return '—';
  const t = typeof time === 'number' ? time : new Date(time).getTime();
  if (!Number.isFinite(t)) return '—';
  const d = (now - t) / 1000;
  const a = Math.abs(d);
  if (a < 5) return 'just now';
  let v: string;
  if (a < 60) v = `${Math.round(a)} s`;
  else if (a < 3600) v = `${Math.round(a / 60)} min`;
  else if (a < 86_400) v = `${Math.round(a / 3600)} h`;
  else v = `${Math.round(a / 86_400)} d`;
  return d >= 0 ? `${v} ago` : `in ${v}`;
}

/** A bitrate: `850 kb/s`, `4.5 Mb/s`. */
export function formatKbps(kbps: number | null | undefined): string {
  if (kbps === null || kbps === undefined || !Number.isFinite(kbps)) return '—';
  return kbps >= 1000 ? `${(Math.round(kbps / 100) / 10).toString()} Mb/s` : `${Math.round(kbps)} kb/s`;
}

/** A quality score with the given decimals, `—` when absent. */
export const formatScore = (v: number | null | undefined, decimals = 2): string => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(decimals));

/** A local date-time for a tooltip, ISO-like and stable: `2024-05-01 12:03:04`. */
export function formatTime(time: string | number | null | undefined): string {
  if (time === null || time === undefined) return '—';
  const d = new Date(time);
  if (!Number.isFinite(d.getTime())) return '—';
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}
