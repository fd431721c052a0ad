/**
 * One field's value list (`"state": ["running", { "prefix": "stop" }, …]`) compiled into a single
 * test of one event value: the list matches when any entry matches, and a field matches when any of
 * its values (array elements included) does. Operators apply only to the JSON types AWS applies
 * them to: `prefix`, `suffix`, `equals-ignore-case`, `wildcard` and `cidr` to strings, `numeric`
 * to numbers, while `anything-but` matches every present value it does not exclude — other types
 * and `null` included.
 */
import { NUMERIC_LIMIT, isPlainObject, type PatternValue } from '../../contracts/index.js';
import { parseCidr, parseIpAddress } from './ip.js';
import { equalsIgnoreCase, prefixIgnoreCase, suffixIgnoreCase, wildcard, wildcardSegments, type StringTest } from './string-tests.js';

export type Scalar = string | number | boolean | null;
export type ScalarTest = (v: Scalar) => boolean;
type NumberTest = (n: number) => boolean;

export interface CompiledValueList {
  /** Whether a present leaf value matches. */
  test: ScalarTest;
  /** Whether a field with no leaf value (missing, an object, an empty array) matches: `{ "exists": false }`. */
  whenAbsent: boolean;
  /** The list when it is exact strings only (none an IP address): callers may compare inline. */
  exactStrings: string[] | null;
}

const inRange = (n: number) => n >= -NUMERIC_LIMIT && n <= NUMERIC_LIMIT;

function numericTest(spec: unknown[]): NumberTest {
  const [op, a, op2, b] = spec as [string, number, string?, number?];
  const lower: NumberTest =
    op === '=' ? (n) => n === a : op === '<' ? (n) => n < a : op === '<=' ? (n) => n <= a : op === '>' ? (n) => n > a : (n) => n >= a;
  if (op2 === undefined) return (n) => inRange(n) && lower(n);
  const upper: NumberTest = op2 === '<' ? (n) => n < (b as number) : (n) => n <= (b as number);
  return (n) => inRange(n) && lower(n) && upper(n);
}

function ipTest(cidr: string): StringTest {
  const range = parseCidr(cidr);
  if (typeof range === 'string') throw new Error(range);
  return (v) => {
    const ip = looksLikeIp(v) ? parseIpAddress(v) : null;
    if (!ip || ip.length !== range.low.length) return false;
    return compareBytes(ip, range.low) >= 0 && compareBytes(ip, range.high) <= 0;
  };
}

