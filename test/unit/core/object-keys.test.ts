import { posix } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { callerKey, callerKeysIn, isPrivateKey, normaliseKey, ObjectKeyError, PRIVATE_PREFIX } from '../../../lambdas/core/object-keys.js';

/** Each spelling with the reason (part of) it must be refused for. */
const REFUSED: [string, RegExp][] = [
  ['', /empty/],
  ['.mosaic/api-key', /platform's own/],
  ['.mosaic', /platform's own/],
  ['.MOSAIC/mosaic.db', /platform's own/],
  ['.Mosaic/work/x', /platform's own/],
  ['./.mosaic/api-key', /"\." segments/],
  ['.//.mosaic/api-key', /"\." segments|empty segments/],
  ['.//.mosaic', /"\." segments|empty segments/],
  ['a/../.mosaic/x', /"\.\." segments/],
  ['uploads/../../etc/passwd', /"\.\." segments/],
  ['../etc/passwd', /"\.\." segments/],
  ['..', /"\.\." segments/],
  ['.', /"\." segments/],
  ['%2e%2e/etc/passwd', /"\.\." segments/],
  ['%2E%2E/etc/passwd', /"\.\." segments/],
  ['%2emosaic/api-key', /platform's own/],
  ['%2Emosaic/mosaic.db', /platform's own/],
  ['%2e/%2emosaic/x', /"\." segments/],
  ['.%2fmosaic', /platform's own|"\." segments/],
  ['%2e%2fx', /"\." segments/],
  ['%252e%252e/x', /percent-encoded twice/],
  ['%zz.mov', /malformed percent-encoding/],
  ['/etc/passwd', /start with "\/"/],
  ['%2fetc/passwd', /start with "\/"/],
  ['//etc/passwd', /start with "\/"/],
  ['a\\b.mov', /backslash/],
  ['..\\.mosaic\\api-key', /backslash/],
  ['%5c.mosaic', /backslash/],
  ['a\u0000.mov', /NUL/],
  ['a%00.mov', /NUL/],
  ['a\nb.mov', /control/],
  ['uploads//x.mov', /empty segments/],
  ['uploads/x.mov/', /empty segments/],
  ['uploads/./x.mov', /"\." segments/],
  ['x'.repeat(1025), /at most 1024 bytes/],
];

const ACCEPTED = ['uploads/abc/movie.mov', 'inbox/draft/clip.MP4', 'a/b/c', 'my..movie.mov', '...', '.hidden/x.mov', 'mosaic/x', '.mosaicx/y', 'é/ß.mov', 'a%20b.mov'];

describe('callerKey', () => {
  it.each(REFUSED)('refuses %j', (raw, reason) => {
    let err: unknown;
    try {
      callerKey(raw, { field: 'body.source.key' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ObjectKeyError);
    expect((err as ObjectKeyError).name).toBe('Mosaic.InputInvalid');
    expect((err as ObjectKeyError).field).toBe('body.source.key');
    expect((err as ObjectKeyError).message).toMatch(reason);
  });

  it.each(ACCEPTED)('accepts %j', (raw) => {
    expect(() => callerKey(raw)).not.toThrow();
  });

  it('decodes exactly once', () => {
    expect(callerKey('a%20b.mov')).toBe('a b.mov');
    expect(callerKey('uploads/x.mov')).toBe('uploads/x.mov');
  });

  it('prefixes: one trailing slash, and nothing that could grow into .mosaic/', () => {
    expect(callerKey('out/job-1/', { prefix: true })).toBe('out/job-1/');
    for (const p of ['.mosaic/', '.mos', '.m', '.mosaic', '.MOSAIC/work/', 'out//', '/out/', './out/'])
      expect(() => callerKey(p, { prefix: true }), p).toThrow(ObjectKeyError);
    // As a key (not a prefix), ".mos" is an ordinary name.
    expect(callerKey('.mos')).toBe('.mos');
  });

  it('checks every key and prefix field of a function input, at any depth, naming the field', () => {
    const ok = callerKeysIn({ source: { key: 'uploads/a.mov' }, outputPrefix: 'out/', rungs: [{ playlistKey: 'out/r.m3u8' }], label: './.mosaic/x' }, 'body.input');
    expect(ok.outputPrefix).toBe('out/');
    expect(() => callerKeysIn({ source: { key: 'uploads/a.mov' }, chunks: [{ key: 'a' }, { key: './.mosaic/mosaic.db' }] }, 'body.input')).toThrow(
      /body\.input\.chunks\.1\.key: .*"\." segments/,
    );
    expect(() => callerKeysIn({ outputPrefix: '%2emosaic/' }, 'body.input')).toThrow(/body\.input\.outputPrefix/);
  });
});

describe('normaliseKey (stores)', () => {
  it('allows the private prefix (the platform writes there) but no other odd spelling, and does not decode', () => {
    expect(normaliseKey('.mosaic/work/j/c0.mp4')).toBe('.mosaic/work/j/c0.mp4');
    expect(normaliseKey('inbox/100%.mov')).toBe('inbox/100%.mov');
    for (const k of ['./.mosaic/x', 'a//b', '/abs', 'a/../b', 'a\\b', 'a\0b', ''])
      expect(() => normaliseKey(k), JSON.stringify(k)).toThrow(ObjectKeyError);
  });
});

describe('property: no accepted caller key reaches the private prefix or leaves the root', () => {
  const piece = fc.constantFrom('.', '..', '', '.mosaic', '.MOSAIC', '%2e', '%2E', '%2e%2e', '%2f', '%5c', '\\', '\0', '%00', 'a', 'uploads', 'x.mov', '%25', '%252e', 'mosaic', '.mos', '/', '%2Emosaic');
  const spelling = fc.array(piece, { minLength: 1, maxLength: 8 }).chain((parts) =>
    fc.array(fc.constantFrom('/', '', '//'), { minLength: parts.length, maxLength: parts.length }).map((seps) => parts.map((p, i) => p + seps[i]).join('')),
  );

  it('accepted keys resolve inside the root, outside .mosaic/, and are their own normal form', () => {
    fc.assert(
      fc.property(spelling, fc.boolean(), (raw, prefix) => {
        let key: string;
        try {
          key = callerKey(raw, { prefix });
        } catch (e) {
          expect(e).toBeInstanceOf(ObjectKeyError);
          return;
        }
        const resolved = posix.normalize(posix.join('/root', key));
        expect(resolved.startsWith('/root/')).toBe(true);
        const rel = resolved.slice('/root/'.length);
        expect(rel.toLowerCase().startsWith(PRIVATE_PREFIX)).toBe(false);
        expect(rel.toLowerCase()).not.toBe('.mosaic');
        expect(isPrivateKey(key, { prefix })).toBe(false);
        // Already normal: decoding or normalising again changes nothing.
        expect(posix.normalize(key)).toBe(key);
        expect(() => callerKey(key, { prefix })).not.toThrow();
      }),
      { numRuns: 3000 },
    );
  });
});
