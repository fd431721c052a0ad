import { DetailTypes, EVENT_SOURCE, InputInvalidError, PublishInputSchema, PublishResultSchema } from '../../contracts/index.js';
import { buildReport } from '../../core/report.js';
import { defineMediaFunction, pricesTakenOn } from '../../runtime/index.js';
import config from './function.json' with { type: 'json' };

export default defineMediaFunction({
  ...config,
  input: PublishInputSchema,
  output: PublishResultSchema,
  async run(input, ctx) {
    const job = await ctx.jobs.getJob(input.jobId);
    if (!job) throw new InputInvalidError(`publish: no job ${input.jobId}`);
    const report = buildReport(input, job.createdAt);
    if (input.status === 'FAILED') {
      // Nothing of a failed job may look like a success: drop partial outputs, keep the report.
      await ctx.blobs.deletePrefix(input.outputPrefix);
    }
    const reportKey = `${input.outputPrefix}report.json`;
    await ctx.blobs.putBytes(reportKey, JSON.stringify(report, null, 2), 'application/json');
    const now = new Date().toISOString();
    // What the run cost: every step attempt's measured duration at the size it ran on (cache hits are free).
    const steps = await ctx.jobs.listSteps(input.jobId);
    const actualUsd = steps.reduce((sum, s) => sum + (s.costUsd ?? 0), 0);
    await ctx.jobs.updateJob(input.jobId, {
      cost: { ...(job.cost ?? { region: ctx.region, pricesTakenOn: pricesTakenOn(ctx.region), estimatedUsd: null }), actualUsd },
      status: input.status,
      error: report.error,
      reportKey,
      endedAt: now,
      progress: input.status === 'SUCCEEDED' ? 1 : job.progress,
      etaSec: input.status === 'SUCCEEDED' ? 0 : null,
    });
    if (input.status === 'SUCCEEDED' && input.workPrefix) await ctx.blobs.deletePrefix(input.workPrefix);
    await ctx.events.put({
      source: EVENT_SOURCE,
      detailType: DetailTypes.JobStatusChanged,
      detail: {
        jobId: input.jobId,
        status: input.status,
        error: report.error,
        reportKey,
        // What rules record about the job (job → preset version) to re-encode it when the preset changes.
        preset: input.plan?.preset.name ?? job.spec.preset,
        ...(input.plan ? { presetVersion: input.plan.preset.version } : {}),
        sourceKey: job.spec.source.key,
      },
    });
    return { jobId: input.jobId, status: input.status, reportKey };
  },
});
