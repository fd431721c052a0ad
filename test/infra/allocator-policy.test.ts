/** Each environment's turnaround policy and quotas reach every function that starts a workflow, and from there the Plan step's allocator. */
import { beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../../lib/config/environments.js';
import { awsRunContextFromEnv } from '../../lambdas/bootstrap/workflow-starter.js';
import { ALLOCATOR_POLICY_ENV, allocatorPolicyFromEnv } from '../../lambdas/core/workflow-input.js';
import { buildStage, resourcesOf, type BuiltStage } from './infra-app.js';

const stages: Record<string, BuiltStage> = {};
beforeAll(() => {
  for (const env of ['dev', 'prod']) stages[env] = buildStage(env);
}, 240_000);

describe('allocator policy per environment', () => {
  it('differs where the accounts differ (a new account in dev, raised quotas in prod)', () => {
    expect(ENVIRONMENTS.dev!.allocator.quotas.lambda.concurrentExecutions).toBe(10);
    expect(ENVIRONMENTS.prod!.allocator.quotas.fargate.onDemandVcpu).toBeGreaterThan(ENVIRONMENTS.dev!.allocator.quotas.fargate.onDemandVcpu);
  });

  it('every function that starts workflows gets the environment’s turnaround policy and quotas, and reads them back as configured', () => {
    for (const [env, stage] of Object.entries(stages)) {
      const config = ENVIRONMENTS[env]!;
      const starters = Object.values(resourcesOf(stage.stateless, 'AWS::Lambda::Function')).filter((f) => f.Properties?.Environment?.Variables?.MOSAIC_MAP_CONCURRENCY !== undefined);
      // The upload trigger, the API, the rule engine and each workflow's starter.
      expect(starters.length, env).toBeGreaterThanOrEqual(3);
      for (const f of starters) {
        const vars = f.Properties!.Environment.Variables as Record<string, string>;
        expect(JSON.parse(vars[ALLOCATOR_POLICY_ENV.turnaround]!), env).toEqual(config.allocator.turnaround);
        expect(JSON.parse(vars[ALLOCATOR_POLICY_ENV.quotas]!), env).toEqual(config.allocator.quotas);
        expect(allocatorPolicyFromEnv(vars), env).toEqual(config.allocator);
      }
    }
  });

  it('an execution started with that environment carries them to the Plan step', () => {
    const config = ENVIRONMENTS.prod!;
    const vars = Object.values(resourcesOf(stages.prod!.stateless, 'AWS::Lambda::Function')).find((f) => f.Properties?.Environment?.Variables?.MOSAIC_WORKFLOW !== undefined)!.Properties!.Environment.Variables as Record<string, string>;
    const run = awsRunContextFromEnv({ ...vars, AWS_REGION: 'us-east-1' });
    expect(run.allocator).toEqual({ region: 'us-east-1', maxConcurrency: config.mapMaxConcurrency, chooseChunks: true, ...config.allocator });
  });

  it('refuses a malformed policy, naming the variable', () => {
    expect(() => allocatorPolicyFromEnv({ [ALLOCATOR_POLICY_ENV.quotas]: '{"lambda":{}}' })).toThrow(/MOSAIC_SERVICE_QUOTAS is invalid/);
    expect(() => allocatorPolicyFromEnv({ [ALLOCATOR_POLICY_ENV.turnaround]: 'not json' })).toThrow(/MOSAIC_TURNAROUND_POLICY is not JSON/);
    expect(allocatorPolicyFromEnv({})).toEqual({});
  });
});
