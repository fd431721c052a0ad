import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fargateSize, isValidFargateSize } from '../../lib/constructs/fargate-size.js';
import { MosaicStage } from '../../lib/mosaic-stage.js';
import { ENVIRONMENTS } from '../../lib/config/environments.js';
import { PATHS } from '../../lib/paths.js';
import { LAMBDA_MEMORY_LADDER_MIB } from '../../lambdas/contracts/allocation.js';
import { buildStage, functionConfigs, lambdaFor, newTestApp, resourcesOf, type BuiltStage } from './infra-app.js';

const configs = functionConfigs();
let dev: BuiltStage;
let prod: BuiltStage;
const tmpDirs: string[] = [];
beforeAll(() => {
  dev = buildStage('dev');
  prod = buildStage('prod');
});
afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

/** A copy of lambdas/functions' function.json files (no handlers: bundling is skipped) plus `extra`. */
function fixtureFunctionsDir(extra: Record<string, unknown>[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'mosaic-functions-'));
  tmpDirs.push(dir);
  for (const c of configs) {
    mkdirSync(join(dir, c.name));
    copyFileSync(join(PATHS.functionsDir, c.name, 'function.json'), join(dir, c.name, 'function.json'));
  }
  for (const e of extra) {
    mkdirSync(join(dir, String(e.name)));
    writeFileSync(join(dir, String(e.name), 'function.json'), JSON.stringify(e));
  }
  return dir;
}

const synthWith = (functionsDir: string) => new MosaicStage(newTestApp(), 'Mosaic-dev', { config: ENVIRONMENTS.dev!, functionsDir });

