/**
 * Where a job's objects live, on both engines: outputs under `<jobId>/`, intermediates under the
 * private `.mosaic/work/<jobId>/` (no caller can name it; lifecycle rules expire it). In contracts,
 * so the AWS adapters can use it too.
 */

/** Every job's intermediates, under the private prefix (core/object-keys PRIVATE_PREFIX). */
export const WORK_ROOT = '.mosaic/work/';

/** A job's intermediates (chunks, renditions): removed when the job ends. */
export const workPrefix = (jobId: string): string => `${WORK_ROOT}${jobId}/`;

/** A job's outputs (renditions, manifests, report). */
export const outputPrefix = (jobId: string): string => `${jobId}/`;
