import { z } from 'zod';

/** Video codecs of a ladder: H.264 (libx264), HEVC (libx265, `hvc1`), AV1 (libsvtav1, else libaom-av1), VP9 (libvpx-vp9). */
export const VideoCodecSchema = z.enum(['h264', 'hevc', 'av1', 'vp9']);
export type VideoCodec = z.infer<typeof VideoCodecSchema>;
export const AudioCodecSchema = z.enum(['aac']);

/** One rung of an explicit ladder. `height` is the short side, so portrait sources work too. */
export const RungSpecSchema = z.object({
  height: z.number().int().min(16).max(4320),
  bitrateKbps: z.number().int().min(50).max(100_000),
});
export type RungSpec = z.infer<typeof RungSpecSchema>;

export const OutputsWantedSchema = z.object({
  hls: z.boolean().default(true),
  dash: z.boolean().default(true),
  thumbnails: z.boolean().default(true),
  quality: z.boolean().default(true),
});
export type OutputsWanted = z.infer<typeof OutputsWantedSchema>;

/**
 * Where a job's state changes are POSTed (see lambdas/platform/api/webhooks.ts for the
 * `Mosaic-Signature` header). http(s) only; at most 2,048 characters.
 */
export const WebhookSpecSchema = z.object({ url: z.url({ protocol: /^https?$/ }).max(2048) }).strict();
export type WebhookSpec = z.infer<typeof WebhookSpecSchema>;

/**
 * A sidecar caption file (SRT or WebVTT) to publish as a text rendition. Its cue times are
 * relative to the video's first frame. `key` names an object in the store like the source key
 * (callers' keys go through core/object-keys at the API and again at Plan).
 */
export const CaptionSpecSchema = z
  .object({
    key: z.string().min(1).max(1024),
    /** A BCP 47 / ISO 639 language tag: `en`, `fra`, `pt-BR`. */
    language: z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, 'a language tag such as "en", "fra" or "pt-BR"'),
    /** What a player shows in its menu. */
    label: z
      .string()
      .min(1)
      .max(64)
      // eslint-disable-next-line no-control-regex
      .regex(/^[^\x00-\x1f\x7f"]+$/, 'a label may not contain control characters or double quotes'),
  })
  .strict();
export type CaptionSpec = z.infer<typeof CaptionSpecSchema>;

export const JobSpecSchema = z
  .object({
    /** Where the source is: a BlobStore key (local root or source bucket). */
    source: z.object({
      key: z.string().min(1),
      /**
       * On AWS, the S3 object version to encode; recorded at submit when not given, so a job
       * keeps reading what it was submitted with (locally sources are pinned by content instead).
       */
      versionId: z.string().min(1).max(1024).optional(),
    }),
    preset: z.string().min(1).default('default'),
    /** Overrides the preset's rungs. */
    ladder: z.array(RungSpecSchema).min(1).max(12).optional(),
    outputs: OutputsWantedSchema.default({ hls: true, dash: true, thumbnails: true, quality: true }),
    priority: z.number().int().min(0).max(100).default(50),
    tags: z.record(z.string(), z.string()).default({}),
    /** Seconds from submission by which the job should finish (used by the allocator). */
    deadlineSec: z.number().int().positive().optional(),
    /** Callback for state changes, signed with the deployment's webhook secret. */
    webhook: WebhookSpecSchema.optional(),
    /** Sidecar captions added as WebVTT renditions next to the source's own subtitles. */
    captions: z.array(CaptionSpecSchema).max(16).optional(),
  })
  .strict()
  .refine((s) => s.outputs.hls || s.outputs.dash, { message: 'at least one of outputs.hls and outputs.dash must be true', path: ['outputs'] });
export type JobSpec = z.infer<typeof JobSpecSchema>;
export type JobSpecInput = z.input<typeof JobSpecSchema>;
