/** The resource allocator's pure model and policy: prices, limits, quotas, speed and memory models, start-up costs, Spot, turnaround, sizing, chunking, escalation. */
export { PRICES, priceTable, knownRegions, FARGATE_SPOT, fargateSpotPrices, type PriceTable, type LambdaPrices, type FargatePrices } from './prices.js';
export {
  LAMBDA_LIMITS,
  FARGATE_LIMITS,
  FARGATE_SIZES,
  isValidFargatePair,
  isValidLambdaSize,
  lambdaVcpu,
  threadsFor,
  candidateSizes,
  describeSize,
  type CandidateSize,
  type CandidateOptions,
} from './limits.js';
export { ENCODER_PRESETS, encoderPreset, type EncoderPreset } from './encoder-presets.js';
export {
  DEFAULT_SPEED_TABLE,
  DEFAULT_FUNCTION,
  REFERENCE_SIZE,
  efficiency,
  speedup,
  lookupSpeed,
  predict,
  predictSeconds,
  observe,
  type Prediction,
  type SpeedLookup,
} from './speed-model.js';
export { MEMORY_MODEL, requiredMemoryMiB, requiredEphemeralMiB, requiredEphemeralGiB, stagedBytes } from './memory-model.js';
export { costOf, estimateJobCost, type BilledSize } from './cost.js';
export { allocate, evaluateSize, HIGH_PRIORITY, HIGH_PRIORITY_COST_SLACK, MIN_TIMEOUT_SEC, type Evaluation } from './policy.js';
export { chooseChunking, candidateChunkFrames, DEFAULT_CHUNK_SECONDS_OPTIONS, DEFAULT_MAX_WAVES, type ChunkingInput, type ChunkingPlan } from './chunking.js';
export { escalate, type EscalationCause } from './escalation.js';
export {
  STARTUP,
  STARTUP_COSTS,
  STAGING_BYTES_PER_SEC,
  NETWORK,
  platformStartup,
  networkBytesPerSec,
  orchestrationUsdPerTask,
} from './startup-costs.js';
export { SPOT_INTERRUPTIONS_PER_HOUR, CAPACITY_PROVIDER, interruptionProbability, expectedReworkSeconds } from './spot.js';
export { DEFAULT_SERVICE_QUOTAS, QUOTA_NAMES, concurrencyBound, vcpuQuota, type ConcurrencyBound } from './quotas.js';
export { DEFAULT_TURNAROUND_POLICY, turnaroundClass, turnaroundFor, type Turnaround } from './turnaround.js';
