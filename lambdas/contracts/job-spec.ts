import { z } from 'zod';

export const VideoCodecSchema = z.enum(['h264']);
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

export const JobSpecSchema = z
  .object({
    /** Where the source is: a BlobStore key (local root or source bucket). */
    source: z.object({ key: z.string().min(1) }),
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
  })
  .strict()
  .refine((s) => s.outputs.hls || s.outputs.dash, { message: 'at least one of outputs.hls and outputs.dash must be true', path: ['outputs'] });
export type JobSpec = z.infer<typeof JobSpecSchema>;
export type JobSpecInput = z.input<typeof JobSpecSchema>;
