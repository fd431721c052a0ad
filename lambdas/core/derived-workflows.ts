/**
 * The derived workflows, without I/O: from a request (`{ of, … }`), the job it names and that
 * job's report, the execution input of `measure` (score the renditions against the source again)
 * or `repackage` (new segments and manifests from the renditions), and the spec of the job that
 * tracks the run. Both engines' job control and the rule starters use it, so a derived job means
 * the same everywhere. What cannot be derived is refused here with the reason: an unknown job
 * (NotFoundError), a job that has not succeeded or whose report lacks what is needed
 * (ConflictError), a request the renditions cannot satisfy (InputInvalidError).
 */
import { createHash } from 'node:crypto';
import {
  ConflictError,
  InputInvalidError,
  JobSpecSchema,
  MeasureRequestSchema,
  NotFoundError,
  RepackageRequestSchema,
  formatIssues,
  isDerivedWorkflow,
  outputPrefix,
  workPrefix,
  type BlobRef,
  type DerivedWorkflow,
  type JobRecord,
  type JobReport,
  type JobSpec,
  type MeasureWorkflowInput,
  type Platform,
  type RepackageWorkflowInput,
  type WebhookSpec,
} from '../contracts/index.js';
import { canonicalJson } from './cache-key.js';
import { sourcePicture } from './conform.js';
import { findPreset } from './presets.js';

/** What the engine starting a derived job knows besides the request. */
export interface DerivedStartContext {
  /** The id of the job that tracks this run. */
  jobId: string;
  /** Job `of`, or null when there is none. */
  original: JobRecord | null;
  /** Job `of`'s report.json as published, or null when it has none (or it is not a report). */
  report: JobReport | null;
  /** Where this engine reads job `of`'s source (locally the pinned key; on AWS the key and version). */
  source: BlobRef;
  /** Default platform of each media function (function.json). */
  platforms: Readonly<Record<string, Platform>>;
  threadsPerTask: number;
  parallelism: number;
  vmafAvailable: boolean;
}

const DEFAULT_VMAF_SUBSAMPLE = 4;

/** The request, parsed; a bad one is an InputInvalidError naming the field. */
export function parseDerivedRequest(name: DerivedWorkflow, request: unknown) {
  const schema = name === 'measure' ? MeasureRequestSchema : RepackageRequestSchema;
  const parsed = schema.safeParse(request);
  if (!parsed.success) throw new InputInvalidError(`${name}: invalid input: ${formatIssues(parsed.error)}`, { issues: parsed.error.issues });
  return parsed.data;
}

/** The job id of request `of` (for loading it before the input is built). */
export const derivedSourceJobId = (name: DerivedWorkflow, request: unknown): string => parseDerivedRequest(name, request).of;

/** One job per workflow and request for a rule's start: a repeated firing names the same job. */
export function derivedJobId(name: DerivedWorkflow, request: unknown): string {
  const parsed = parseDerivedRequest(name, request);
  return `${name}-${createHash('sha256').update(canonicalJson([name, parsed])).digest('hex').slice(0, 32)}`;
}

/**
 * The job a rule's start of workflow `name` names: the same input names the same job, so a
 * redelivered event or a second firing starts nothing new.
 */
export function workflowRunJobId(name: string, input: unknown): string {
  if (isDerivedWorkflow(name)) return derivedJobId(name, input);
  return `${name}-${createHash('sha256').update(canonicalJson([name, input])).digest('hex').slice(0, 32)}`;
}

/** The spec of the job tracking a derived run: job `of`'s source and preset, tagged with where it came from. */
export function derivedJobSpec(name: DerivedWorkflow, original: JobRecord, o: { priority?: number; tags?: Record<string, string>; webhook?: WebhookSpec } = {}): JobSpec {
  return JobSpecSchema.parse({
    source: original.spec.source,
    preset: original.spec.preset,
    outputs: original.spec.outputs,
    priority: o.priority ?? original.spec.priority,
    tags: { ...(o.tags ?? {}), workflow: name, of: original.id },
    ...(o.webhook ? { webhook: o.webhook } : {}),
  });
}

/** Job `of` and its report, or the reason they cannot be worked from. */
function usableReport(name: DerivedWorkflow, of: string, ctx: DerivedStartContext): { original: JobRecord; report: JobReport & { encoding: NonNullable<JobReport['encoding']> } } {
  const { original, report } = ctx;
  if (!original) throw new NotFoundError(`${name}: no job ${of}`, { id: of });
  if (original.status !== 'SUCCEEDED')
    throw new ConflictError(`${name}: job ${of} is ${original.status}; only a SUCCEEDED job's renditions can be worked from`, { status: original.status });
  if (!original.reportKey || !report) throw new ConflictError(`${name}: job ${of} has no report.json to work from`, { id: of });
  if (!report.encoding || !report.source)
    throw new ConflictError(`${name}: the report of job ${of} predates the record of how its renditions were made; encode it again to ${name} it`, { id: of });
  const missing = report.encoding.rungs.filter((r) => !report.rungs.find((x) => x.id === r.id)?.playlist);
  if (missing.length)
    throw new ConflictError(`${name}: job ${of} has no HLS rendition of ${missing.map((r) => r.id).join(', ')} (it was packaged without HLS), and ${name} reads renditions from their HLS playlists`, { id: of });
  return { original, report: report as JobReport & { encoding: NonNullable<JobReport['encoding']> } };
}

