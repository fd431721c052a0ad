/**
 * Why an event does not match a pattern, field by field: each field condition (and each `$or`) is
 * tried alone, and those that fail are named. For people (`mosaic rules test`), not the hot path.
 */
import { OR_KEY, isPlainObject, type EventPattern } from '../../contracts/index.js';
import { compilePattern } from './matcher.js';
import { formatPatternPath } from './validate.js';

export interface Mismatch {
  /** "detail.object.key", or "detail.$or" for an alternative group. */
  field: string;
  /** The condition that failed, as written in the pattern. */
  expected: unknown;
  /** What the event has there (undefined: nothing; not meaningful for `$or`). */
  actual: unknown;
}

function valueAt(doc: unknown, path: string[]): unknown {
  let v = doc;
  for (const k of path) v = isPlainObject(v) && Object.hasOwn(v, k) ? v[k] : undefined;
  return v;
}

/** The conditions of `pattern` that `event` fails; empty when it matches. */
export function explainMismatch(pattern: EventPattern, event: unknown): Mismatch[] {
  const out: Mismatch[] = [];
  const walk = (node: EventPattern, path: string[]) => {
    for (const [key, value] of Object.entries(node)) {
      if (isPlainObject(value)) {
        walk(value as EventPattern, [...path, key]);
        continue;
      }
      // Rebuild the one condition at its place in the event's structure.
      let single: EventPattern = { [key]: value } as EventPattern;
      for (let i = path.length - 1; i >= 0; i--) single = { [path[i]]: single };
      if (!compilePattern(single)(event)) out.push({ field: formatPatternPath([...path, key]), expected: value, actual: key === OR_KEY ? undefined : valueAt(event, [...path, key]) });
    }
  };
  walk(pattern, []);
  return out;
}
