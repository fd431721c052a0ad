import { createHash } from 'node:crypto';

/** JSON with sorted keys, so equal inputs hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** Result-cache key: function name + version + canonical input + the input objects' ETags. */
export function resultCacheKey(fn: string, version: number, input: unknown, inputEtags: Record<string, string>): string {
  return createHash('sha256')
    .update(`${fn}\n${version}\n${canonicalJson(input)}\n${canonicalJson(inputEtags)}`)
    .digest('hex');
}
