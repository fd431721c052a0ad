/**
 * The local metrics (the same records the EMF emitter publishes on AWS) in their own SQLite file,
 * `<root>/.mosaic/metrics.db`, and the figures the metrics API answers from them.
 *
 * Why not a row per metric value: 100,000 jobs make ~5.6 million of them, and a summary needs
 * exact percentiles of their ~800,000 step durations; reading that many rows (or even one small
 * blob per metric and hour: thousands of buffers) takes longer than the 50 ms a summary may. So:
 * - `rollups`: count, sum, min and max per (metric, hour of the epoch, group): job counts, cost and
 *   every series whose period is a whole number of hours add up these small rows;
 * - `segment_values` / `segment_points`: the exact points per (metric, day of the epoch, group, seq),
 *   up to SEGMENT_CAP each, as blobs: the values (f64) apart from their times (ms within the day)
 *   and dimensions ids (u32), clustered by metric so a query reads its data contiguously.
 *   Percentiles copy whole value blobs into one array per group and select (Floyd–Rivest, no
 *   sort); points are decoded and filtered by their exact time only for the hours or days a window
 *   cuts, and for periods that are not whole hours.
 * The group is the one dimension the summary splits a metric by (Function for step metrics,
 * Outcome for JobsEnded), so every window [since, until) and every period is exact and cheap.
 * Dimension combinations are interned (`dims`: canonical JSON → id). Record metadata (job and step
 * ids) is not kept: nothing here reads it, and the job store has the jobs.
 *
 * Length: ≈540 lines, one file on purpose: the tables, their blob codecs and the percentile
 * selection are one storage format, which the writer and every query read; split apart, each
 * part would need the others' private details.
 */
import Database from 'better-sqlite3';
import {
  MetricNames,
  InputInvalidError,
  METRIC_NAMES,
  METRICS,
  MetricDimensions,
  isMetricName,
  type MetricDimension,
  type MetricName,
  type MetricRecord,
  type MetricScope,
  type MetricsSeries,
  type MetricsSeriesQuery,
  type MetricsSummary,
} from '../lambdas/contracts/index.js';
import type { MetricsQuery, MetricsSink } from '../lambdas/ports.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Points per segment (12 bytes each). */
export const SEGMENT_CAP = 2048;
/**
 * Small appends (a job's records, one step's) go to a tail segment rewritten while it has at most
 * this many points; once COMPACT_AT segments of a (metric, day, group) are below SEGMENT_CAP they
 * are merged into full ones. So an append rewrites a few KiB, not a 24 KiB segment per metric,
 * and a day of a group stays a handful of blobs to read.
 */
