/**
 * A job on AWS reads the S3 object version it was submitted with: the version id is recorded on
 * the job (`source.versionId`) and the workflow's tasks read the source through a pinned key,
 * `.mosaic/versions/<base64url(versionId)>/<key>`, which the S3 blob store turns into a GET of
 * that version (the source bucket is versioned). The key lies in the private prefix, so no caller
 * can name one; a replaced object under the job's key changes nothing for the job.
 */
export const VERSIONED_KEY_PREFIX = '.mosaic/versions/';

export function versionedKey(key: string, versionId: string): string {
  return `${VERSIONED_KEY_PREFIX}${Buffer.from(versionId, 'utf8').toString('base64url')}/${key}`;
}

/** The object key and version id of a pinned key, or null for any other key. */
export function parseVersionedKey(k: string): { key: string; versionId: string } | null {
  if (!k.startsWith(VERSIONED_KEY_PREFIX)) return null;
  const rest = k.slice(VERSIONED_KEY_PREFIX.length);
  const slash = rest.indexOf('/');
  if (slash <= 0 || slash === rest.length - 1) return null;
  const versionId = Buffer.from(rest.slice(0, slash), 'base64url').toString('utf8');
  return versionId ? { key: rest.slice(slash + 1), versionId } : null;
}
