/** The allocator Lambda behind the Allocate state: its targets, platforms and least-privilege grants. */
import { beforeAll, describe, expect, it } from 'vitest';
import { LAMBDA_MEMORY_LADDER_MIB } from '../../lambdas/contracts/allocation.js';
import { asArray, buildStage, functionConfigs, iamStatements, resourcesOf, type BuiltStage } from './infra-app.js';

let dev: BuiltStage;
beforeAll(() => {
  dev = buildStage('dev');
});

const allocatorFn = () => {
  const found = Object.entries(resourcesOf(dev.stateless, 'AWS::Lambda::Function')).filter(
    ([, r]) => r.Properties?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'mosaic-allocator',
  );
  expect(found).toHaveLength(1);
  return found[0]!;
};

describe('allocator', () => {
  it('names one deployed Lambda per memory size it may choose, for each allocated function (encode-video, analyze-title)', () => {
    const [, fn] = allocatorFn();
    const env = fn.Properties!.Environment.Variables;
    // Stack.toJsonString renders an Fn::Join of text and ARNs: read it back with each ARN as its logical id.
    const [, parts] = env.MOSAIC_ALLOCATED_TARGETS['Fn::Join'] as [string, (string | { 'Fn::GetAtt': [string, string] })[]];
    const targets = JSON.parse(parts.map((p) => (typeof p === 'string' ? p : p['Fn::GetAtt'][0])).join('')) as Record<string, Record<string, string>>;
    expect(Object.keys(targets).sort()).toEqual(['analyze-title', 'encode-video']);
    const lambdas = resourcesOf(dev.stateless, 'AWS::Lambda::Function');
    for (const [name, sizes] of Object.entries(targets)) {
      expect(Object.keys(sizes).map(Number).sort((a, b) => a - b)).toEqual([...LAMBDA_MEMORY_LADDER_MIB]);
      for (const [mib, id] of Object.entries(sizes)) {
        expect(lambdas[id]!.Properties).toMatchObject({ MemorySize: Number(mib), Environment: { Variables: { MOSAIC_FUNCTION: name } } });
      }
    }
    const platforms = JSON.parse(env.MOSAIC_ALLOCATED_PLATFORMS as string) as Record<string, string[]>;
    for (const name of ['encode-video', 'analyze-title']) expect(platforms[name]).toEqual(functionConfigs().find((c) => c.name === name)!.platforms);
    expect(platforms['analyze-title']).toEqual(['lambda']);
    expect(env).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'mosaic-allocator' });
    expect(Object.keys(env)).toEqual(expect.arrayContaining(['MOSAIC_TABLE', 'MOSAIC_EVENT_BUS']));
  });

  it('may read and write the speed table item and put events on the platform bus, nothing more', () => {
    const [, fn] = allocatorFn();
    const roleRef = fn.Properties!.Role['Fn::GetAtt'][0];
    const statements = iamStatements(dev.stateless)
      .filter(({ where }) => asArray(resourcesOf(dev.stateless)[where]!.Properties?.Roles).some((r: { Ref?: string }) => r.Ref === roleRef))
      .map((s) => s.statement);
    const actions = statements.flatMap((s) => asArray<string>(s.Action)).sort();
    expect(actions).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'events:PutEvents', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    const table = statements.find((s) => asArray(s.Action).includes('dynamodb:GetItem'))!;
    expect(asArray(table.Resource)).toHaveLength(1);
  });
});
