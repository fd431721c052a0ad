/**
 * EventBridge event patterns: their JSON shape and the limits EventBridge sets. Validating,
 * matching and explaining patterns is logic, in core/event-pattern.
 */

/** A value in a pattern's value list: a literal to match, or one operator object. */
export type PatternValue = string | number | boolean | null | { [operator: string]: unknown };
export interface EventPattern {
  [field: string]: PatternValue[] | EventPattern | EventPattern[];
}

export const OR_KEY = '$or';
/** EventBridge compares numbers between -5e9 and 5e9, to six decimal places. */
export const NUMERIC_LIMIT = 5e9;
/** EventBridge's default limit on the size of a rule's event pattern, in characters. */
export const EVENT_PATTERN_MAX_CHARS = 2048;

/** A JSON object (not null, not an array). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
