/**
 * What starting the `encode` workflow from a rule means, without I/O: from the input a rule hands
 * the workflow (an upload, a re-encode request, or S3's event itself) to the job to start, or the
 * reason to start nothing. The job id is derived from the input, so a duplicate delivery or a
 * second firing names the same job and starts nothing new. The AWS starter Lambda and the local
 * rule runtime both use it, so a rule means the same on both engines.
 */
import { createHash } from 'node:crypto';
import { JobSpecSchema, PresetReencodeInputSchema, UploadStartInputSchema, UPLOAD_PREFIX } from '../contracts/index.js';
import { findPreset } from './presets.js';
import { isVideoKey, planUpload, presetForKey, uploadJobId, type UploadPlan } from './upload-trigger.js';

export interface WorkflowStartOptions {
  /** The preset catalogue's current version of `name` (presets.ts; an engine may override it). */
  presetVersion: (name: string) => number | undefined;
}

/** One re-encode per job and target preset version: a repeated firing names the same job. */
export function reencodeJobId(reencodeOf: string, preset: string, presetVersion: number): string {
  return `re-${createHash('sha256').update(JSON.stringify([reencodeOf, preset, presetVersion])).digest('hex').slice(0, 32)}`;
}

export const defaultPresetVersion = (name: string): number | undefined => findPreset(name)?.version;

export function planWorkflowStart(input: unknown, o: WorkflowStartOptions = { presetVersion: defaultPresetVersion }): UploadPlan {
  const upload = UploadStartInputSchema.safeParse(input);
  if (upload.success) {
    const { bucket, key, versionId, etag } = upload.data.upload;
    const rule = upload.data.rule;
    if (!key.startsWith(UPLOAD_PREFIX)) return { action: 'ignore', reason: `key is not under ${UPLOAD_PREFIX}`, bucket, key };
    if (!isVideoKey(key)) return { action: 'ignore', reason: 'not a video', bucket, key };
    // S3 puts the string "null" in events of unversioned buckets.
    const version = versionId && versionId !== 'null' ? versionId : undefined;
    if (!version && !etag) return { action: 'ignore', reason: 'the upload carries neither a version id nor an ETag', bucket, key };
    return {
      action: 'start',
      jobId: uploadJobId(bucket, key, { versionId: version, etag: etag ?? undefined }),
      bucket,
      key,
      spec: JobSpecSchema.parse({ source: { key }, preset: presetForKey(key), tags: { trigger: 's3-upload', ...(rule ? { rule } : {}) } }),
    };
  }
  const reencode = PresetReencodeInputSchema.safeParse(input);
  if (reencode.success) {
    const r = reencode.data;
    const current = o.presetVersion(r.preset);
    if (current === undefined) return { action: 'ignore', reason: `unknown preset "${r.preset}"`, key: r.source.key };
    if (current !== r.presetVersion)
      return { action: 'ignore', reason: `preset "${r.preset}" is at version ${current} here, not ${r.presetVersion}: deploy that preset version first`, key: r.source.key };
    const jobId = reencodeJobId(r.reencodeOf, r.preset, r.presetVersion);
    return {
      action: 'start',
      jobId,
      bucket: '',
      key: r.source.key,
      spec: JobSpecSchema.parse({
        source: { key: r.source.key },
        preset: r.preset,
        tags: { trigger: 'preset-version', reencodeOf: r.reencodeOf, previousPresetVersion: String(r.previousPresetVersion), presetVersion: String(r.presetVersion) },
      }),
    };
  }
  // S3's own event (the upload trigger's original input), or something no rule should send.
  const plan = planUpload(input);
  if (plan.action === 'ignore' && plan.reason === 'not an S3 Object Created event')
    return { action: 'ignore', reason: 'not a workflow start input: expected an upload ("trigger": "s3-upload"), a re-encode ("trigger": "preset-version") or an S3 Object Created event' };
  return plan;
}
