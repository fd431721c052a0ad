import { PlanAnalysisResultSchema, PlanInputSchema } from '../../contracts/index.js';
import { planTitleAnalysis } from '../../core/title-analysis.js';
import { defineMediaFunction } from '../../runtime/index.js';
import config from './function.json' with { type: 'json' };

/** The trials of a per-title search, as one task per sample of the source (none for a fixed ladder). */
export default defineMediaFunction({
  ...config,
  input: PlanInputSchema,
  output: PlanAnalysisResultSchema,
  run: async (input) => planTitleAnalysis(input),
});
