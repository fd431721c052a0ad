/**
 * Payloads and results of every media function. The Plan function precomputes the
 * input of every later task, so the workflow definition only moves them around.
 *
 * Length: ≈500 lines: one schema per function's input and result, and the plan that builds them
 * all; they refer to each other (a plan holds every task), so split files would import in circles.
 */
import { z } from 'zod';
import { CaptionSpecSchema, VideoCodecSchema } from './job-spec.js';
import { BlobRefSchema, MediaInfoSchema, SourcePictureSchema } from './media.js';
import { ChunkSetSchema, TaskListRefSchema } from './plan-refs.js';
import { CapacitySchema, LimitingQuotaSchema, ServiceQuotasSchema, TurnaroundClassSchema, TurnaroundPolicySchema } from './allocator-policy.js';

export const PlatformSchema = z.enum(['lambda', 'fargate']);
export type Platform = z.infer<typeof PlatformSchema>;

/** The compute a task was given (by the allocator): what its cost is measured against. */
export const TaskSizeSchema = z.object({
  vcpu: z.number().positive(),
  memoryMiB: z.number().int().positive(),
  ephemeralMiB: z.number().int().positive().optional(),
});
export type TaskSize = z.infer<typeof TaskSizeSchema>;

/**
 * Fields every task payload carries. `platform` picks the Lambda or the Fargate variant of the
 * task in the workflow, `size` and `timeoutSec` are what the allocator gave it; none changes the
 * result, so the result cache ignores them (and `threads`, which follows the size).
 */
const Base = {
  jobId: z.string().min(1),
  itemId: z.string().min(1).optional(),
  platform: PlatformSchema.optional(),
  size: TaskSizeSchema.optional(),
  /** The allocator's time budget: the runtime stops ffmpeg after it (Mosaic.ResourceExhausted → one size up). */
  timeoutSec: z.number().int().positive().optional(),
  /** The allocator's predicted run time, for its prediction-error metric. */
  estimatedSec: z.number().nonnegative().optional(),
};

/** Payload fields that say where and how big a task runs, not what it computes. */
export const SIZING_FIELDS = ['platform', 'size', 'threads', 'timeoutSec', 'estimatedSec'] as const;

export const SourceLimitsSchema = z.object({
  maxBytes: z.number().int().positive(),
  maxDurationSec: z.number().positive(),
});
export type SourceLimits = z.infer<typeof SourceLimitsSchema>;

