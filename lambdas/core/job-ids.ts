/**
 * Ids the platform allocates (the upload trigger's and rules' ids are derived from their input
 * instead, so duplicates name the same job). Random, not pure: the only I/O is the entropy.
 */
import { randomBytes } from 'node:crypto';

/** A new job's id: UTC time to the second (ids sort by age), then 48 random bits. */
export function newJobId(now = new Date()): string {
  const t = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${t}-${randomBytes(6).toString('hex')}`;
}

/** The job id of work that is no job (a preflight's or an estimate's Inspect): `<kind>-<random>`. */
export const oneOffJobId = (kind: string): string => `${kind}-${randomBytes(6).toString('hex')}`;
