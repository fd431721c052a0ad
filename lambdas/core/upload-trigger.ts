/**
 * The S3 upload trigger's decision, without I/O: from an EventBridge `Object Created` event to
 * the job to start (or the reason to ignore it). A job's id is derived from the object version,
 * so duplicate deliveries of one upload name the same job and the same workflow execution.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { DEFAULT_SOURCE_LIMITS, JobSpecSchema, UPLOAD_PREFIX, VIDEO_EXTENSIONS, type EncodeWorkflowInput, type JobSpec, type SourceLimits, versionedKey } from '../contracts/index.js';
import { findPreset } from './presets.js';
import { awsRunContext, encodeWorkflowInput, type AllocatorPolicy } from './workflow-input.js';

export { UPLOAD_PREFIX, VIDEO_EXTENSIONS } from '../contracts/index.js';

/** The fields of S3's EventBridge `Object Created` event that the trigger reads. */
export const S3ObjectCreatedEventSchema = z.object({
  source: z.literal('aws.s3'),
  'detail-type': z.literal('Object Created'),
  detail: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({
      /** EventBridge carries the key as stored (not URL-encoded, unlike S3 notifications to SQS/SNS/Lambda). */
      key: z.string().min(1),
      size: z.number().nonnegative().optional(),
      etag: z.string().optional(),
      'version-id': z.string().optional(),
      sequencer: z.string().optional(),
    }),
  }),
});
export type S3ObjectCreatedEvent = z.infer<typeof S3ObjectCreatedEventSchema>;

export type UploadPlan =
  | {
      action: 'start';
      /** Also the workflow execution name: ≤ 80 characters of [A-Za-z0-9-]. */
      jobId: string;
      bucket: string;
      key: string;
      spec: JobSpec;
    }
  | { action: 'ignore'; reason: string; bucket?: string; key?: string };

export function isVideoKey(key: string): boolean {
  const dot = key.lastIndexOf('.');
  if (dot < 0 || dot < key.lastIndexOf('/')) return false;
  return (VIDEO_EXTENSIONS as readonly string[]).includes(key.slice(dot + 1).toLowerCase());
}

/** `inbox/<preset>/...` picks a known preset; anything else gets 'default'. */
export function presetForKey(key: string): string {
  const rest = key.slice(UPLOAD_PREFIX.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return 'default';
  const folder = rest.slice(0, slash).toLowerCase();
  return findPreset(folder) ? folder : 'default';
}

/**
 * One id per object version: bucket + key + version id (or the ETag when the bucket is not
 * versioned, so re-uploading identical bytes is the same job, and different bytes a new one).
 */
export function uploadJobId(bucket: string, key: string, version: { versionId?: string; etag?: string }): string {
  const identity = version.versionId ? ['v', version.versionId] : ['e', version.etag ?? ''];
  const digest = createHash('sha256').update(JSON.stringify([bucket, key, ...identity])).digest('hex');
  return `up-${digest.slice(0, 32)}`;
}

export function planUpload(event: unknown): UploadPlan {
  const parsed = S3ObjectCreatedEventSchema.safeParse(event);
  if (!parsed.success) return { action: 'ignore', reason: 'not an S3 Object Created event' };
  const bucket = parsed.data.detail.bucket.name;
  const o = parsed.data.detail.object;
  const key = o.key;
  if (!key.startsWith(UPLOAD_PREFIX)) return { action: 'ignore', reason: `key is not under ${UPLOAD_PREFIX}`, bucket, key };
  if (!isVideoKey(key))
    return { action: 'ignore', reason: `not a video (suffix is not one of ${VIDEO_EXTENSIONS.map((e) => `.${e}`).join(' ')})`, bucket, key };
  const versionId = o['version-id'] && o['version-id'] !== 'null' ? o['version-id'] : undefined;
  if (!versionId && !o.etag) return { action: 'ignore', reason: 'event carries neither a version id nor an ETag', bucket, key };
  return {
    action: 'start',
    jobId: uploadJobId(bucket, key, { versionId, etag: o.etag }),
    bucket,
    key,
    spec: JobSpecSchema.parse({ source: { key }, preset: presetForKey(key), tags: { trigger: 's3-upload' } }),
  };
}

export interface UploadWorkflowOptions {
  /** How many tasks the workflow's Map states run at once (a concurrency limit on AWS). */
  parallelism: number;
  /** ffmpeg threads per task. */
  threadsPerTask: number;
  vmafAvailable: boolean;
  limits?: SourceLimits;
  /** AWS region whose prices the allocator uses. */
  region: string;
  /** The deployment's turnaround policy and quotas (absent: the allocator's defaults). */
  allocatorPolicy?: AllocatorPolicy;
}

/** The encode workflow's input for an upload or an API job on AWS (core/workflow-input.ts). */
export function uploadWorkflowInput(jobId: string, spec: JobSpec, o: UploadWorkflowOptions): EncodeWorkflowInput {
  // The version recorded at submit, so a replaced object changes nothing for the job.
  const source = { key: spec.source.versionId ? versionedKey(spec.source.key, spec.source.versionId) : spec.source.key };
  return encodeWorkflowInput(jobId, source, spec, awsRunContext({ ...o, limits: o.limits ?? DEFAULT_SOURCE_LIMITS }));
}
