import { PlanInputSchema, PlanResultSchema } from '../../contracts/index.js';
import { planEncode } from '../../core/encode-plan.js';
import { defineMediaFunction } from '../../runtime/index.js';
import config from './function.json' with { type: 'json' };

export default defineMediaFunction({
  ...config,
  input: PlanInputSchema,
  output: PlanResultSchema,
  run: async (input) => planEncode(input),
});
