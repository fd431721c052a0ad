/**
 * The environment's allowPrivateWebhooks (lib/config/environments.ts) reaches both places that
 * vet webhook targets: the API Lambda (at submit) and the job-events Lambda (at connect), as
 * MOSAIC_ALLOW_PRIVATE_WEBHOOKS. Off in every shipped environment; an opt-in turns on both.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../../lib/config/environments.js';
import { MosaicStage } from '../../lib/mosaic-stage.js';
import { newTestApp, resourcesOf } from './infra-app.js';

const SERVICES = ['mosaic-api', 'mosaic-job-events'];

/** MOSAIC_ALLOW_PRIVATE_WEBHOOKS of each Lambda that vets webhooks, by its service name. */
function flagsOf(template: Template): Record<string, unknown> {
  const fns = Object.values(resourcesOf(template, 'AWS::Lambda::Function')).map((r) => r.Properties?.Environment?.Variables ?? {});
  return Object.fromEntries(
    SERVICES.map((service) => {
      const found = fns.filter((v) => v.POWERTOOLS_SERVICE_NAME === service);
      expect(found, service).toHaveLength(1);
      return [service, found[0]!.MOSAIC_ALLOW_PRIVATE_WEBHOOKS];
    }),
  );
}

function synth(allowPrivateWebhooks: boolean): Template {
  const stage = new MosaicStage(newTestApp(), 'Mosaic-dev', { config: { ...ENVIRONMENTS.dev!, allowPrivateWebhooks } });
  return Template.fromStack(stage.stateless);
}

let off: Template;
let on: Template;
beforeAll(() => {
  off = synth(false);
  on = synth(true);
});

describe('allowPrivateWebhooks', () => {
  it('is off in every shipped environment', () => {
    for (const env of Object.values(ENVIRONMENTS)) expect(env.allowPrivateWebhooks, env.name).toBe(false);
  });

  it('reaches the API and job-events Lambdas as MOSAIC_ALLOW_PRIVATE_WEBHOOKS, off by default and on when the environment opts in', () => {
    expect(flagsOf(off)).toEqual({ 'mosaic-api': 'false', 'mosaic-job-events': 'false' });
    expect(flagsOf(on)).toEqual({ 'mosaic-api': 'true', 'mosaic-job-events': 'true' });
  });
});
