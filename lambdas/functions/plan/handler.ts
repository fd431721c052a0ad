import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PlanInputSchema, PlanResultSchema } from '../../contracts/index.js';
import { planByReference, planEncode } from '../../core/encode-plan.js';
import { planSummary } from '../../core/job-progress.js';
import { defineMediaFunction, requireLadderEncoders } from '../../runtime/index.js';
import config from './function.json' with { type: 'json' };

export default defineMediaFunction({
  ...config,
  input: PlanInputSchema,
  output: PlanResultSchema,
  // The speed table is read here, not passed in: the cached plan of a resumed job stays the same
  // however much the table learned since, so its chunks are found again.
  // VMAF only where this ffmpeg has libvmaf and a model was found (probed by the runtime; on AWS the caller cannot know).
  run: async (input, ctx) => {
    const plan = planEncode({ ...input, vmafAvailable: input.vmafAvailable && Boolean(ctx.tools.vmafFfmpeg && ctx.vmafModelPath) }, await ctx.config.speedTable());
    // A codec this ffmpeg cannot encode fails the job here (Mosaic.InputInvalid naming the encoder), before any chunk runs.
    requireLadderEncoders(ctx.tools, plan.rungs);
    // The chunk tasks (read by the encode Map's ItemReader) and the package task (read by its
    // Fargate task) go to objects: the plan the workflow carries stays small.
    const carried = planByReference(plan, input.workPrefix);
    for (const [n, o] of carried.objects.entries()) {
      const file = join(ctx.scratch, `object-${n}.json`);
      await writeFile(file, JSON.stringify(o.value));
      ctx.output(file, o.key, 'application/json');
    }
    return carried.plan;
  },
  // The job lifecycle keeps the estimate and the progress weights of the job's steps.
  summarize: (_input, plan) => ({ ...planSummary(plan) }),
});
