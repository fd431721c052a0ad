/**
 * One field's value list (`"state": ["running", { "prefix": "stop" }, …]`) compiled into a single
 * test of one event value: the list matches when any entry matches, and a field matches when any of
 * its values (array elements included) does. Operators apply only to the JSON types AWS applies
 * them to: `prefix`, `suffix`, `equals-ignore-case`, `wildcard` and `cidr` to strings, `numeric`
 * to numbers, while `anything-but` matches every present value it does not exclude — other types
 * and `null` included.
 */
import { NUMERIC_LIMIT, isPlainObject, parseCidr, parseIpAddress, type PatternValue } from '../../contracts/index.js';
import { equalsIgnoreCase, prefixIgnoreCase, suffixIgnoreCase, wildcard, type StringTest } from './string-tests.js';

export type Scalar = string | number | boolean | null;
export type ScalarTest = (v: Scalar) => boolean;
type NumberTest = (n: number) => boolean;

export interface CompiledValueList {
  /** Whether a present leaf value matches. */
  test: ScalarTest;
  /** Whether a field with no leaf value (missing, an object, an empty array) matches: `{ "exists": false }`. */
  whenAbsent: boolean;
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
        case 'suffix':
          stringTests.push(typeof arg === 'string' ? (v) => v.endsWith(arg) : suffixIgnoreCase((arg as Record<string, string>)['equals-ignore-case']));
          break;
        case 'equals-ignore-case':
          stringTests.push(equalsIgnoreCase(arg as string));
          break;
        case 'wildcard':
          stringTests.push(wildcard(arg as string));
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

  return { test: specialise(), whenAbsent };

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
