/**
 * Property: the compiled matcher (closures, inline comparisons, grouped wildcard and suffix
 * families) agrees with a plain recursive reading of the EventBridge rules, written here from the
 * semantics alone, on random patterns and random events.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePattern, eventPatternIssues } from '../../../lambdas/core/event-pattern/index.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = Record<string, unknown>;

// ---- the reference interpretation -----------------------------------------------------------

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function leaves(v: unknown): unknown[] {
  if (v === undefined || isObj(v)) return [];
  if (Array.isArray(v)) return v.flatMap(leaves);
  return [v];
}

function objects(v: unknown): Obj[] {
  if (isObj(v)) return [v];
  if (Array.isArray(v)) return v.flatMap(objects);
  return [];
}

function ipv4(s: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m || m.slice(1).some((x) => Number(x) > 255)) return null;
  return m.slice(1).reduce((n, x) => n * 256 + Number(x), 0);
}

function wildcardRegExp(p: string): RegExp {
  let src = '';
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '\\') src += p[++i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (p[i] === '*') src += '[\\s\\S]*';
    else src += p[i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${src}$`);
}

function refValue(entry: unknown, v: unknown): boolean {
  if (!isObj(entry)) return v === entry;
  const [op, arg] = Object.entries(entry)[0];
  const str = typeof v === 'string';
  const ic = (a: unknown) => (isObj(a) ? (a['equals-ignore-case'] as string) : null);
  switch (op) {
    case 'prefix':
      return str && (ic(arg) !== null ? v.toLowerCase().startsWith(ic(arg)!.toLowerCase()) : v.startsWith(arg as string));
    case 'suffix':
      return str && (ic(arg) !== null ? v.toLowerCase().endsWith(ic(arg)!.toLowerCase()) : v.endsWith(arg as string));
    case 'equals-ignore-case':
      return str && v.toLowerCase() === (arg as string).toLowerCase();
    case 'wildcard':
      return str && wildcardRegExp(arg as string).test(v);
    case 'cidr': {
      const [base, bits] = (arg as string).split('/');
      const ip = str ? ipv4(v) : null;
      const low = ipv4(base)!;
      return ip !== null && ip >= low && ip <= low + 2 ** (32 - Number(bits)) - 1;
    }
    case 'numeric': {
      if (typeof v !== 'number' || Math.abs(v) > 5e9) return false;
      const a = arg as [string, number, string?, number?];
      const cmp = (o: string, n: number) => (o === '=' ? v === n : o === '<' ? v < n : o === '<=' ? v <= n : o === '>' ? v > n : v >= n);
      return cmp(a[0], a[1]) && (a[2] === undefined || cmp(a[2], a[3]!));
    }
    case 'anything-but': {
      if (!isObj(arg)) return !(Array.isArray(arg) ? arg : [arg]).includes(v);
      if (!str) return true;
      const [k, inner] = Object.entries(arg)[0];
      const list = (Array.isArray(inner) ? inner : [inner]) as string[];
      const hit = (s: string) => (k === 'prefix' ? v.startsWith(s) : k === 'suffix' ? v.endsWith(s) : k === 'wildcard' ? wildcardRegExp(s).test(v) : v.toLowerCase() === s.toLowerCase());
      return !list.some(hit);
    }
    default:
      throw new Error(op);
  }
}

function refObject(pattern: Obj, obj: Obj | undefined): boolean {
  return Object.entries(pattern).every(([key, value]) => {
    if (key === '$or') return (value as Obj[]).some((alt) => refObject(alt, obj));
    const v = obj && Object.hasOwn(obj, key) ? obj[key] : undefined;
    if (Array.isArray(value)) {
      const present = leaves(v);
      const absentOk = value.some((e) => isObj(e) && e.exists === false);
      const existsOk = value.some((e) => isObj(e) && e.exists === true);
      if (present.length === 0) return absentOk;
      return existsOk || present.some((x) => value.some((e) => !(isObj(e) && 'exists' in e) && refValue(e, x)));
    }
    const inner = objects(v);
    return inner.length === 0 ? refObject(value as Obj, undefined) : inner.some((o) => refObject(value as Obj, o));
  });
}

const reference = (pattern: Obj, event: unknown) => refObject(pattern, isObj(event) ? event : undefined);

// ---- generators -----------------------------------------------------------------------------

const KEYS = ['a', 'b', 'key', 'n'];
const STRINGS = ['', 'x', 'X', 'xy', 'inbox/', 'inbox/.mp4', 'inbox/.MOV', 'inbox/a.mp4', 'inbox/b/C.MOV', 'inbox/c.Mp4', 'out/a.mp4', 'a*b', 'Straße', 'éTÉ', '10.0.0.7', '10.1.2.3'];
const NUMBERS = [0, 1, 2.5, -3, 100, 6e9];
const scalar = fc.oneof(fc.constantFrom(...STRINGS), fc.constantFrom(...NUMBERS), fc.boolean(), fc.constant(null));
const literal = fc.oneof(fc.constantFrom(...STRINGS.filter((s) => !/^\d/.test(s))), fc.constantFrom(...NUMBERS.slice(0, 5)), fc.boolean(), fc.constant(null));
const text = fc.constantFrom('x', 'X', 'inbox/', '.mp4', '.MOV', 'a', 'é', 'ß');
const wildcardText = fc.constantFrom('inbox/*.mp4', 'inbox/*.MOV', 'inbox/*.mov', 'inbox/*', '*.mp4', '*x*', 'a\\*b', 'x', '*', 'inbox/*/C.*');
const operator = fc.oneof(
  text.map((t) => ({ prefix: t })),
  text.map((t) => ({ prefix: { 'equals-ignore-case': t } })),
  text.map((t) => ({ suffix: t })),
  text.map((t) => ({ suffix: { 'equals-ignore-case': t } })),
  text.map((t) => ({ 'equals-ignore-case': t })),
  wildcardText.map((w) => ({ wildcard: w })),
  fc.constantFrom('10.0.0.0/24', '10.0.0.0/8', '10.1.0.0/16').map((c) => ({ cidr: c })),
  fc.constantFrom(['=', 1], ['<', 2.5], ['>=', 0], ['>', -3, '<=', 100], ['>=', 0, '<', 1]).map((n) => ({ numeric: n })),
  fc.oneof(
    fc.constantFrom('x', 'inbox/a.mp4'),
    fc.constantFrom(1, 100),
    fc.constantFrom(['x', 'xy'], [0, 2.5]),
    text.map((t) => ({ prefix: t })),
    fc.constantFrom(['.mp4', '.MOV']).map((s) => ({ suffix: s })),
    wildcardText.map((w) => ({ wildcard: w })),
    fc.constantFrom('X', ['x', 'XY']).map((s) => ({ 'equals-ignore-case': s })),
  ).map((a) => ({ 'anything-but': a })),
  fc.boolean().map((b) => ({ exists: b })),
);
/** Lists like the ingest rules': many wildcard spellings, or many case-insensitive suffixes (compiled as one family test). */
const family = fc.oneof(
  fc.subarray(['inbox/*.mp4', 'inbox/*.MP4', 'inbox/*.mov', 'inbox/*.MOV', 'inbox/*.Mp4', 'out/*.mp4', '*.mp4', 'inbox/*'], { minLength: 2 }).map((ws) => ws.map((w) => ({ wildcard: w }))),
  fc.subarray(['.mp4', '.MOV', '.ß', 'X', '4'], { minLength: 2 }).map((ss) => ss.map((x) => ({ suffix: { 'equals-ignore-case': x } }))),
);
const valueList = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.oneof({ weight: 2, arbitrary: literal }, { weight: 3, arbitrary: operator }), { minLength: 1, maxLength: 4 }) },
  { weight: 1, arbitrary: family },
);