const TAIL_CAP = 256;
const COMPACT_AT = 8;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS dims (id INTEGER PRIMARY KEY, json TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS rollups (
  name TEXT NOT NULL, hour INTEGER NOT NULL, grp TEXT NOT NULL,
  n INTEGER NOT NULL, sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL,
  PRIMARY KEY (name, hour, grp)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS segment_values (
  name TEXT NOT NULL, day INTEGER NOT NULL, grp TEXT NOT NULL, seq INTEGER NOT NULL, vals BLOB NOT NULL,
  PRIMARY KEY (name, day, grp, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS segment_points (
  name TEXT NOT NULL, day INTEGER NOT NULL, grp TEXT NOT NULL, seq INTEGER NOT NULL, meta BLOB NOT NULL,
  PRIMARY KEY (name, day, grp, seq)) WITHOUT ROWID;
`;

/** The dimension a metric is grouped by: the one the summary splits it by. */
const GROUP_BY: Partial<Record<MetricScope, MetricDimension>> = { step: MetricDimensions.Function, 'job-outcome': MetricDimensions.Outcome };
const groupDimension = (name: MetricName): MetricDimension | undefined => GROUP_BY[METRICS[name].scope];

// ---- percentiles (nearest rank on the exact values)

/**
 * The 0-based index, in ascending order, of the nearest-rank `p`-th percentile of `n` values:
 * rank ⌈p·n/100⌉ clamped to [1, n] (p0 is the minimum, p100 the maximum), or -1 when n is 0.
 */
export function nearestRankIndex(n: number, p: number): number {
  if (n <= 0) return -1;
  return Math.min(n, Math.max(1, Math.ceil((p * n) / 100))) - 1;
}

/** The nearest-rank percentiles `ps` of `values` (reordered in place; no NaN), null each when empty. */
export function percentiles(values: Float64Array, ps: readonly number[]): (number | null)[] {
  const n = values.length;
  const out: (number | null)[] = ps.map(() => null);
  if (n === 0) return out;
  const order = ps.map((p, i) => ({ i, k: nearestRankIndex(n, p) })).sort((a, b) => a.k - b.k);
  // After selecting rank k, everything right of it is ≥ it: a larger rank is found in (k, n).
  let lo = 0;
  let prev = -1;
  let value = NaN;
  for (const { i, k } of order) {
    if (k !== prev) {
      select(values, k, lo, n - 1);
      value = values[k]!;
      lo = k + 1;
      prev = k;
    }
    out[i] = value;
  }
  return out;
}

/**
 * Floyd–Rivest selection: puts the k-th smallest of a[left..right] at a[k], smaller ones left of
 * it and larger ones right (about n + min(k, n − k) comparisons; sorting 800,000 values is 10× slower).
 */
function select(a: Float64Array, k: number, left: number, right: number): void {
  while (right > left) {
    if (right - left > 600) {
      // Narrow to a sample range expected to hold the k-th value, select there first.
      const n = right - left + 1;
      const m = k - left + 1;
      const z = Math.log(n);
      const s = 0.5 * Math.exp((2 * z) / 3);
      const sd = 0.5 * Math.sqrt((z * s * (n - s)) / n) * (m - n / 2 < 0 ? -1 : 1);
      select(a, k, Math.max(left, Math.floor(k - (m * s) / n + sd)), Math.min(right, Math.floor(k + ((n - m) * s) / n + sd)));
    }
    const t = a[k]!;
    let i = left;
    let j = right;
    swap(a, left, k);
    if (a[right]! > t) swap(a, left, right);
    while (i < j) {
      swap(a, i, j);
      i++;
      j--;
      while (a[i]! < t) i++;
      while (a[j]! > t) j--;
    }
    if (a[left] === t) swap(a, left, j);
    else swap(a, ++j, right);
    if (j <= k) left = j + 1;
    if (k <= j) right = j - 1;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

// ---- segments

/** `buf` as f64s: a view when it is 8-byte aligned, else a copy. */
function f64(buf: Buffer): Float64Array {
  if (buf.byteOffset % 8 === 0) return new Float64Array(buf.buffer, buf.byteOffset, buf.length / 8);
  const out = new Float64Array(buf.length / 8);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

function u32(buf: Buffer): Uint32Array {
  if (buf.byteOffset % 4 === 0) return new Uint32Array(buf.buffer, buf.byteOffset, buf.length / 4);
  const out = new Uint32Array(buf.length / 4);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

/** A segment's points: values, ms within its day, dimensions ids. */
interface Points {
  values: Float64Array;
  offsets: Uint32Array;
  dims: Uint32Array;
}

function decode(vals: Buffer, meta: Buffer): Points {
  const values = f64(vals);
  const m = u32(meta);
  return { values, offsets: m.subarray(0, values.length), dims: m.subarray(values.length) };
}

/** The points of `parts` in one segment's layout: the values, then the offsets and dims ids together. */
function encodeParts(parts: Points[]): Points & { meta: Uint32Array } {
  const n = parts.reduce((s, p) => s + p.values.length, 0);
  const values = new Float64Array(n);
  const meta = new Uint32Array(2 * n);
  let at = 0;
  for (const p of parts) {
    values.set(p.values, at);
    meta.set(p.offsets, at);
    meta.set(p.dims, n + at);
    at += p.values.length;
  }
  return { values, offsets: meta.subarray(0, n), dims: meta.subarray(n), meta };
}

function encode(parts: Points[]): { vals: Buffer; meta: Buffer } {
  const p = encodeParts(parts);
  return { vals: Buffer.from(p.values.buffer), meta: Buffer.from(p.meta.buffer) };
}

function slice(p: Points, from: number, to: number): Points {
  return { values: p.values.subarray(from, to), offsets: p.offsets.subarray(from, to), dims: p.dims.subarray(from, to) };
}

/** The record's dimensions as one canonical string (keys sorted), the key of its `dims` row. */
export function canonicalDims(d: MetricRecord['dimensions']): string {
  const keys = Object.keys(d).filter((k) => typeof d[k as keyof typeof d] === 'string').sort();
  return JSON.stringify(Object.fromEntries(keys.map((k) => [k, d[k as keyof typeof d]])));
}

/**
 * The units (hours or days) of `unitMs` a window [since, until) covers whole ([full0, full1], empty
 * when full0 > full1), and the at most two it cuts (partly inside).
 */
function unitsOf(since: number, until: number, unitMs: number): { full0: number; full1: number; cut: number[] } {
  const u0 = Math.floor(since / unitMs);
  const u1 = Math.floor((until - 1) / unitMs);
  const full0 = Math.ceil(since / unitMs);
  const full1 = Math.floor(until / unitMs) - 1;
  const cut = [...new Set([u0, u1])].filter((u) => u <= u1 && (u < full0 || u > full1));
  return { full0, full1, cut };
}

interface Pending {
  name: MetricName;
  day: number;
  grp: string;
  values: number[];
  offsets: number[];
  dims: number[];
}

interface Rollup {
  name: MetricName;
  hour: number;
  grp: string;
  n: number;
  sum: number;
  min: number;
  max: number;
}

interface Bucket {
  count: number;
  sum: number;
  min: number;
  max: number;
}

type RollupRow = [grp: string, hour: number, n: number, sum: number, min: number, max: number];
type ValuesRow = [grp: string, vals: Buffer];
type PointsRow = [grp: string, day: number, vals: Buffer, meta: Buffer];

export class SqliteMetricsStore implements MetricsSink, MetricsQuery {
  private readonly db: Database.Database;
  private readonly dimsIds = new Map<string, number>();
  private readonly dimsByPlain = new Map<string, number>();
  private readonly stmt;

  constructor(file: string) {
    this.db = new Database(file);
    // Before the first table: bigger pages mean fewer overflow pages per segment blob.
    this.db.pragma('page_size = 16384');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    // The engine and a `mosaic stats` (or two engines on one folder) may meet: wait instead of failing.
    this.db.pragma('busy_timeout = 5000');
    // Blobs read straight from the mapped file rather than through a 2 MB page cache.
    this.db.pragma('mmap_size = 1073741824');
    this.db.exec(SCHEMA);
    const db = this.db;
    const KEY = 'name = ? AND day = ? AND grp = ?';
    this.stmt = {
      dimsInsert: db.prepare<[string]>('INSERT OR IGNORE INTO dims (json) VALUES (?)'),
      dimsId: db.prepare<[string], number>('SELECT id FROM dims WHERE json = ?').pluck(),
      rollup: db.prepare<[string, number, string, number, number, number, number]>(
        `INSERT INTO rollups (name, hour, grp, n, sum, min, max) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (name, hour, grp) DO UPDATE SET n = n + excluded.n, sum = sum + excluded.sum, min = min(min, excluded.min), max = max(max, excluded.max)`,
      ),
      sizes: db.prepare<[string, number, string], { seq: number; n: number }>(`SELECT seq, length(vals) / 8 AS n FROM segment_values WHERE ${KEY} ORDER BY seq`),
      data: db.prepare<[string, number, string, number], { vals: Buffer; meta: Buffer }>(
        `SELECT vals, meta FROM segment_values JOIN segment_points USING (name, day, grp, seq) WHERE ${KEY} AND seq = ?`,
      ),
      dropValues: db.prepare<[string, number, string, number]>(`DELETE FROM segment_values WHERE ${KEY} AND seq = ?`),
      dropPoints: db.prepare<[string, number, string, number]>(`DELETE FROM segment_points WHERE ${KEY} AND seq = ?`),
      putValues: db.prepare<[string, number, string, number, Buffer]>('INSERT OR REPLACE INTO segment_values (name, day, grp, seq, vals) VALUES (?, ?, ?, ?, ?)'),
      putPoints: db.prepare<[string, number, string, number, Buffer]>('INSERT OR REPLACE INTO segment_points (name, day, grp, seq, meta) VALUES (?, ?, ?, ?, ?)'),
      rollups: db.prepare<[string, number, number], RollupRow>('SELECT grp, hour, n, sum, min, max FROM rollups WHERE name = ? AND hour >= ? AND hour <= ?').raw(),
      values: db.prepare<[string, number, number], ValuesRow>('SELECT grp, vals FROM segment_values WHERE name = ? AND day >= ? AND day <= ?').raw(),
      points: db
        .prepare<[string, number, number], PointsRow>(
          'SELECT grp, day, vals, meta FROM segment_values JOIN segment_points USING (name, day, grp, seq) WHERE name = ? AND day >= ? AND day <= ?',
        )
        .raw(),
    };
  }

  close(): void {
    this.db.close();
  }

  // ---- writing

  async record(records: MetricRecord[]): Promise<void> {
    if (!records.length) return;
    this.db
      .transaction(() => {
        const pending = new Map<string, Pending>();
        const rollups = new Map<string, Rollup>();
        for (const r of records) {
          const at = Date.parse(r.at);
          if (!Number.isFinite(at) || at < 0) continue;
          const day = Math.floor(at / DAY_MS);
          const hour = Math.floor(at / HOUR_MS);
          const offset = at - day * DAY_MS;
          let dimsId = -1;
          for (const [name, value] of Object.entries(r.values)) {
            if (!isMetricName(name) || typeof value !== 'number' || !Number.isFinite(value)) continue;
            if (dimsId < 0) dimsId = this.intern(r.dimensions);
            const by = groupDimension(name);
            const grp = by ? (r.dimensions[by] ?? '') : '';
            const key = `${name}\u0000${day}\u0000${grp}`;
            let p = pending.get(key);
            if (!p) pending.set(key, (p = { name, day, grp, values: [], offsets: [], dims: [] }));
            p.values.push(value);
            p.offsets.push(offset);
            p.dims.push(dimsId);
            const rkey = `${name}\u0000${hour}\u0000${grp}`;
            const u = rollups.get(rkey);
            if (!u) rollups.set(rkey, { name, hour, grp, n: 1, sum: value, min: value, max: value });
            else {
              u.n++;
              u.sum += value;
              if (value < u.min) u.min = value;
              if (value > u.max) u.max = value;
            }
          }
        }
        for (const p of pending.values()) this.append(p);
        for (const u of rollups.values()) this.stmt.rollup.run(u.name, u.hour, u.grp, u.n, u.sum, u.min, u.max);
      })
      .immediate();
  }

  /** Adds points to the tail segment of their (metric, day, group) while it is small, else as new segments; compacts small ones. */
  private append(p: Pending): void {
    const next: Points = { values: Float64Array.from(p.values), offsets: Uint32Array.from(p.offsets), dims: Uint32Array.from(p.dims) };
    const k = next.values.length;
    const segs = this.stmt.sizes.all(p.name, p.day, p.grp);
    const last = segs[segs.length - 1];
    if (last && last.n + k <= TAIL_CAP) {
      this.put(p, last.seq, [this.load(p, last.seq), next]);
      return;
    }
    let seq = last ? last.seq + 1 : 0;
    for (let from = 0; from < k; from += SEGMENT_CAP, seq++) {
      const part = slice(next, from, from + SEGMENT_CAP);
      this.put(p, seq, [part]);
      segs.push({ seq, n: part.values.length });
    }
    const small = segs.filter((s) => s.n < SEGMENT_CAP);
    if (small.length < COMPACT_AT) return;
    const merged = encodeParts(small.map((s) => this.load(p, s.seq)));
    for (const s of small) {
      this.stmt.dropValues.run(p.name, p.day, p.grp, s.seq);
      this.stmt.dropPoints.run(p.name, p.day, p.grp, s.seq);
    }
    for (let from = 0; from < merged.values.length; from += SEGMENT_CAP, seq++) this.put(p, seq, [slice(merged, from, from + SEGMENT_CAP)]);
  }

  private load(p: Pending, seq: number): Points {
    const d = this.stmt.data.get(p.name, p.day, p.grp, seq)!;
    return decode(d.vals, d.meta);
  }

  private put(p: Pending, seq: number, parts: Points[]): void {
    const seg = encode(parts);
    this.stmt.putValues.run(p.name, p.day, p.grp, seq, seg.vals);
    this.stmt.putPoints.run(p.name, p.day, p.grp, seq, seg.meta);
  }

  private intern(d: MetricRecord['dimensions']): number {
    // Records of one kind spell their dimensions in one order: their plain JSON finds the id without sorting.
    const plain = JSON.stringify(d);
    const known = this.dimsByPlain.get(plain);
    if (known !== undefined) return known;
    const json = canonicalDims(d);
    let id = this.dimsIds.get(json);
    if (id === undefined) {
      this.stmt.dimsInsert.run(json);
      id = this.stmt.dimsId.get(json)!;
      this.dimsIds.set(json, id);
    }
    if (this.dimsByPlain.size < 100_000) this.dimsByPlain.set(plain, id);
    return id;
  }

  // ---- reading

  /** Calls `each` with every point of `name` in [from, to) (exact times). */
  private eachPoint(name: MetricName, from: number, to: number, each: (grp: string, at: number, value: number) => void): void {
    if (!(to > from)) return;
    for (const [grp, day, vals, meta] of this.stmt.points.iterate(name, Math.floor(from / DAY_MS), Math.floor((to - 1) / DAY_MS)) as IterableIterator<PointsRow>) {
      const base = day * DAY_MS;
      const lo = from - base;
      const hi = to - base;
      const { values, offsets } = decode(vals, meta);
      for (let i = 0; i < values.length; i++) {
        const o = offsets[i]!;
        if (o >= lo && o < hi) each(grp, base + o, values[i]!);
      }
    }
  }

  /** Σ of the values of `name` in [since, until), in all and per group: whole hours from the rollups, cut hours from the points. */
  private sums(name: MetricName, since: number, until: number): { total: number; by: Map<string, number> } {
    const by = new Map<string, number>();
    let total = 0;
    const add = (grp: string, v: number) => {
      total += v;
      by.set(grp, (by.get(grp) ?? 0) + v);
    };
    if (!(until > since)) return { total, by };
    const h = unitsOf(since, until, HOUR_MS);
    if (h.full0 <= h.full1) for (const [grp, , , sum] of this.stmt.rollups.all(name, h.full0, h.full1)) add(grp, sum);
    for (const hour of h.cut) this.eachPoint(name, Math.max(since, hour * HOUR_MS), Math.min(until, (hour + 1) * HOUR_MS), (grp, _at, v) => add(grp, v));
    return { total, by };
  }

  /** The values of `name` in [since, until), per group, each group's in one array. */
  private values(name: MetricName, since: number, until: number): Map<string, Float64Array> {
    const out = new Map<string, Float64Array>();
    if (!(until > since)) return out;
    const d = unitsOf(since, until, DAY_MS);
    const whole = d.full0 <= d.full1 ? this.stmt.values.all(name, d.full0, d.full1) : [];
    const cut = new Map<string, number[]>();
    for (const day of d.cut)
      this.eachPoint(name, Math.max(since, day * DAY_MS), Math.min(until, (day + 1) * DAY_MS), (grp, _at, v) => (cut.get(grp) ?? cut.set(grp, []).get(grp)!).push(v));
    const sizes = new Map<string, number>();
    for (const [grp, vals] of whole) sizes.set(grp, (sizes.get(grp) ?? 0) + vals.length / 8);
    for (const [grp, vs] of cut) sizes.set(grp, (sizes.get(grp) ?? 0) + vs.length);
    const filled = new Map<string, number>();
    for (const [grp, size] of sizes) {
      out.set(grp, new Float64Array(size));
      filled.set(grp, 0);
    }
    // Whole days: their value blobs copied as bytes into the group's array.
    for (const [grp, vals] of whole) {
      const at = filled.get(grp)!;
      new Uint8Array(out.get(grp)!.buffer, at * 8, vals.length).set(vals);
      filled.set(grp, at + vals.length / 8);
    }
    for (const [grp, vs] of cut) out.get(grp)!.set(vs, filled.get(grp)!);
    return out;
  }

  async summary(since: Date, until: Date): Promise<MetricsSummary> {
    const s = since.getTime();
    const u = until.getTime();
    const ended = this.sums(MetricNames.JobsEnded, s, u);
    const cost = this.sums(MetricNames.JobCostUsd, s, u).total;
    const minutes = this.sums(MetricNames.JobOutputMinutes, s, u).total;
    const [p50, p90, p99] = percentiles(concat([...this.values(MetricNames.JobWallSeconds, s, u).values()]), [50, 90, 99]);
    const steps: MetricsSummary['latency']['steps'] = {};
    const byFunction = this.values(MetricNames.StepDurationSeconds, s, u);
    for (const fn of [...byFunction.keys()].sort()) {
      const [sp50, sp99] = percentiles(byFunction.get(fn)!, [50, 99]);
      steps[fn || 'unknown'] = { p50: sp50 ?? null, p99: sp99 ?? null };
    }
    const count = (outcome: string) => Math.round(ended.by.get(outcome) ?? 0);
    return {
      since: since.toISOString(),
      until: until.toISOString(),
      jobs: { total: Math.round(ended.total), succeeded: count('SUCCEEDED'), failed: count('FAILED'), cancelled: count('CANCELLED') },
      cost: { totalUsd: cost, perOutputMinuteUsd: minutes > 0 ? cost / minutes : null },
      latency: { endToEndSec: { p50: p50 ?? null, p90: p90 ?? null, p99: p99 ?? null }, steps },
    };
  }

  async series(query: MetricsSeriesQuery & { since: string }, until: Date): Promise<MetricsSeries> {
    const name = query.metric as string;
    if (!isMetricName(name)) throw new InputInvalidError(`unknown metric "${name}"; known metrics: ${METRIC_NAMES.join(', ')}`);
    const period = query.period;
    if (!Number.isInteger(period) || period < 1) throw new InputInvalidError(`period must be a whole number of seconds, got ${period}`);
    const since = Date.parse(query.since);
    if (!Number.isFinite(since)) throw new InputInvalidError(`since is not a date: "${query.since}"`);
    const u = until.getTime();
    const periodMs = period * 1000;
    const buckets = new Map<number, Bucket>();
    const merge = (k: number, count: number, sum: number, min: number, max: number) => {
      const b = buckets.get(k);
      if (!b) buckets.set(k, { count, sum, min, max });
      else {
        b.count += count;
        b.sum += sum;
        if (min < b.min) b.min = min;
        if (max > b.max) b.max = max;
      }
    };
    // Consecutive points mostly share a bucket: look it up only when it changes.
    let lastK = NaN;
    let last: Bucket | undefined;
    const point = (_grp: string, at: number, v: number) => {
      const k = Math.floor(at / periodMs);
      if (k !== lastK) {
        merge(k, 0, 0, v, v);
        lastK = k;
        last = buckets.get(k)!;
      }
      last!.count++;
      last!.sum += v;
      if (v < last!.min) last!.min = v;
      if (v > last!.max) last!.max = v;
    };
    if (u > since) {
      if (periodMs % HOUR_MS === 0) {
        // Every whole hour lies in one bucket: its rollups are the bucket's.
        const h = unitsOf(since, u, HOUR_MS);
        if (h.full0 <= h.full1) for (const [, hour, n, sum, min, max] of this.stmt.rollups.all(name, h.full0, h.full1)) merge(Math.floor((hour * HOUR_MS) / periodMs), n, sum, min, max);
        for (const hour of h.cut) this.eachPoint(name, Math.max(since, hour * HOUR_MS), Math.min(u, (hour + 1) * HOUR_MS), point);
      } else this.eachPoint(name, since, u, point);
    }
    return {
      metric: name,
      unit: METRICS[name].unit,
      period,
      since: new Date(since).toISOString(),
      until: until.toISOString(),
      buckets: [...buckets.entries()].sort((x, y) => x[0] - y[0]).map(([k, b]) => ({ start: new Date(k * periodMs).toISOString(), ...b })),
    };
  }
}

function concat(parts: Float64Array[]): Float64Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
