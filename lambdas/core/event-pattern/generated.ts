/**
 * The event-pattern matcher: a pattern is compiled once into a small generated function per
 * pattern object (field reads written out as named property loads, so each has its own inline
 * cache), with each field's value list pre-built into one test; it then matches many events
 * without allocating. Generated code only ever embeds field names and strings through
 * JSON.stringify; everything else is passed in as precompiled functions.
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
import { EventPatternError } from './matcher.js';
import { eventPatternIssues } from './validate.js';
import { compileValueList, type Scalar, type ScalarTest } from './value-list.js';

export type EventMatcher = (event: unknown) => boolean;
type ObjectTest = (o: Record<string, unknown>) => boolean;
type ValueTest = (v: unknown) => boolean;

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

/** A field's value list as a test of whatever the event holds there (undefined when missing). */
function valueTest(values: readonly PatternValue[]): { test: ValueTest; scalar: ScalarTest; exactStrings: string[] | null } {
  const { test, whenAbsent, exactStrings } = compileValueList(values);
  return {
    test: (v) => (v === undefined ? whenAbsent : v === null || typeof v !== 'object' ? test(v as Scalar) : Array.isArray(v) ? anyLeafInArray(v, test, whenAbsent) : whenAbsent),
    scalar: test,
    exactStrings,
  };
}

/** Generates the matcher's source: one function per pattern object, leaves first (cheap, selective), then nested objects, then `$or`. */
class Generator {
  readonly fns: string[] = [];
  readonly externals: unknown[] = [];

  external(value: unknown): string {
    this.externals.push(value);
    return `X${this.externals.length - 1}`;
  }

  object(pattern: EventPattern): string {
    const index = this.fns.length;
    const name = `n${index}`;
    this.fns.push('');
    const lines: string[] = [];
    const entries = Object.entries(pattern);
    const read = (key: string) => (key in Object.prototype ? `(Object.hasOwn(o, ${JSON.stringify(key)}) ? o[${JSON.stringify(key)}] : undefined)` : `o[${JSON.stringify(key)}]`);
    for (const [key, value] of entries) {
      if (key === OR_KEY || !Array.isArray(value)) continue;
      const { test, scalar, exactStrings } = valueTest(value as PatternValue[]);
      const slow = this.external(test);
      if (exactStrings && exactStrings.length <= 4) {
        // Exact strings only: compare inline; arrays and objects take the general path.
        const differs = exactStrings.map((s) => `v !== ${JSON.stringify(s)}`).join(' && ');
        lines.push(`v = ${read(key)}; if (${differs} && (typeof v !== 'object' || v === null || !${slow}(v))) return false;`);
      } else {
        const fast = this.external(scalar);
        lines.push(`v = ${read(key)}; if (typeof v === 'string' || typeof v === 'number' ? !${fast}(v) : !${slow}(v)) return false;`);
      }
    }
    for (const [key, value] of entries) {
      if (key === OR_KEY || Array.isArray(value)) continue;
      const inner = this.object(value as EventPattern);
      lines.push(`v = ${read(key)}; if (!(typeof v === 'object' && v !== null ? (Array.isArray(v) ? inArray(v, ${inner}) : ${inner}(v)) : ${inner}(NOTHING))) return false;`);
    }
    for (const [key, value] of entries) {
      if (key !== OR_KEY) continue;
      const alternatives = (value as EventPattern[]).map((alt) => `${this.object(alt)}(o)`);
      lines.push(`if (!(${alternatives.join(' || ')})) return false;`);
    }
    this.fns[index] = `function ${name}(o) {\n  let v;\n  ${lines.join('\n  ')}\n  return true;\n}`;
    return name;
  }
}

/** Compiles `pattern` (validated first: an invalid one throws EventPatternError with every issue). */
export function compileGeneratedPattern(pattern: unknown): EventMatcher {
  const issues = eventPatternIssues(pattern);
  if (issues.length > 0) throw new EventPatternError(issues);
  const gen = new Generator();
  const root = gen.object(pattern as EventPattern);
  const body = `"use strict";\n${gen.fns.join('\n')}\nreturn function match(e) { return ${root}(typeof e === 'object' && e !== null && !Array.isArray(e) ? e : NOTHING); };`;
  const names = gen.externals.map((_, i) => `X${i}`);
  const factory = new Function('inArray', 'NOTHING', ...names, body) as (...args: unknown[]) => EventMatcher;
  return factory(inArray, NOTHING, ...gen.externals);
}