const { pattern } = fc.letrec<{ pattern: Obj }>((tie) => ({
  pattern: fc
    .tuple(
      fc.dictionary(fc.constantFrom(...KEYS), fc.oneof({ weight: 4, arbitrary: valueList }, { weight: 1, arbitrary: tie('pattern') }), { minKeys: 1, maxKeys: 3 }),
      fc.option(fc.array(tie('pattern'), { minLength: 2, maxLength: 3 }), { freq: 4 }),
    )
    .map(([fields, or]) => (or ? { ...fields, $or: or } : fields)),
}));

const { event } = fc.letrec<{ event: Json }>((tie) => ({
  event: fc.dictionary(fc.constantFrom(...KEYS), fc.oneof({ weight: 5, arbitrary: scalar }, { weight: 2, arbitrary: tie('event') }, { weight: 2, arbitrary: fc.array(fc.oneof(scalar, tie('event')), { maxLength: 3 }) }), { maxKeys: 4 }),
}));

describe('compiled matcher = reference interpretation', () => {
  it('on random valid patterns and events', () => {
    let compared = 0;
    fc.assert(
      fc.property(pattern, fc.array(event, { minLength: 1, maxLength: 8 }), (p, events) => {
        fc.pre(eventPatternIssues(p).length === 0);
        const m = compilePattern(p);
        for (const e of events) expect(m(e), JSON.stringify({ pattern: p, event: e })).toBe(reference(p, e));
        compared += events.length;
      }),
      { numRuns: 1000, seed: 20250601 },
    );
    expect(compared).toBeGreaterThan(2000);
  });
});
