/**
 * Service quotas that bound a plan, as data. The defaults are AWS's documented defaults for an
 * account (docs/decisions.md gives each one's source); an environment states what its account
 * really has (lib/config/environments.ts). The allocator plans within them: concurrent Fargate
 * tasks × vCPU within the vCPU quota of their capacity, concurrent Lambda tasks within the Lambda
 * concurrency, children of one Map within the Distributed Map's limit.
 */
import type { Capacity, LimitingQuota, Platform, ServiceQuotas } from '../../contracts/index.js';

export const DEFAULT_SERVICE_QUOTAS: Readonly<ServiceQuotas> = Object.freeze({
  stepFunctions: { openExecutions: 1_000_000, distributedMapConcurrency: 10_000, payloadBytes: 256 * 1024 },
  lambda: { concurrentExecutions: 1_000 },
  fargate: { onDemandVcpu: 6, spotVcpu: 6, overrideBytes: 8 * 1024 },
});

/** What each limit is called in an estimate. */
export const QUOTA_NAMES: Record<LimitingQuota, string> = {
  'map-concurrency': 'the Map concurrency of this deployment (mapMaxConcurrency)',
  'distributed-map-concurrency': 'Step Functions Distributed Map child executions at once',
  'lambda-concurrency': 'Lambda concurrent executions',
  'fargate-on-demand-vcpu': 'Fargate On-Demand vCPU resource count',
  'fargate-spot-vcpu': 'Fargate Spot vCPU resource count',
};

export interface ConcurrencyBound {
  /** Tasks of this size that may run at once (0: not even one fits). */
  tasks: number;
  /** What set `tasks`. */
  limitedBy: LimitingQuota;
}

/**
 * How many tasks of one size one stream may run at once, when `streams` streams (the rungs of a
 * job, run side by side) share the quotas and `mapShare` is this stream's share of the Map.
 */
export function concurrencyBound(
  size: { platform: Platform; vcpu: number },
  capacity: Capacity,
  quotas: ServiceQuotas,
  mapShare: number,
  streams = 1,
): ConcurrencyBound {
  const n = Math.max(1, streams);
  const bounds: ConcurrencyBound[] = [
    { tasks: mapShare, limitedBy: 'map-concurrency' },
    { tasks: Math.floor(quotas.stepFunctions.distributedMapConcurrency / n), limitedBy: 'distributed-map-concurrency' },
  ];
  if (size.platform === 'lambda') bounds.push({ tasks: Math.floor(quotas.lambda.concurrentExecutions / n), limitedBy: 'lambda-concurrency' });
  else if (capacity === 'spot') bounds.push({ tasks: Math.floor(quotas.fargate.spotVcpu / n / size.vcpu + 1e-9), limitedBy: 'fargate-spot-vcpu' });
  else bounds.push({ tasks: Math.floor(quotas.fargate.onDemandVcpu / n / size.vcpu + 1e-9), limitedBy: 'fargate-on-demand-vcpu' });
  // The tightest bound; on a tie the configured one (the Map) names it, an account quota only when it binds alone.
  return bounds.reduce((a, b) => (b.tasks < a.tasks ? b : a));
}

/** The vCPU quota of a capacity. */
export function vcpuQuota(quotas: ServiceQuotas, capacity: Capacity): number {
  return capacity === 'spot' ? quotas.fargate.spotVcpu : quotas.fargate.onDemandVcpu;
}
