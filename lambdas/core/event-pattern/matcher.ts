/**
 * The event-pattern matcher: a pattern is compiled once into a tree of small closures — one test
 * per field (its value list pre-built into one test, core/event-pattern/value-list.ts), ANDed per
 * pattern object — that then matches many events without allocating. No source is generated.
 *
 * Semantics, as EventBridge (aws/event-ruler) has them:
 * - fields of a pattern object are ANDed, entries of a value list ORed, `$or` alternatives ORed;
 * - an array in the event matches when any element does (nested arrays are flattened); fields
 *   inside objects of one array element are matched together, never across elements;
 * - a leaf value is a string, number, boolean or null; an object is not a leaf, so
 *   `{ "exists": false }` matches a field that is missing, an object, or an empty array;
 * - missing is not null, and null is not "".
 */
import { OR_KEY, type EventPattern, type PatternValue } from '../../contracts/index.js';
import { eventPatternIssues, formatPatternPath, type PatternIssue } from './validate.js';
import { compileValueList, type Scalar, type ScalarTest } from './value-list.js';

export type EventMatcher = (event: unknown) => boolean;
type ObjectTest = (o: Record<string, unknown>) => boolean;
type ValueTest = (v: unknown) => boolean;

export class EventPatternError extends Error {
  override readonly name = 'EventPatternError';
  constructor(readonly issues: PatternIssue[]) {
    super(`invalid event pattern: ${issues.map((i) => `${formatPatternPath(i.path)}: ${i.message}`).join('; ')}`);
  }
}

/** Stands for "no object here": every field is missing. */
const NOTHING: Record<string, unknown> = Object.freeze(Object.create(null) as Record<string, unknown>);

/** Any leaf of an array (nested arrays flattened) passes `test`; `absent` when it holds no leaf at all. */
function anyLeafInArray(values: unknown[], test: ScalarTest, absent: boolean): boolean {
  let sawLeaf = false;
  for (const v of values) {
    if (v === null || typeof v !== 'object') {
      if (test(v as Scalar)) return true;
      sawLeaf = true;
    } else if (Array.isArray(v)) {
      if (anyLeafInArray(v, test, false)) return true;
      if (hasLeaf(v)) sawLeaf = true;
    }
  }
  return !sawLeaf && absent;
}

function hasLeaf(values: unknown[]): boolean {
  for (const v of values) {
    if (v === null || typeof v !== 'object') return true;
    if (Array.isArray(v) && hasLeaf(v)) return true;
  }
  return false;
}

/** Some object in the array (nested arrays flattened) matches; with no object at all, `test(NOTHING)`. */
function inArray(values: unknown[], test: ObjectTest): boolean {
  return anyObjectInArray(values, test) ?? test(NOTHING);
}

function anyObjectInArray(values: unknown[], test: ObjectTest): boolean | null {
  let sawObject = false;
  for (const v of values) {
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      const inner = anyObjectInArray(v, test);
      if (inner) return true;
      if (inner === false) sawObject = true;
    } else {
      if (test(v as Record<string, unknown>)) return true;
      sawObject = true;
    }
  }
  return sawObject ? false : null;
}

/** Reads a field; names Object.prototype also has ("constructor", "toString") only as own properties. */
function reader(key: string): (o: Record<string, unknown>) => unknown {
  return key in Object.prototype ? (o) => (Object.hasOwn(o, key) ? o[key] : undefined) : (o) => o[key];
}

const PASS: ObjectTest = () => true;

/**
 * A field's value list as a test of the object holding it, ANDed with `next` (the object's
 * remaining fields): a chain of closures, one call per field, rather than a loop over tests.
 */
function fieldTest(key: string, values: readonly PatternValue[], next: ObjectTest): ObjectTest {
  const { test, whenAbsent, exactStrings } = compileValueList(values);
  // Whatever the event holds there: undefined when missing, arrays by their leaves, objects are no leaf.
  const general: ValueTest = (v) =>
    v === undefined ? whenAbsent : v === null || typeof v !== 'object' ? test(v as Scalar) : Array.isArray(v) ? anyLeafInArray(v, test, whenAbsent) : whenAbsent;
  if (key in Object.prototype) {
    const read = reader(key);
    return (o) => general(read(o)) && next(o);
  }
  // The common cases compare inline; arrays and objects take the general path.
  if (exactStrings?.length === 1) {
    const [a] = exactStrings;
    return (o) => {
      const v = o[key];
      return (v === a || (typeof v === 'object' && v !== null && general(v))) && next(o);
    };
  }
  if (exactStrings?.length === 2) {
    const [a, b] = exactStrings;
    return (o) => {
      const v = o[key];
      return (v === a || v === b || (typeof v === 'object' && v !== null && general(v))) && next(o);
    };
  }
  return (o) => {
    const v = o[key];
    return (typeof v === 'string' || typeof v === 'number' ? test(v) : general(v)) && next(o);
  };
}

/** A nested pattern object as a test of the object holding it (arrays: any element object), ANDed with `next`. */
function nestedTest(key: string, inner: ObjectTest, next: ObjectTest): ObjectTest {
  const read = reader(key);
  return (o) => {
    const v = read(o);
    return (typeof v === 'object' && v !== null ? (Array.isArray(v) ? inArray(v, inner) : inner(v as Record<string, unknown>)) : inner(NOTHING)) && next(o);
  };
}

/** `$or`: some alternative matches the same object, ANDed with `next`. */
function orTest(alternatives: ObjectTest[], next: ObjectTest): ObjectTest {
  if (alternatives.length === 2) {
    const [a, b] = alternatives;
    return (o) => (a(o) || b(o)) && next(o);
  }
  return (o) => {
    for (const t of alternatives) if (t(o)) return next(o);
    return false;
  };
}

/** One pattern object: leaves first (cheap, selective), then nested objects, then `$or`; built from the last test back. */
function objectTest(pattern: EventPattern): ObjectTest {
  const entries = Object.entries(pattern);
  const leaves = entries.filter(([k, v]) => k !== OR_KEY && Array.isArray(v));
  const nested = entries.filter(([k, v]) => k !== OR_KEY && !Array.isArray(v));
  const ors = entries.filter(([k]) => k === OR_KEY);
  let chain = PASS;
  for (const [, value] of ors.reverse()) chain = orTest((value as EventPattern[]).map(objectTest), chain);
  for (const [key, value] of nested.reverse()) chain = nestedTest(key, objectTest(value as EventPattern), chain);
  for (const [key, value] of leaves.reverse()) chain = fieldTest(key, value as PatternValue[], chain);
  return chain;
}

/** Compiles `pattern` (validated first: an invalid one throws EventPatternError with every issue). */
export function compilePattern(pattern: unknown): EventMatcher {
  const issues = eventPatternIssues(pattern);
  if (issues.length > 0) throw new EventPatternError(issues);
  const root = objectTest(pattern as EventPattern);
  return (e) => root(typeof e === 'object' && e !== null && !Array.isArray(e) ? (e as Record<string, unknown>) : NOTHING);
}

const cache = new WeakMap<object, EventMatcher>();

/** One-off match; the compiled pattern is kept while the pattern object lives. */
export function matches(pattern: EventPattern, event: unknown): boolean {
  let m = cache.get(pattern);
  if (!m) {
    m = compilePattern(pattern);
    cache.set(pattern, m);
  }
  return m(event);
}
