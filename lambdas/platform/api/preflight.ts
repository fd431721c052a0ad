/**
 * Preflight: what a job with this spec would do, with nothing run. The source is probed by the
 * same Inspect function and limits as a real job, then planned by the same core code as the Plan
 * step; a source that would be rejected gives its reasons instead of a plan.
 */
import { ErrorNames, PlanInputSchema, type JobSpec, type PlanResult, type PreflightResult } from '../../contracts/index.js';
import { planEncode } from '../../core/encode-plan.js';
import { planInputFor } from '../../core/workflow-input.js';
import type { BlobStore, DocumentStore, SourcePreflight } from '../../ports.js';
import { loadSpeedTable } from '../../runtime/speed-table.js';

export async function preflight(deps: { control: SourcePreflight; blobs: BlobStore; jobs: DocumentStore }, spec: JobSpec): Promise<PreflightResult> {
  const rejected = (reason: string, source: PreflightResult['source'] = null): PreflightResult => ({
    accepted: false,
    reasons: [reason],
    source,
    plan: null,
    estimate: null,
    estimateUnavailableReason: 'the source would be rejected',
  });
  if (!(await deps.blobs.head(spec.source.key))) return rejected(`no object at source.key "${spec.source.key}": upload it first (POST /v1/uploads)`);
  const ctx = deps.control.planContext();
  let media: NonNullable<PreflightResult['source']>;
  try {
    media = await deps.control.inspect(spec.source);
  } catch (e) {
    if ((e as Error).name === ErrorNames.InputInvalid) return rejected((e as Error).message);
    throw e;
  }
  let plan: PlanResult;
  try {
    plan = planEncode(
      PlanInputSchema.parse(planInputFor('preflight', spec.source, media, spec, ctx)),
      // Sized with what this installation measured, as the Plan step of the job would be.
      await loadSpeedTable(deps.jobs),
    );
  } catch (e) {
    if ((e as Error).name === ErrorNames.InputInvalid) return rejected((e as Error).message, media);
    throw e;
  }
  return {
    accepted: true,
    reasons: [],
    source: media,
    plan: {
      preset: plan.preset,
      segmentSeconds: plan.timing.segmentSeconds,
      rungs: plan.rungs.map((r) => ({ id: r.id, width: r.width, height: r.height, bitrateKbps: r.bitrateKbps })),
      chunks: { count: plan.chunks.length, framesEach: plan.chunks.map((c) => c.frames) },
      tasks: {
        encodeVideo: plan.videoTasks.length,
        encodeAudio: plan.audioTasks.length,
        assemble: plan.assembleTasks.length,
        measureQuality: plan.qualityTasks.length,
        package: 1,
        thumbnails: plan.thumbnails ? 1 : 0,
      },
      maxConcurrency: plan.maxConcurrency,
    },
    estimate: {
      region: plan.sizing.region,
      pricesTakenOn: plan.sizing.pricesTakenOn,
      chunkSeconds: plan.sizing.chunkSeconds,
      estimatedUsd: plan.sizing.estimatedUsd,
      estimatedSeconds: plan.sizing.estimatedSeconds,
      taskDeadlineSec: plan.sizing.taskDeadlineSec,
      reason: plan.sizing.reason,
    },
    estimateUnavailableReason: null,
  };
}