/** A cheap first look (digits, hex, `:`) before parsing an event string as an address. */
function looksLikeIp(v: string): boolean {
  const c = v.charCodeAt(0);
  return v.length >= 2 && v.length <= 45 && ((c >= 48 && c <= 58) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** EventBridge compares literals that are IP addresses as addresses ("::1" equals "0:0:0:0:0:0:0:1"). */
function ipLiteralTest(literal: string): StringTest | null {
  const ip = parseIpAddress(literal);
  if (!ip) return null;
  return (v) => {
    if (!looksLikeIp(v)) return false;
    const other = parseIpAddress(v);
    return other !== null && other.length === ip.length && compareBytes(other, ip) === 0;
  };
}

/** `anything-but`: true for every present value except the excluded ones. */
function anythingBut(arg: unknown): ScalarTest {
  if (typeof arg === 'string' || typeof arg === 'number') return anythingBut([arg]);
  if (Array.isArray(arg)) {
    const excluded = new Set<Scalar>(arg as Scalar[]);
    const type = typeof arg[0];
    return (v) => typeof v !== type || !excluded.has(v);
  }
  const [op, inner] = Object.entries(arg as Record<string, unknown>)[0];
  const list = (Array.isArray(inner) ? inner : [inner]) as string[];
  let tests: StringTest[];
  if (op === 'equals-ignore-case') tests = list.map(equalsIgnoreCase);
  else if (op === 'prefix') tests = list.map((p) => (v: string) => v.startsWith(p));
  else if (op === 'suffix') tests = list.map((s) => (v: string) => v.endsWith(s));
  else tests = list.map(wildcard);
  return (v) => {
    if (typeof v !== 'string') return true;
    for (const t of tests) if (t(v)) return false;
    return true;
  };
}

/**
 * Many `prefix*suffix` wildcards (e.g. `inbox/*.mov` in every letter case) as one test: the prefix
 * is checked once per distinct prefix, then the value's tail is looked up in a set per suffix length.
 */
function wildcardFamily(patterns: string[]): StringTest {
  const byPrefix = new Map<string, Map<number, Set<string>>>();
  for (const p of patterns) {
    const [prefix, suffix] = wildcardSegments(p);
    const byLength = byPrefix.get(prefix) ?? new Map<number, Set<string>>();
    byPrefix.set(prefix, byLength);
    const set = byLength.get(suffix.length) ?? new Set<string>();
    byLength.set(suffix.length, set);
    set.add(suffix);
  }
  const groups = [...byPrefix].map(([prefix, byLength]) => ({ prefix, tails: [...byLength].map(([length, set]) => ({ length, set })) }));
  return (v) => {
    for (const { prefix, tails } of groups) {
      if (!v.startsWith(prefix)) continue;
      for (const { length, set } of tails) if (v.length >= prefix.length + length && set.has(v.slice(v.length - length))) return true;
    }
    return false;
  };
}

/** Many case-insensitive suffixes (`.mp4`, `.mov`, …) as one test: the value's tail, lower-cased, looked up per suffix length. */
function suffixIgnoreCaseFamily(suffixes: string[]): StringTest {
  const byLength = new Map<number, Set<string>>();
  for (const s of suffixes) {
    const lower = s.toLowerCase();
    const set = byLength.get(lower.length) ?? new Set<string>();
    byLength.set(lower.length, set);
    set.add(lower);
  }
  const tails = [...byLength].map(([length, set]) => ({ length, set }));
  return (v) => {
    for (const { length, set } of tails) if (v.length >= length && set.has(v.slice(v.length - length).toLowerCase())) return true;
    return false;
  };
}

/** Whether lower-casing `s` is the same as folding it character by character (true for ASCII and most scripts). */
const foldsSimply = (s: string) => s.toLowerCase().length === s.length && s.toUpperCase().length === s.length;

/** Compiles a validated value list. */
export function compileValueList(values: readonly PatternValue[]): CompiledValueList {
  const strings: string[] = [];
  const numbers: number[] = [];
  const stringTests: StringTest[] = [];
  const numberTests: NumberTest[] = [];
  const anyTests: ScalarTest[] = [];
  let trueOk = false;
  let falseOk = false;
  let nullOk = false;
  let exists = false;
  let whenAbsent = false;
  const simpleWildcards: string[] = [];
  const foldedSuffixes: string[] = [];

  for (const value of values) {
    if (typeof value === 'string') {
      strings.push(value);
      const ip = ipLiteralTest(value);
      if (ip) stringTests.push(ip);
    } else if (typeof value === 'number') numbers.push(value);
    else if (value === true) trueOk = true;
    else if (value === false) falseOk = true;
    else if (value === null) nullOk = true;
    else if (isPlainObject(value)) {
      const [op, arg] = Object.entries(value)[0];
      switch (op) {
        case 'prefix':
          stringTests.push(typeof arg === 'string' ? (v) => v.startsWith(arg) : prefixIgnoreCase((arg as Record<string, string>)['equals-ignore-case']));
          break;
        case 'suffix': {
          if (typeof arg === 'string') {
            stringTests.push((v) => v.endsWith(arg));
            break;
          }
          const suffix = (arg as Record<string, string>)['equals-ignore-case'];
          if (foldsSimply(suffix)) foldedSuffixes.push(suffix);
          else stringTests.push(suffixIgnoreCase(suffix));
          break;
        }
        case 'equals-ignore-case':
          stringTests.push(equalsIgnoreCase(arg as string));
          break;
        case 'wildcard':
          if (wildcardSegments(arg as string).length === 2) simpleWildcards.push(arg as string);
          else stringTests.push(wildcard(arg as string));
          break;
        case 'cidr':
          stringTests.push(ipTest(arg as string));
          break;
        case 'numeric':
          numberTests.push(numericTest(arg as unknown[]));
          break;
        case 'anything-but':
          anyTests.push(anythingBut(arg));
          break;
        case 'exists':
          if (arg === true) exists = true;
          else whenAbsent = true;
          break;
        default:
          throw new Error(`unknown operator "${op}"`);
      }
    }
  }

  if (simpleWildcards.length === 1) stringTests.push(wildcard(simpleWildcards[0]));
  else if (simpleWildcards.length > 1) stringTests.push(wildcardFamily(simpleWildcards));
  if (foldedSuffixes.length === 1) stringTests.push(suffixIgnoreCase(foldedSuffixes[0]));
  else if (foldedSuffixes.length > 1) stringTests.push(suffixIgnoreCaseFamily(foldedSuffixes));
  const onlyExactStrings =
    !exists && !whenAbsent && stringTests.length === 0 && numbers.length === 0 && numberTests.length === 0 && anyTests.length === 0 && !trueOk && !falseOk && !nullOk;
  return { test: specialise(), whenAbsent, exactStrings: onlyExactStrings ? strings : null };

  function specialise(): ScalarTest {
    if (exists) return () => true;
    const onlyStrings = numbers.length === 0 && numberTests.length === 0 && anyTests.length === 0 && !trueOk && !falseOk && !nullOk;
    if (onlyStrings && stringTests.length === 0) {
      if (strings.length === 1) {
        const s = strings[0];
        return (v) => v === s;
      }
      if (strings.length <= 8) return (v) => typeof v === 'string' && strings.includes(v);
      const set = new Set(strings);
      return (v) => typeof v === 'string' && set.has(v);
    }
    if (onlyStrings && strings.length === 0 && stringTests.length === 1) {
      const t = stringTests[0];
      return (v) => typeof v === 'string' && t(v);
    }
    const stringSet = new Set(strings);
    const numberSet = new Set(numbers);
    return (v) => {
      switch (typeof v) {
        case 'string':
          if (stringSet.has(v)) return true;
          for (const t of stringTests) if (t(v)) return true;
          break;
        case 'number':
          if (numberSet.has(v)) return true;
          for (const t of numberTests) if (t(v)) return true;
          break;
        case 'boolean':
          if (v ? trueOk : falseOk) return true;
          break;
        default:
          if (nullOk) return true;
      }
      for (const t of anyTests) if (t(v)) return true;
      return false;
    };
  }
}