const base = (ctx: DerivedStartContext, original: JobRecord, report: JobReport) => ({
  jobId: ctx.jobId,
  workPrefix: workPrefix(ctx.jobId),
  outputPrefix: outputPrefix(ctx.jobId),
  of: { jobId: original.id, reportKey: original.reportKey!, outputPrefix: original.outputPrefix },
  original: report,
});

/** The input of one `measure` execution. */
export function measureWorkflowInput(request: unknown, ctx: DerivedStartContext): MeasureWorkflowInput {
  const r = parseDerivedRequest('measure', request) as ReturnType<typeof MeasureRequestSchema.parse>;
  const { original, report } = usableReport('measure', r.of, ctx);
  const media = report.source!;
  const v = media.video;
  const playlist = (id: string) => `${original.outputPrefix}${report.rungs.find((x) => x.id === id)!.playlist}`;
  const subsample = r.vmafSubsample ?? (report.preset ? findPreset(report.preset.name)?.vmafSubsample : undefined) ?? DEFAULT_VMAF_SUBSAMPLE;
  return {
    ...base(ctx, original, report),
    qualityTasks: report.encoding.rungs.map((rung) => ({
      jobId: ctx.jobId,
      itemId: rung.id,
      platform: ctx.platforms['measure-quality'] ?? 'lambda',
      rung,
      rendition: { key: playlist(rung.id) },
      source: ctx.source,
      picture: sourcePicture(media),
      sourceWidth: v.width,
      sourceHeight: v.height,
      frames: v.frames,
      timing: report.encoding.timing,
      vmaf: r.vmaf && ctx.vmafAvailable,
      vmafSubsample: subsample,
      threads: ctx.threadsPerTask * ctx.parallelism,
    })),
    maxConcurrency: ctx.parallelism,
  };
}

/** Seconds between keyframes of renditions encoded with `timing`. */
export const keyframeSeconds = (timing: { gopFrames: number; fps: number }): number => timing.gopFrames / timing.fps;

/** Why `segmentSeconds` cannot cut renditions with a keyframe every `keyframeSec`, or null. */
export function segmentLengthRefusal(segmentSeconds: number, keyframeSec: number): string | null {
  const k = segmentSeconds / keyframeSec;
  if (k >= 1 - 1e-6 && Math.abs(k - Math.round(k)) < 1e-3) return null;
  const round = (x: number) => Number(x.toFixed(3));
  const examples = [1, 2, 3].map((n) => round(n * keyframeSec)).join(', ');
  return `segmentSeconds ${segmentSeconds} is not a whole multiple of the renditions' keyframe interval (${round(keyframeSec)} s); segments start on keyframes, so use ${examples}, …`;
}

/** The input of one `repackage` execution. */
export function repackageWorkflowInput(request: unknown, ctx: DerivedStartContext): RepackageWorkflowInput {
  const r = parseDerivedRequest('repackage', request) as ReturnType<typeof RepackageRequestSchema.parse>;
  const { original, report } = usableReport('repackage', r.of, ctx);
  const prefix = original.outputPrefix;
  const timing = report.encoding.timing;
  const segmentSeconds = r.segmentSeconds ?? timing.segmentSeconds;
  const refusal = segmentLengthRefusal(segmentSeconds, keyframeSeconds(timing));
  if (refusal) throw new InputInvalidError(`repackage: ${refusal}`, { segmentSeconds });
  const b = base(ctx, original, report);
  return {
    ...b,
    package: {
      jobId: ctx.jobId,
      itemId: 'package',
      platform: ctx.platforms.package ?? 'lambda',
      rungs: report.encoding.rungs.map((rung) => ({ rung, rendition: { key: `${prefix}${report.rungs.find((x) => x.id === rung.id)!.playlist}` } })),
      audio: report.audioTracks
        .filter((a) => a.playlist)
        .map((a) => ({ id: a.id, rendition: { key: `${prefix}${a.playlist}` }, bitrateKbps: Math.round(a.bitrateKbps), channels: a.channels, language: a.language, name: a.name, default: a.default })),
      // Text renditions are already on the video's timeline: their WebVTT files are the sidecars.
      subtitles: report.subtitles
        .filter((t) => t.vtt)
        .map((t) => ({ id: t.id, language: t.language, name: t.name, default: t.default, from: { kind: 'sidecar' as const, key: `${prefix}${t.vtt}` }, offsetSec: 0 })),
      timing: { ...timing, segmentSeconds },
      outputPrefix: b.outputPrefix,
      hls: r.hls,
      dash: r.dash,
    },
  };
}

/** The execution input of derived workflow `name`. */
export function derivedWorkflowInput(name: DerivedWorkflow, request: unknown, ctx: DerivedStartContext): MeasureWorkflowInput | RepackageWorkflowInput {
  return name === 'measure' ? measureWorkflowInput(request, ctx) : repackageWorkflowInput(request, ctx);
}
