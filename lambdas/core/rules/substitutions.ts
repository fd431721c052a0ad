/** `${Name}` substitutions in rules' patterns, filled per environment the way state machines get theirs. */
import { isPlainObject } from '../../contracts/index.js';

export const SUBSTITUTION = /\$\{([A-Za-z][A-Za-z0-9]*)\}/g;
/** The longest value a substitution may take (S3 bucket names are at most 63 characters): pattern sizes are checked with it. */
export const SUBSTITUTION_MAX_CHARS = 63;

/** `${Name}` replaced in the strings (keys included) of a value; unknown names stay as written. */
export function fillSubstitutions<T>(value: T, values: Readonly<Record<string, string>>): T {
  const fill = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(SUBSTITUTION, (whole, name: string) => (Object.hasOwn(values, name) ? values[name] : whole));
    if (Array.isArray(v)) return v.map(fill);
    if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [fill(k) as string, fill(x)]));
    return v;
  };
  return fill(value) as T;
}

/** The `${Name}` substitutions a value uses. */
export function substitutionNames(value: unknown, out = new Set<string>()): Set<string> {
  if (typeof value === 'string') for (const m of value.matchAll(SUBSTITUTION)) out.add(m[1]);
  else if (Array.isArray(value)) for (const v of value) substitutionNames(v, out);
  else if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) (substitutionNames(k, out), substitutionNames(v, out));
  return out;
}
