/**
 * How deeply a JSON text nests, found by one scan of its brackets (strings skipped), without
 * parsing: checked before any parser or schema walks the value, so a 10,000-deep array is a 400
 * instead of a stack overflow in whatever recursion meets it first.
 */

/** Deepest nesting a request body may have: far beyond any JobSpec or function input. */
export const MAX_JSON_DEPTH = 64;

/** Whether `text` nests arrays/objects more than `max` deep (malformed JSON is left to the parser). */
export function jsonDeeperThan(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > max) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
  return false;
}
