/**
 * Where a job's objects live, on both engines: outputs under `<jobId>/`, intermediates under the
 * private `.mosaic/work/<jobId>/` (no caller can name it; lifecycle rules expire it).
 */
import { PRIVATE_PREFIX } from './object-keys.js';

/** Every job's intermediates, under the private prefix. */
export const WORK_ROOT = `${PRIVATE_PREFIX}work/`;

/** A job's intermediates (chunks, renditions): removed when the job ends. */
export const workPrefix = (jobId: string): string => `${WORK_ROOT}${jobId}/`;

/** A job's outputs (renditions, manifests, report). */
export const outputPrefix = (jobId: string): string => `${jobId}/`;
