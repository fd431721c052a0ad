/**
 * The EventBridge pattern of "a video uploaded under inbox/". EventBridge cannot AND a prefix with
 * a case-insensitive suffix on one field, so the key is matched by `wildcard` entries
 * `inbox/*.<ext>` for every upper/lower-case spelling of every extension (`.mov`, `.MOV`, `.Mov`…).
 */
import { INBOX_PREFIX, VIDEO_EXTENSIONS } from '../config/storage.js';

/** EventBridge's default limit on the size of an event pattern, in characters. */
export const EVENT_PATTERN_MAX_CHARS = 2048;

/** Every upper/lower-case spelling of `word` (digits stay as they are): `mp4` → mp4, mP4, Mp4, MP4. */
export function casePermutations(word: string): string[] {
  let out = [''];
  for (const ch of word.toLowerCase()) {
    const variants = ch === ch.toUpperCase() ? [ch] : [ch, ch.toUpperCase()];
    out = out.flatMap((prefix) => variants.map((v) => prefix + v));
  }
  return out;
}

/** `wildcard` entries for the object key: `inbox/*.mov`, `inbox/*.MOV`, … for each extension. */
export function uploadKeyPatterns(extensions: readonly string[] = VIDEO_EXTENSIONS, prefix: string = INBOX_PREFIX): { wildcard: string }[] {
  for (const ext of extensions) {
    if (!/^[A-Za-z0-9]+$/.test(ext)) throw new Error(`video extension "${ext}" must be letters and digits only`);
  }
  if (/[*\\]/.test(prefix)) throw new Error(`upload prefix "${prefix}" must not contain * or \\`);
  return extensions.flatMap((ext) => casePermutations(ext).map((spelling) => ({ wildcard: `${prefix}*.${spelling}` })));
}
