/**
 * String tests of the pattern operators, built once per pattern value. Case-insensitive tests
 * compare character by character with the pattern's lower- and upper-case forms, as EventBridge
 * does, without allocating per event value.
 */

export type StringTest = (v: string) => boolean;

interface Folded {
  lower: string;
  upper: string;
}

/** Lower/upper forms of `s`, or null when some character changes length with case (then a RegExp is used). */
function fold(s: string): Folded | null {
  const lower = s.toLowerCase();
  const upper = s.toUpperCase();
  return lower.length === s.length && upper.length === s.length ? { lower, upper } : null;
}

function sameFoldedAt(v: string, at: number, f: Folded): boolean {
  for (let i = 0; i < f.lower.length; i++) {
    const c = v.charCodeAt(at + i);
    if (c !== f.lower.charCodeAt(i) && c !== f.upper.charCodeAt(i)) return false;
  }
  return true;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A RegExp source matching `s` with each character in either case (for characters whose case forms differ in length). */
function foldedSource(s: string): string {
  let out = '';
  for (const ch of s) {
    const forms = [...new Set([ch, ch.toLowerCase(), ch.toUpperCase()])];
    out += forms.length === 1 ? escapeRegExp(ch) : `(?:${forms.map(escapeRegExp).join('|')})`;
  }
  return out;
}

export function equalsIgnoreCase(pattern: string): StringTest {
  const f = fold(pattern);
  if (!f) {
    const re = new RegExp(`^${foldedSource(pattern)}$`, 'u');
    return (v) => re.test(v);
  }
  const n = f.lower.length;
  return (v) => v.length === n && sameFoldedAt(v, 0, f);
}

export function prefixIgnoreCase(pattern: string): StringTest {
  const f = fold(pattern);
  if (!f) {
    const re = new RegExp(`^${foldedSource(pattern)}`, 'u');
    return (v) => re.test(v);
  }
  const n = f.lower.length;
  return (v) => v.length >= n && sameFoldedAt(v, 0, f);
}

export function suffixIgnoreCase(pattern: string): StringTest {
  const f = fold(pattern);
  if (!f) {
    const re = new RegExp(`${foldedSource(pattern)}$`, 'u');
    return (v) => re.test(v);
  }
  const n = f.lower.length;
  return (v) => v.length >= n && sameFoldedAt(v, v.length - n, f);
}

/** The literal pieces between unescaped `*`s (`\*` is a literal star, `\\` a literal backslash). */
export function wildcardSegments(pattern: string): string[] {
  const segments: string[] = [];
  let current = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) current += pattern[++i];
    else if (c === '*') {
      segments.push(current);
      current = '';
    } else current += c;
  }
  segments.push(current);
  return segments;
}

/**
 * `*` matches any run of characters (also none). With only `*` as a metacharacter, taking each
 * middle piece at its leftmost possible place is exact, so no backtracking is needed.
 */
export function wildcard(pattern: string): StringTest {
  const segments = wildcardSegments(pattern);
  if (segments.length === 1) {
    const exact = segments[0];
    return (v) => v === exact;
  }
  const first = segments[0];
  const last = segments[segments.length - 1];
  const middle = segments.slice(1, -1).filter((s) => s !== '');
  const minLength = segments.reduce((n, s) => n + s.length, 0);
  if (middle.length === 0) {
    return (v) => v.length >= minLength && v.startsWith(first) && v.endsWith(last);
  }
  return (v) => {
    if (v.length < minLength || !v.startsWith(first) || !v.endsWith(last)) return false;
    let at = first.length;
    const end = v.length - last.length;
    for (const piece of middle) {
      const found = v.indexOf(piece, at);
      if (found < 0 || found + piece.length > end) return false;
      at = found + piece.length;
    }
    return true;
  };
}