export const RungSchema = z.object({
  id: z.string(),
  index: z.number().int().nonnegative(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  bitrateKbps: z.number().int().positive(),
  maxrateKbps: z.number().int().positive(),
  bufsizeKbps: z.number().int().positive(),
  profile: z.enum(['baseline', 'main', 'high']),
  encoderPreset: z.string(),
  /**
   * Capped CRF (per-title ladders): quality-targeted at this CRF, never above `maxrateKbps` over
   * `bufsizeKbps`; `bitrateKbps` is then the expected average. The same value in every chunk of
   * the rung, so chunk joins show no quality steps. Absent: average-bitrate encoding at `bitrateKbps`.
   */
  crf: z.number().min(0).max(63).optional(),
  /** The rung's video codec; absent: h264 (so payloads written before other codecs stay valid and keep their cache keys). */
  codec: VideoCodecSchema.optional(),
});
export type Rung = z.infer<typeof RungSchema>;

export const ChunkSchema = z.object({
  index: z.number().int().nonnegative(),
  startFrame: z.number().int().nonnegative(),
  frames: z.number().int().positive(),
});
export type Chunk = z.infer<typeof ChunkSchema>;

export const TimingSchema = z.object({
  fps: z.number().positive(),
  fpsRational: z.string(),
  gopFrames: z.number().int().positive(),
  segmentSeconds: z.number().positive(),
});
export type Timing = z.infer<typeof TimingSchema>;

// ---- inspect
export const InspectInputSchema = z.object({ ...Base, source: BlobRefSchema, limits: SourceLimitsSchema });
export type InspectInput = z.infer<typeof InspectInputSchema>;
export const InspectResultSchema = MediaInfoSchema;

// ---- encode-video (one rung × one chunk)
export const EncodeVideoInputSchema = z.object({
  ...Base,
  source: BlobRefSchema,
  rung: RungSchema,
  chunk: ChunkSchema,
  timing: TimingSchema,
  /** How to read the source as the conformed source (see core/conform.ts). */
  picture: SourcePictureSchema,
  threads: z.number().int().min(0).max(64),
  output: BlobRefSchema,
});
export type EncodeVideoInput = z.infer<typeof EncodeVideoInputSchema>;
export const EncodeVideoResultSchema = z.object({
  key: z.string(),
  frames: z.number().int().positive(),
  bytes: z.number().int().positive(),
  /** Wall seconds of the encode and its frame check (what the speed model learns from). */
  encodeSeconds: z.number().nonnegative().optional(),
});
export type EncodeVideoResult = z.infer<typeof EncodeVideoResultSchema>;

// ---- encode-audio
export const EncodeAudioInputSchema = z.object({
  ...Base,
  source: BlobRefSchema,
  /** AAC in MP4 (the ladder's audio); Opus in WebM (rule-based audio renditions). */
  codec: z.enum(['aac', 'opus']),
  bitrateKbps: z.number().int().positive(),
  channels: z.number().int().min(1).max(8),
  sampleRate: z.number().int().positive(),
  /** The video's duration: audio is padded or trimmed to it so A/V stay in sync. */
  durationSec: z.number().positive(),
  /** Which audio stream of the source: its ordinal among audio streams (`-map 0:a:<track>`). */
  track: z.number().int().nonnegative().default(0),
  /**
   * Source presentation time (seconds, the source's own timeline) of the video's frame 0: the
   * rendition starts there (earlier samples cut, a late start filled with silence). Absent: the
   * audio starts where the file starts (rule-based renditions of an audio file).
   */
  originSec: z.number().optional(),
  output: BlobRefSchema,
});
export type EncodeAudioInput = z.infer<typeof EncodeAudioInputSchema>;
export const EncodeAudioResultSchema = z.object({
  key: z.string(),
  durationSec: z.number().positive(),
  bytes: z.number().int().positive(),
  codecs: z.string(),
});
export type EncodeAudioResult = z.infer<typeof EncodeAudioResultSchema>;

// ---- assemble (join the chunks of one rung)
export const AssembleInputSchema = z.object({
  ...Base,
  rung: RungSchema,
  /** By reference: a long title's list of chunk keys would not fit an ECS override (8 KiB). */
  chunks: ChunkSetSchema,
  expectedFrames: z.number().int().positive(),
  timing: TimingSchema,
  output: BlobRefSchema,
});
export type AssembleInput = z.infer<typeof AssembleInputSchema>;
export const AssembleResultSchema = z.object({
  rungId: z.string(),
  key: z.string(),
  frames: z.number().int().positive(),
  durationSec: z.number().positive(),
  bytes: z.number().int().positive(),
  bitrateKbps: z.number().nonnegative(),
});
export type AssembleResult = z.infer<typeof AssembleResultSchema>;

// ---- measure-quality (one rung against the source)
export const MeasureQualityInputSchema = z.object({
  ...Base,
  rung: RungSchema,
  rendition: BlobRefSchema,
  source: BlobRefSchema,
  picture: SourcePictureSchema,
  sourceWidth: z.number().int().positive(),
  sourceHeight: z.number().int().positive(),
  /** Frames of the source (and of the rendition): the progress denominator. */
  frames: z.number().int().positive(),
  timing: TimingSchema,
  vmaf: z.boolean(),
  vmafSubsample: z.number().int().min(1).max(100),
  threads: z.number().int().min(0).max(64),
});
export type MeasureQualityInput = z.infer<typeof MeasureQualityInputSchema>;
export const QualityResultSchema = z.object({
  rungId: z.string(),
  psnr: z.number(),
  psnrMin: z.number(),
  /** null when the metric cannot be computed (e.g. pictures too small for SSIM's window), with the reason. */
  ssim: z.number().nullable(),
  ssimUnavailableReason: z.string().optional(),
  vmaf: z.number().nullable(),
  vmafUnavailableReason: z.string().optional(),
  frames: z.number().int().nonnegative(),
});
export type QualityResult = z.infer<typeof QualityResultSchema>;

// ---- package (HLS + DASH from the same fMP4 segments)
/** One audio rendition as players list it (HLS EXT-X-MEDIA, a DASH AdaptationSet). */
export const PackageAudioSchema = z.object({
  /** Folder under hls/ (`a0`, `a1`, …): the default track is `a0`. */
  id: z.string().regex(/^a\d+$/),
  rendition: BlobRefSchema,
  bitrateKbps: z.number().int().positive(),
  channels: z.number().int().positive(),
  /** BCP 47 tag (`en`, `fr`, `und`). */
  language: z.string().min(1),
  name: z.string().min(1),
  default: z.boolean(),
});
export type PackageAudio = z.infer<typeof PackageAudioSchema>;

/** Where a text rendition's cues come from: a subtitle stream of the source or a sidecar file. */
export const TextOriginSchema = z.discriminatedUnion('kind', [
  /** `index`: ordinal among subtitle streams (`-map 0:s:<index>`). */
  z.object({ kind: z.literal('track'), index: z.number().int().nonnegative(), codec: z.string() }),
  /** An SRT or WebVTT file in the store. */
  z.object({ kind: z.literal('sidecar'), key: z.string().min(1) }),
]);
export type TextOrigin = z.infer<typeof TextOriginSchema>;

/** One WebVTT rendition: subtitles of the source or a sidecar caption. */
export const PackageTextSchema = z.object({
  /** Folder under hls/ (`s0`, `s1`, …). */
  id: z.string().regex(/^s\d+$/),
  language: z.string().min(1),
  name: z.string().min(1),
  default: z.boolean(),
  from: TextOriginSchema,
  /** Seconds taken off every cue so cues line up with the conformed video (a track: the video's origin). */
  offsetSec: z.number(),
});
export type PackageText = z.infer<typeof PackageTextSchema>;

export const PackageInputSchema = z.object({
  ...Base,
  rungs: z.array(z.object({ rung: RungSchema, rendition: BlobRefSchema })).min(1),
  /** Every audio rendition, the default first; empty for a silent source. */
  audio: z.array(PackageAudioSchema).default([]),
  subtitles: z.array(PackageTextSchema).default([]),
  /** The source, staged only when a text rendition is read from it. */
  source: BlobRefSchema.optional(),
  timing: TimingSchema,
  outputPrefix: z.string(),
  hls: z.boolean(),
  dash: z.boolean(),
});
export type PackageInput = z.infer<typeof PackageInputSchema>;
export const PackagedRenditionSchema = z.object({
  id: z.string(),
  kind: z.enum(['video', 'audio', 'text']),
  language: z.string().optional(),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  codecs: z.string(),
  bandwidth: z.number().int().positive(),
  averageBandwidth: z.number().int().positive(),
  playlistKey: z.string(),
  /** Text renditions: the WebVTT file (DASH points at it). */
  vttKey: z.string().optional(),
  segments: z.number().int().positive(),
  bytes: z.number().int().positive(),
});
export type PackagedRendition = z.infer<typeof PackagedRenditionSchema>;
export const PackageResultSchema = z.object({
  hlsMasterKey: z.string().nullable(),
  dashManifestKey: z.string().nullable(),
  renditions: z.array(PackagedRenditionSchema),
  /** E.g. a subtitle track of the source that ffmpeg could not read (skipped, the job goes on). */
  notes: z.array(z.string()).default([]),
});
export type PackageResult = z.infer<typeof PackageResultSchema>;

// ---- thumbnails
export const ThumbnailsInputSchema = z.object({
  ...Base,
  source: BlobRefSchema,
  durationSec: z.number().positive(),
  sourceWidth: z.number().int().positive(),
  sourceHeight: z.number().int().positive(),
  intervalSec: z.number().positive(),
  tileWidth: z.number().int().positive(),
  outputPrefix: z.string(),
});
export type ThumbnailsInput = z.infer<typeof ThumbnailsInputSchema>;
export const ThumbnailsResultSchema = z.object({
  posterKey: z.string(),
  spriteKey: z.string(),
  vttKey: z.string(),
  count: z.number().int().positive(),
});
export type ThumbnailsResult = z.infer<typeof ThumbnailsResultSchema>;

// ---- plan
/** The part of a JobSpec the workflow needs. */
export const WorkflowSpecSchema = z.object({
  preset: z.string(),
  ladder: z.array(z.object({ height: z.number().int(), bitrateKbps: z.number().int() })).optional(),
  outputs: z.object({ hls: z.boolean(), dash: z.boolean(), thumbnails: z.boolean(), quality: z.boolean() }),
  /** Seconds the job may take (the allocator sizes for it). */
  deadlineSec: z.number().positive().optional(),
  priority: z.number().int().min(0).max(100).optional(),
  /** Sidecar captions (SRT or WebVTT files in the store) added as text renditions. */
  captions: z.array(CaptionSpecSchema).optional(),
});

export type WorkflowSpec = z.infer<typeof WorkflowSpecSchema>;

/**
 * How the Plan step involves the allocator. On AWS (`chooseChunks`) the chunk length is chosen
 * together with the size, for `maxConcurrency` tasks at once; locally chunks follow the engine's
 * worker slots and the allocator prices the same tasks (what the run would cost on AWS).
 */
export const PlanAllocatorSchema = z.object({
  region: z.string().min(1),
  maxConcurrency: z.number().int().positive(),
  chooseChunks: z.boolean(),
  /** The deployment's turnaround per priority class (absent: core/allocator's default). */
  turnaround: TurnaroundPolicySchema.optional(),
  /** The account's quotas that bound a plan (absent: AWS's documented defaults). */
  quotas: ServiceQuotasSchema.optional(),
});
export type PlanAllocator = z.infer<typeof PlanAllocatorSchema>;

/** The per-title analysis step's modelled cost: its tasks (samples), the Map's wall time, and USD. */
export const AnalysisEstimateSchema = z.object({ tasks: z.number().int().nonnegative(), seconds: z.number().nonnegative(), usd: z.number().nonnegative() });
export type AnalysisEstimate = z.infer<typeof AnalysisEstimateSchema>;

/** What the Plan step decided about sizes, and what the allocator needs for every task. */
export const PlanSizingSchema = z.object({
  region: z.string(),
  pricesTakenOn: z.string(),
  priority: z.number().int().min(0).max(100),
  /** Time budget of one encode task (the job deadline spread over the waves of chunks), if any. */
  taskDeadlineSec: z.number().positive().nullable(),
  chunkSeconds: z.number().positive(),
  estimatedUsd: z.number().nonnegative(),
  /** Wall time of the encode phase on AWS as planned. */
  estimatedSeconds: z.number().nonnegative(),
  reason: z.string(),
  /** What every encode task stages and reads: the allocator's memory and disk models need them. */
  sourceBytes: z.number().nonnegative(),
  sourceKbps: z.number().nonnegative(),
  /** The source frame every encode task decodes (the speed model counts its decoding). */
  sourceWidth: z.number().int().positive().optional(),
  sourceHeight: z.number().int().positive().optional(),
  /** The job's turnaround: its class, and the encode phase's time target (an explicit deadline's share, or the class's policy). */
  turnaround: z.object({ class: TurnaroundClassSchema, targetSec: z.number().positive().nullable(), source: z.enum(['deadline', 'policy']) }).optional(),
  /** Where Fargate encode tasks run (absent: on-demand). */
  capacity: CapacitySchema.optional(),
  /** The largest Fargate task the plan's concurrency fits in the vCPU quota with; Lambda is left out when `lambdaAllowed` is false (over its concurrency). */
  maxFargateVcpu: z.number().positive().optional(),
  lambdaAllowed: z.boolean().optional(),
  /** The quota that capped the plan's concurrency, if one did. */
  limitedBy: LimitingQuotaSchema.nullable().optional(),
  /** A per-title job's analysis step as modelled (its samples on analyze-title's Lambda); in `estimatedUsd`. */
  analysis: AnalysisEstimateSchema.optional(),
});
export type PlanSizing = z.infer<typeof PlanSizingSchema>;
/** What the Allocate state reads of a plan's sizing: where prices come from, the time budget, the source every task stages, the plan's bounds. */
export const AllocationSizingSchema = PlanSizingSchema.pick({
  region: true,
  priority: true,
  taskDeadlineSec: true,
  sourceBytes: true,
  sourceKbps: true,
  sourceWidth: true,
  sourceHeight: true,
  capacity: true,
  maxFargateVcpu: true,
  lambdaAllowed: true,
});
export type AllocationSizing = z.infer<typeof AllocationSizingSchema>;
// ---- per-title analysis (trial encodes of samples of the source; core/per-title.ts)
export const SampleWindowSchema = z.object({ startFrame: z.number().int().nonnegative(), frames: z.number().int().positive() });
export const AnalyzeTitleInputSchema = z.object({
  ...Base,
  source: BlobRefSchema,
  picture: SourcePictureSchema,
  timing: TimingSchema,
  sample: SampleWindowSchema,
  sourceWidth: z.number().int().positive(),
  sourceHeight: z.number().int().positive(),
  /** Candidate resolutions, each encoded at every CRF. */
  candidates: z.array(z.object({ width: z.number().int().positive(), height: z.number().int().positive() })).min(1),
  crfs: z.array(z.number().min(0).max(63)).min(1),
  /** Speed of the trials (an x264 preset name, mapped to each encoder's own scale). */
  encoderPreset: z.string(),
  /** The ladder's codec (default h264): the trials are encoded with it. */
  codec: VideoCodecSchema.optional(),
  threads: z.number().int().min(0).max(64),
});
export type AnalyzeTitleInput = z.infer<typeof AnalyzeTitleInputSchema>;
export const SampleTrialSchema = z.object({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  crf: z.number(),
  bytes: z.number().int().nonnegative(),
  durationSec: z.number().positive(),
  frames: z.number().int().positive(),
  mseY: z.number().nonnegative(),
  vmaf: z.number().nullable().optional(),
});
export const AnalyzeTitleResultSchema = z.object({ sample: SampleWindowSchema, trials: z.array(SampleTrialSchema) });
export type AnalyzeTitleResult = z.infer<typeof AnalyzeTitleResultSchema>;
/** The plan-analysis function: one analyze-title task per sample (none for a fixed-ladder preset). */
export const PlanAnalysisResultSchema = z.object({
  tasks: z.array(AnalyzeTitleInputSchema),
  maxConcurrency: z.number().int().positive(),
  /** What the Allocate state of every sample sizes it with (the analysis's share of the job's turnaround). */
  sizing: AllocationSizingSchema,
});
export type PlanAnalysisResult = z.infer<typeof PlanAnalysisResultSchema>;

const TrialPointSchema = z.object({ width: z.number(), height: z.number(), crf: z.number(), kbps: z.number(), psnr: z.number(), vmaf: z.number().nullable().optional() });
/** What a per-title plan decided and why: every trial point, the hull, the rungs on it, the saving predicted against the fixed ladder. */
export const PerTitleSummarySchema = z.object({
  metric: z.literal('psnr-y'),
  samples: z.array(SampleWindowSchema),
  points: z.array(TrialPointSchema),
  hull: z.array(TrialPointSchema),
  rungs: z.array(z.object({ id: z.string(), width: z.number(), height: z.number(), crf: z.number(), kbps: z.number(), psnr: z.number() })),
  /** 1 − hull bitrate ÷ fixed bitrate at the fixed ladder's qualities (core/per-title predictedSaving), or null. */
  predictedSavingPercent: z.number().nullable(),
  /** The fixed ladder it is compared with: its rungs at this source, their bitrates and trial-predicted PSNR-Y. */
  fixed: z.array(z.object({ width: z.number(), height: z.number(), kbps: z.number(), psnr: z.number().nullable() })),
});
export type PerTitleSummary = z.infer<typeof PerTitleSummarySchema>;

export const PlanInputSchema = z.object({
  ...Base,
  source: BlobRefSchema,
  media: MediaInfoSchema,
  spec: WorkflowSpecSchema,
  workPrefix: z.string(),
  outputPrefix: z.string(),
  /** How many tasks the engine runs at once (cores locally, a concurrency limit on AWS). */
  parallelism: z.number().int().positive(),
  threadsPerTask: z.number().int().positive(),
  vmafAvailable: z.boolean(),
  /** Where each function runs unless a task says otherwise (function.json defaultPlatform). */
  platforms: z.record(z.string(), PlatformSchema).default({}),
  allocator: PlanAllocatorSchema.default({ region: 'us-east-1', maxConcurrency: 20, chooseChunks: false }),
  /** The per-title analysis (one result per sample), when the preset searches its ladder. */
  analysis: z.array(AnalyzeTitleResultSchema).default([]),
});
export type PlanInput = z.infer<typeof PlanInputSchema>;
export const PlanResultSchema = z.object({
  preset: z.object({ name: z.string(), version: z.number().int() }),
  timing: TimingSchema,
  rungs: z.array(RungSchema),
  chunks: z.array(ChunkSchema),
  maxConcurrency: z.number().int().positive(),
  videoTasks: z.array(EncodeVideoInputSchema),
  /**
   * Set by the Plan function: the video tasks were written to this object (the encode Map reads
   * them with its ItemReader) and `videoTasks` is empty, so the plan fits the workflow's state.
   */
  videoTaskList: TaskListRefSchema.optional(),
  /** Set by the Plan function: `package` also written to this object, which the Fargate package task reads (its override stays small however many tracks). */
  packageInputKey: z.string().min(1).optional(),
  /** One per audio track of the source, the default first (index = rendition `a<n>`). */
  audioTasks: z.array(EncodeAudioInputSchema),
  assembleTasks: z.array(AssembleInputSchema),
  qualityTasks: z.array(MeasureQualityInputSchema),
  package: PackageInputSchema,
  thumbnails: ThumbnailsInputSchema.nullable(),
  sizing: PlanSizingSchema,
  /** A per-title plan's analysis: hull, chosen rungs, predicted saving (null for a fixed ladder). */
  perTitle: PerTitleSummarySchema.nullable().default(null),
});
export type PlanResult = z.infer<typeof PlanResultSchema>;

// ---- publish
export const PublishInputSchema = z.object({
  ...Base,
  status: z.enum(['SUCCEEDED', 'FAILED']),
  /** When this run of the workflow started (`$$.Execution.StartTime`): the report's time. */
  startedAt: z.string().optional(),
  outputPrefix: z.string(),
  /** Intermediate objects, removed once the job succeeded (kept on failure for a resume). */
  workPrefix: z.string().optional(),
  media: MediaInfoSchema.optional(),
  plan: PlanResultSchema.optional(),
  assembled: z.array(AssembleResultSchema).optional(),
  /** The audio Map's results, in the plan's audioTasks order. */
  audio: z.array(EncodeAudioResultSchema).optional(),
  quality: z.array(QualityResultSchema).optional(),
  package: PackageResultSchema.optional(),
  thumbnails: ThumbnailsResultSchema.nullable().optional(),
  error: z.object({ Error: z.string(), Cause: z.string().optional() }).optional(),
});
export type PublishInput = z.infer<typeof PublishInputSchema>;
export const PublishResultSchema = z.object({
  jobId: z.string(),
  status: z.enum(['SUCCEEDED', 'FAILED']),
  reportKey: z.string().nullable(),
});
export type PublishResult = z.infer<typeof PublishResultSchema>;
