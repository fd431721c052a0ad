import { PlanInputSchema, PlanResultSchema } from '../../contracts/index.js';
import { planEncode } from '../../core/encode-plan.js';
import { defineMediaFunction, loadSpeedTable } from '../../runtime/index.js';
import config from './function.json' with { type: 'json' };

export default defineMediaFunction({
  ...config,
  input: PlanInputSchema,
  output: PlanResultSchema,
  async run(input, ctx) {
    // The speed table is read here, not passed in: the cached plan of a resumed job stays the same
    // however much the table learned since, so its chunks are found again.
    const plan = planEncode(input, await loadSpeedTable(ctx.jobs));
    const { region, pricesTakenOn, estimatedUsd } = plan.sizing;
    await ctx.jobs.updateJob(input.jobId, { cost: { region, pricesTakenOn, estimatedUsd, actualUsd: null } }).catch((e: Error) => {
      // A plan run on its own (no job record) still plans.
      ctx.logger.warn('cost estimate not recorded', { error: e.message });
    });
    return plan;
  },
});
