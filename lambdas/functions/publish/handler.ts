import { writeFile } from 'node:fs/promises';
import { PublishInputSchema, PublishResultSchema } from '../../contracts/index.js';
import { buildReport } from '../../core/report.js';
import { defineMediaFunction } from '../../runtime/index.js';
import config from './function.json' with { type: 'json' };

/**
 * Writes report.json, for a finished or a failed run alike. The job itself (status, cost, what
 * is kept of its outputs) follows from the workflow's end in the job lifecycle, not from here.
 */
export default defineMediaFunction({
  ...config,
  input: PublishInputSchema,
  output: PublishResultSchema,
  async run(input, ctx) {
    const report = buildReport(input, input.startedAt ?? new Date().toISOString());
    const reportKey = `${input.outputPrefix}report.json`;
    const file = `${ctx.scratch}/report.json`;
    await writeFile(file, JSON.stringify(report, null, 2));
    ctx.output(file, reportKey, 'application/json');
    return { jobId: input.jobId, status: input.status, reportKey };
  },
});
