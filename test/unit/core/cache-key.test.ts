import { describe, expect, it } from 'vitest';
import { canonicalJson, resultCacheKey } from '../../../lambdas/core/cache-key.js';

describe('canonicalJson', () => {
  it('is independent of key order, at every depth', () => {
    const a = { b: 1, a: { y: [1, { q: 2, p: 1 }], x: 's' } };
    const b = { a: { x: 's', y: [1, { p: 1, q: 2 }] }, b: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"a":{"x":"s","y":[1,{"p":1,"q":2}]},"b":1}');
  });

  it('drops undefined properties but keeps null', () => {
    expect(canonicalJson({ a: 1, b: undefined, c: null })).toBe('{"a":1,"c":null}');
    expect(canonicalJson({ a: 1, b: undefined })).toBe(canonicalJson({ a: 1 }));
  });

  it('keeps array order significant', () => {
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
  });
});

describe('resultCacheKey', () => {
  const input = { rung: { height: 720, bitrateKbps: 3000 }, chunk: 3 };
  const etags = { 'src/a.mp4': '"abc"' };
  const base = resultCacheKey('encode-chunk', 1, input, etags);

  it('is a stable sha256 hex digest, independent of key order', () => {
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(resultCacheKey('encode-chunk', 1, { chunk: 3, rung: { bitrateKbps: 3000, height: 720 } }, { ...etags })).toBe(base);
  });

  it('changes with the function, version, input and etags', () => {
    const others = [
      resultCacheKey('encode-audio', 1, input, etags),
      resultCacheKey('encode-chunk', 2, input, etags),
      resultCacheKey('encode-chunk', 1, { ...input, chunk: 4 }, etags),
      resultCacheKey('encode-chunk', 1, input, { 'src/a.mp4': '"abd"' }),
      resultCacheKey('encode-chunk', 1, input, { ...etags, 'src/b.mp4': '"x"' }),
    ];
    for (const k of others) expect(k).not.toBe(base);
    expect(new Set(others).size).toBe(others.length);
  });
});
