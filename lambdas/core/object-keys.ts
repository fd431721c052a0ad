/**
 * The one choke point for object keys. Every key a caller hands in (a job's source, a function
 * invocation's input and output keys, an upload's file name, a download path) goes through
 * `callerKey`; every key a BlobStore resolves goes through `normaliseKey`. Both refuse rather than
 * repair: a key that is not already in its one normal form is an error naming the field, so
 * no two spellings can reach the same object and no spelling reaches the private prefix.
 */
import { InputInvalidError } from '../contracts/index.js';

/** Where the platform keeps its own state (database, secrets, work files, pinned sources). */
export const PRIVATE_PREFIX = '.mosaic/';

/** S3's limit, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

/** A key that is malformed or not one a caller may name; `field` is the request field (`body.source.key`). */
export class ObjectKeyError extends InputInvalidError {
  constructor(
    readonly field: string,
    readonly reason: string,
    readonly key: string,
  ) {
    super(`${field}: ${reason}`, { field, reason });
  }
}

export interface KeyOptions {
  /** A prefix (`outputPrefix`, `workPrefix`): may end with one `/`. */
  prefix?: boolean;
  /** Request field named in the error (default `key`). */
  field?: string;
}

/**
 * The key's normal form, or an ObjectKeyError: no NUL or control characters, no backslash, no
 * leading `/`, no empty (`a//b`, trailing `/` of a non-prefix), `.` or `..` segment, at most
 * 1,024 bytes. No decoding happens here: stores hold keys as they are spelt.
 */
export function normaliseKey(key: string, o: KeyOptions = {}): string {
  const fail = (reason: string): never => {
    throw new ObjectKeyError(o.field ?? 'key', reason, key);
  };
  if (typeof key !== 'string' || key.length === 0) fail('a key may not be empty');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) fail(`a key may be at most ${MAX_KEY_BYTES} bytes`);
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(key)) fail('a key may not contain NUL or control characters');
  if (key.includes('\\')) fail('a key may not contain a backslash');
  if (key.startsWith('/')) fail('a key may not start with "/" (keys are relative to the store)');
  const body = o.prefix && key.endsWith('/') ? key.slice(0, -1) : key;
  for (const segment of body.split('/')) {
    if (segment === '') fail(o.prefix ? 'a prefix may not have empty segments ("//") other than one trailing "/"' : 'a key may not have empty segments ("//" or a trailing "/")');
    if (segment === '.' || segment === '..') fail(`a key may not have "${segment}" segments`);
  }
  return key;
}

/** Whether a normal-form key (or prefix) lies in, or could extend into, the private prefix. */
export function isPrivateKey(key: string, o: { prefix?: boolean } = {}): boolean {
  // Case-insensitive: on case-insensitive file systems `.MOSAIC/` is the same folder.
  const k = key.toLowerCase();
  if (k === PRIVATE_PREFIX.slice(0, -1) || k.startsWith(PRIVATE_PREFIX)) return true;
  // A prefix such as ".mos" would become private once a function appends to it.
  return Boolean(o.prefix) && PRIVATE_PREFIX.startsWith(k);
}

/**
 * A key from a caller: percent-decoded exactly once (a key still percent-encoded after that is
 * refused, so no later decode can change it), then in normal form (normaliseKey) and outside
 * the private prefix, in any spelling. Returns the decoded key; throws ObjectKeyError.
 */
export function callerKey(raw: string, o: KeyOptions = {}): string {
  const field = o.field ?? 'key';
  let key: string;
  try {
    key = decodeURIComponent(raw);
  } catch {
    throw new ObjectKeyError(field, 'malformed percent-encoding', raw);
  }
  // A "%" left after one decode would let a later decode change the key: refuse double encoding.
  if (key.includes('%')) throw new ObjectKeyError(field, 'a key may not be percent-encoded twice (no "%" after decoding)', raw);
  normaliseKey(key, { ...o, field });
  if (isPrivateKey(key, o)) throw new ObjectKeyError(field, `keys under ${PRIVATE_PREFIX} are the platform's own and may not be named`, raw);
  return key;
}

/** Field names whose string values are object keys or prefixes in a function's input. */
export const KEY_FIELD = /(^key$|Key$|^prefix$|Prefix$)/;

/**
 * Every key and prefix in a JSON value (fields per KEY_FIELD, at any depth, arrays included),
 * each checked with callerKey; `path` names the field in errors (e.g. `body.input`). Returns the
 * value with the keys decoded.
 */
export function callerKeysIn<T>(value: T, path: string): T {
  const walk = (v: unknown, at: string, field: string): unknown => {
    if (typeof v === 'string') return KEY_FIELD.test(field) ? callerKey(v, { field: at, prefix: /prefix$/i.test(field) }) : v;
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${at}.${i}`, field));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, `${at}.${k}`, k)]));
    return v;
  };
  return walk(value, path, '') as T;
}