describe('media functions from function.json', () => {
  it('creates one Lambda per function.json, plus the upload trigger', () => {
    const base = Object.values(resourcesOf(dev.stateless, 'AWS::Lambda::Function')).filter((r) => !r.Properties?.Environment?.Variables?.MOSAIC_ALLOCATED_SIZE_MIB);
    const names = base.map((r) => r.Properties?.Environment?.Variables?.MOSAIC_FUNCTION).filter(Boolean);
    expect(names.sort()).toEqual(configs.map((c) => c.name).sort());
    expect(configs.length).toBeGreaterThanOrEqual(9);
  });

  it('deploys one Lambda per allocator memory size for every "allocated" function, otherwise identical', () => {
    const allocated = configs.filter((c) => c.allocated);
    expect(allocated.map((c) => c.name).sort()).toEqual(['analyze-title', 'encode-video']);
    for (const c of allocated) {
      const [, base] = lambdaFor(dev.stateless, c.name);
      const variants = Object.values(resourcesOf(dev.stateless, 'AWS::Lambda::Function')).filter(
        (r) => r.Properties?.Environment?.Variables?.MOSAIC_FUNCTION === c.name && r.Properties?.Environment?.Variables?.MOSAIC_ALLOCATED_SIZE_MIB,
      );
      const sizes = [...LAMBDA_MEMORY_LADDER_MIB].filter((m) => m !== c.memoryMiB);
      expect(variants.map((v) => v.Properties!.MemorySize).sort((a: number, b: number) => a - b)).toEqual(sizes);
      for (const v of variants) {
        expect(v.Properties!.Environment.Variables.MOSAIC_ALLOCATED_SIZE_MIB).toBe(String(v.Properties!.MemorySize));
        expect(v.Properties).toMatchObject({ Timeout: c.timeoutSec, Layers: base.Properties!.Layers, EphemeralStorage: { Size: 10_240 }, Runtime: 'nodejs22.x' });
        expect(v.Properties!.ReservedConcurrentExecutions).toBeUndefined();
      }
    }
  });

  it.each(configs.map((c) => [c.name, c] as const))('%s: memory, timeout, ephemeral storage and architecture equal its function.json', (_name, c) => {
    for (const s of [dev, prod]) {
      const [, fn] = lambdaFor(s.stateless, c.name);
      expect(fn.Properties).toMatchObject({
        MemorySize: c.memoryMiB,
        Timeout: c.timeoutSec,
        EphemeralStorage: { Size: c.ephemeralStorageMiB },
        Architectures: [c.architecture],
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
      });
    }
  });

  it('gives every media function its environment and the ffmpeg layer', () => {
    // The UI deployments' AWS CLI layers (CDK's BucketDeployment) are not the media functions'.
    const layers = Object.keys(resourcesOf(dev.stateless, 'AWS::Lambda::LayerVersion')).filter((id) => !id.includes('AwsCliLayer'));
    expect(layers).toHaveLength(1);
    dev.stateless.hasResourceProperties('AWS::Lambda::LayerVersion', { CompatibleArchitectures: ['x86_64'], CompatibleRuntimes: ['nodejs22.x'] });
    for (const c of configs) {
      const [, fn] = lambdaFor(dev.stateless, c.name);
      expect(fn.Properties!.Layers).toEqual([{ Ref: layers[0] }]);
      const env = fn.Properties!.Environment.Variables as Record<string, unknown>;
      expect(Object.keys(env).sort()).toEqual([
        'MOSAIC_DERIVATIVE_BUCKET', 'MOSAIC_EVENT_BUS', 'MOSAIC_FFMPEG', 'MOSAIC_FFPROBE', 'MOSAIC_FUNCTION', 'MOSAIC_SOURCE_BUCKET', 'MOSAIC_TABLE',
        'NODE_OPTIONS', 'POWERTOOLS_LOG_LEVEL', 'POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_SERVICE_NAME',
      ]);
      expect(env).toMatchObject({ MOSAIC_FFMPEG: '/opt/bin/ffmpeg', MOSAIC_FFPROBE: '/opt/bin/ffprobe', POWERTOOLS_METRICS_NAMESPACE: 'Mosaic', POWERTOOLS_LOG_LEVEL: 'DEBUG' });
    }
    expect(lambdaFor(prod.stateless, configs[0]!.name)[1].Properties!.Environment.Variables.POWERTOOLS_LOG_LEVEL).toBe('INFO');
  });

  it('creates a Fargate task definition (container "media", valid size, ≥ 21 GiB storage, awslogs) per fargate-capable function', () => {
    const fargate = configs.filter((c) => c.platforms.includes('fargate'));
    const tasks = Object.values(resourcesOf(dev.stateless, 'AWS::ECS::TaskDefinition'));
    expect(tasks).toHaveLength(fargate.length);
    for (const c of fargate) {
      const task = tasks.find((t) => t.Properties!.ContainerDefinitions[0].Environment.some((e: { Name: string; Value: string }) => e.Name === 'MOSAIC_FUNCTION' && e.Value === c.name));
      expect(task, c.name).toBeDefined();
      const p = task!.Properties!;
      const size = fargateSize(c.memoryMiB);
      expect({ cpu: Number(p.Cpu), memoryLimitMiB: Number(p.Memory) }).toEqual(size);
      expect(isValidFargateSize(size)).toBe(true);
      expect(size.memoryLimitMiB).toBeGreaterThanOrEqual(c.memoryMiB);
      expect(p.EphemeralStorage.SizeInGiB).toBeGreaterThanOrEqual(21);
      expect(p.RequiresCompatibilities).toEqual(['FARGATE']);
      expect(p.RuntimePlatform).toEqual({ CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' });
      expect(p.ContainerDefinitions).toHaveLength(1);
      expect(p.ContainerDefinitions[0]).toMatchObject({ Name: 'media', Essential: true, LogConfiguration: { LogDriver: 'awslogs' } });
    }
  });

  it('maps memory to valid Fargate sizes', () => {
    for (let mib = 128; mib <= 10240; mib += 64) {
      const size = fargateSize(mib);
      expect(isValidFargateSize(size), `${mib} → ${JSON.stringify(size)}`).toBe(true);
      expect(size.memoryLimitMiB).toBeGreaterThanOrEqual(mib);
    }
    expect(fargateSize(3008)).toEqual({ cpu: 2048, memoryLimitMiB: 4096 });
    expect(isValidFargateSize({ cpu: 256, memoryLimitMiB: 1536 })).toBe(false);
  });

  it('runs Fargate tasks in a 2-public-subnet VPC without NAT, with flow logs, an ingress-free security group and Container Insights', () => {
    const t = dev.stateless;
    t.resourceCountIs('AWS::EC2::VPC', 1);
    t.resourceCountIs('AWS::EC2::NatGateway', 0);
    t.resourceCountIs('AWS::EC2::Subnet', 2);
    for (const s of Object.values(resourcesOf(t, 'AWS::EC2::Subnet'))) expect(s.Properties!.MapPublicIpOnLaunch).toBe(true);
    t.resourceCountIs('AWS::EC2::FlowLog', 1);
    for (const sg of Object.values(resourcesOf(t, 'AWS::EC2::SecurityGroup'))) expect(sg.Properties!.SecurityGroupIngress).toBeUndefined();
    t.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    t.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] });
  });

  it('adds a function when a folder with a function.json is added (temporary fixture folder)', () => {
    const extra = { ...configs.find((c) => c.name === 'thumbnails')!, name: 'contact-sheet', description: 'A fixture function', memoryMiB: 1536, timeoutSec: 77 };
    const stage = synthWith(fixtureFunctionsDir([extra]));
    const t = Template.fromStack(stage.stateless);
    const [, fn] = lambdaFor(t, 'contact-sheet');
    expect(fn.Properties).toMatchObject({ MemorySize: 1536, Timeout: 77 });
    // + the upload trigger, the allocator, the Jobs API, webhooks, the rule engine, the lifecycle, CDK's
    // UI deployment handler, a starter per workflow (other than encode) a rule starts, and the
    // allocator's size variants of every allocated function (encode-video, analyze-title).
    const variants = configs.filter((c) => c.allocated).reduce((n, c) => n + LAMBDA_MEMORY_LADDER_MIB.filter((m) => m !== c.memoryMiB).length, 0);
    const starters = Object.values(resourcesOf(t, 'AWS::Lambda::Function')).filter((r) => r.Properties?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'mosaic-workflow-starter');
    expect(starters.length).toBeGreaterThanOrEqual(1);
    expect(Object.keys(resourcesOf(t, 'AWS::Lambda::Function'))).toHaveLength(configs.length + 8 + starters.length + variants);
  });

  it('rejects an arm64 function (no arm64 ffmpeg installed) and an invalid config, naming the file', () => {
    const arm = { ...configs[0]!, name: 'arm-probe', architecture: 'arm64' };
    const armDir = fixtureFunctionsDir([arm]);
    expect(() => synthWith(armDir)).toThrow(/arm-probe[/\\]function\.json: architecture "arm64" is not supported/);
    const bad = { ...configs[0]!, name: 'too-small', memoryMiB: 64 };
    const badDir = fixtureFunctionsDir([bad]);
    expect(() => synthWith(badDir)).toThrow(/too-small[/\\]function\.json: invalid function config: memoryMiB/);
    const misnamed = { ...configs[0]!, name: 'other-name' };
    const dir = fixtureFunctionsDir();
    mkdirSync(join(dir, 'folder-name'));
    writeFileSync(join(dir, 'folder-name', 'function.json'), JSON.stringify(misnamed));
    expect(() => synthWith(dir)).toThrow(/must equal its folder name "folder-name"/);
  });
});
