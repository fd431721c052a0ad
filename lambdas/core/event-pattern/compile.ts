/**
 * The event-pattern matcher: a pattern is compiled once into nested closures (one per field, its
 * value list pre-built into a single test), then matches many events without allocating.
 *
 * Semantics, as EventBridge (aws/event-ruler) has them:
 * - fields of a pattern object are ANDed, entries of a value list ORed, `$or` alternatives ORed;
 * - an array in the event matches when any element does (nested arrays are flattened); fields
 *   inside objects of one array element are matched together, never across elements;
 * - a leaf value is a string, number, boolean or null; an object is not a leaf, so
 *   `{ "exists": false }` matches a field that is missing, an object, or an empty array;
 * - missing is not null, and null is not "".
 */
import { OR_KEY, eventPatternIssues, formatPatternPath, isPlainObject, type EventPattern, type PatternIssue, type PatternValue } from '../../contracts/index.js';
import { compileValueList, type Scalar, type ScalarTest } from './value-list.js';

export type EventMatcher = (event: unknown) => boolean;
type ObjectTest = (o: Record<string, unknown>) => boolean;

export class EventPatternError extends Error {
  override readonly name = 'EventPatternError';
  constructor(readonly issues: PatternIssue[]) {
    super(`invalid event pattern: ${issues.map((i) => `${formatPatternPath(i.path)}: ${i.message}`).join('; ')}`);
  }
}

/** Stands for "no object here": every field is missing. */
const NOTHING: Record<string, unknown> = Object.freeze(Object.create(null) as Record<string, unknown>);

/** `o[key]`, except for names Object.prototype has ("constructor", "toString", …), which must be own properties. */
function reader(key: string): (o: Record<string, unknown>) => unknown {
  if (key in Object.prototype) return (o) => (Object.hasOwn(o, key) ? o[key] : undefined);
  return (o) => o[key];
}

/** Any leaf of an array (nested arrays flattened) passes `test`; `absent` when it holds no leaf at all. */
function anyLeafInArray(values: unknown[], test: ScalarTest, absent: boolean): boolean {
  let sawLeaf = false;
  for (const v of values) {
    if (v === null || typeof v !== 'object') {
      if (test(v as Scalar)) return true;
      sawLeaf = true;
    } else if (Array.isArray(v)) {
      const inner = anyLeafInArray(v, test, false);
      if (inner) return true;
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

function leafField(key: string, values: PatternValue[]): ObjectTest {
  const { test, whenAbsent } = compileValueList(values);
  const read = reader(key);
  return (o) => {
    const v = read(o);
    if (v === undefined) return whenAbsent;
    if (v === null || typeof v !== 'object') return test(v as Scalar);
    if (Array.isArray(v)) return anyLeafInArray(v, test, whenAbsent);
    return whenAbsent;
  };
}

/** Some object in the array (nested arrays flattened) matches; with no object at all, the fields are all missing. */
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

function nestedField(key: string, pattern: EventPattern): ObjectTest {
  const test = compileObject(pattern);
  const read = reader(key);
  return (o) => {
    const v = read(o);
    if (v === null || typeof v !== 'object') return test(NOTHING);
    if (!Array.isArray(v)) return test(v as Record<string, unknown>);
    return anyObjectInArray(v, test) ?? test(NOTHING);
  };
}

function orGroup(alternatives: EventPattern[]): ObjectTest {
  const tests = alternatives.map(compileObject);
  return (o) => {
    for (const t of tests) if (t(o)) return true;
    return false;
  };
}

function compileObject(pattern: EventPattern): ObjectTest {
  // Leaves first (cheap and usually selective: source, detail-type), then nested objects, then $or.
  const leaves: ObjectTest[] = [];
  const nested: ObjectTest[] = [];
  const ors: ObjectTest[] = [];
  for (const [key, value] of Object.entries(pattern)) {
    if (key === OR_KEY) ors.push(orGroup(value as EventPattern[]));
    else if (Array.isArray(value)) leaves.push(leafField(key, value as PatternValue[]));
    else nested.push(nestedField(key, value as EventPattern));
  }
  const tests = [...leaves, ...nested, ...ors];
  switch (tests.length) {
    case 1:
      return tests[0];
    case 2: {
      const [a, b] = tests;
      return (o) => a(o) && b(o);
    }
    case 3: {
      const [a, b, c] = tests;
      return (o) => a(o) && b(o) && c(o);
    }
    default:
      return (o) => {
        for (const t of tests) if (!t(o)) return false;
        return true;
      };
  }
}

/** Compiles `pattern` (validated first: an invalid one throws EventPatternError with every issue). */
export function compilePattern(pattern: unknown): EventMatcher {
  const issues = eventPatternIssues(pattern);
  if (issues.length > 0) throw new EventPatternError(issues);
  const test = compileObject(pattern as EventPattern);
  return (event) => (isPlainObject(event) ? test(event) : test(NOTHING));
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

/** Every problem in `pattern` (path + message); empty when EventBridge would accept it. */
export function validatePattern(pattern: unknown): PatternIssue[] {
  return eventPatternIssues(pattern);
}
