import { writeFile } from 'node:fs/promises';
import { PublishDerivedInputSchema, PublishResultSchema } from '../../contracts/index.js';
import { buildDerivedReport } from '../../core/derived-report.js';
import { defineMediaFunction } from '../../runtime/index.js';
import config from './function.json' with { type: 'json' };

/**
 * Writes report.json of a measure or repackage run: the report of the job it worked from, with
 * the new scores or the new packages (core/derived-report.ts). As with publish, the job itself
 * follows from the workflow's end in the job lifecycle, which reads `reportKey` from the result.
 */
export default defineMediaFunction({
  ...config,
  input: PublishDerivedInputSchema,
  output: PublishResultSchema,
  async run(input, ctx) {
    const report = buildDerivedReport(input, input.startedAt ?? new Date().toISOString());
    const reportKey = `${input.outputPrefix}report.json`;
    const file = `${ctx.scratch}/report.json`;
    await writeFile(file, JSON.stringify(report, null, 2));
    ctx.output(file, reportKey, 'application/json');
    return { jobId: input.jobId, status: 'SUCCEEDED' as const, reportKey };
  },
});
