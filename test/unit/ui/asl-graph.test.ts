import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { aslGraph, countsLabel, functionOfRef, graphFunctions, graphStatus, taskFunction, taskStatus, type StepLike } from '../../../ui/src/lib/asl-graph.ts';
import { edgePath, layoutGraph } from '../../../ui/src/lib/graph-layout.ts';

const encode = JSON.parse(readFileSync(new URL('../../../state-machines/encode.asl.json', import.meta.url), 'utf8')) as unknown;
const T0 = Date.parse('2024-05-01T12:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
let n = 0;
const step = (stepId: string, status: StepLike['status'], attempt = 1, platform: 'lambda' | 'fargate' | null = 'lambda'): StepLike => ({
  stepId,
  function: stepId.split(':')[0]!,
  attempt,
  status,
  startedAt: at(n++),
  platform: status === 'RUNNING' ? null : platform,
});

describe('aslGraph on state-machines/encode.asl.json', () => {
  const g = aslGraph(encode);
  const node = (id: string) => g.nodes.find((x) => x.id === id)!;

  it('has every state, nested ones with their parent', () => {
    expect(g.startAt).toBe('PlatformDefaults');
    expect(node('Encode').kind).toBe('Parallel');
    expect(node('EncodeVideo')).toMatchObject({ kind: 'Map', parent: 'Encode', start: true });
    expect(node('AllocateVideoChunk')).toMatchObject({ kind: 'Task', parent: 'EncodeVideo', fn: 'allocator', start: true });
    expect(node('EncodeVideoChunk')).toMatchObject({ kind: 'Choice', parent: 'EncodeVideo' });
    expect(node('JobFailed').kind).toBe('Fail');
    expect(node('PlatformDefaults').kind).toBe('Pass');
    expect(new Set(g.nodes.map((x) => x.id)).size).toBe(g.nodes.length);
  });

  it('reads the function of each Task from its placeholders', () => {
    expect(node('Inspect')).toMatchObject({ fn: 'inspect', integration: 'lambda' });
    expect(node('MeasureRungQualityOnLambda').fn).toBe('measure-quality');
    expect(node('MeasureRungQualityOnFargate')).toMatchObject({ fn: 'measure-quality', integration: 'ecs' });
    // lambda:invoke of the allocator's target: the function its Fargate sibling runs.
    expect(node('EncodeVideoChunkOnLambda')).toMatchObject({ fn: 'encode-video', integration: 'lambda-invoke' });
    // …or, with no sibling, the function its Map's ItemSelector gives the allocator.
    expect(node('AnalyzeSample')).toMatchObject({ fn: 'analyze-title', integration: 'lambda-invoke' });
    expect(node('AllocateSample').fn).toBe('allocator');
    expect(node('PublishFailed')).toMatchObject({ fn: 'publish', errorPath: true });
    expect(node('Publish').errorPath).toBe(false);
    expect(graphFunctions(g)).toEqual(['allocator', 'analyze-title', 'assemble', 'encode-audio', 'encode-video', 'inspect', 'measure-quality', 'package', 'plan', 'plan-analysis', 'publish', 'thumbnails']);
  });

  it('has Next, Choice/Default and Catch edges', () => {
    const has = (from: string, to: string, kind: string) => g.edges.some((e) => e.from === from && e.to === to && e.kind === kind);
    expect(has('Inspect', 'IsPerTitle', 'next')).toBe(true);
    expect(has('IsPerTitle', 'PlanAnalysis', 'choice')).toBe(true);
    expect(has('NoAnalysis', 'Plan', 'next')).toBe(true);
    expect(has('Inspect', 'PublishFailed', 'catch')).toBe(true);
    expect(has('EncodeVideoChunk', 'EncodeVideoChunkOnFargate', 'choice')).toBe(true);
    expect(has('EncodeVideoChunk', 'EncodeVideoChunkOnLambda', 'default')).toBe(true);
    expect(has('EscalateVideoChunk', 'AllocateVideoChunk', 'next')).toBe(true);
    expect(g.edges.find((e) => e.from === 'HasThumbnails' && e.kind === 'choice')!.label).toBe('plan.thumbnails is null');
    expect(g.edges.find((e) => e.from === 'Inspect' && e.kind === 'catch')!.label).toBe('on error');
  });

  it('lays out every node inside its container', () => {
    const l = layoutGraph(g);
    expect(l.nodes).toHaveLength(g.nodes.length);
    const box = (id: string) => l.nodes.find((x) => x.id === id)!;
    for (const child of g.nodes.filter((x) => x.parent)) {
      const c = box(child.id);
      const p = box(child.parent!);
      expect(c.x).toBeGreaterThanOrEqual(p.x);
      expect(c.y).toBeGreaterThan(p.y);
      expect(c.x + c.width).toBeLessThanOrEqual(p.x + p.width + 0.5);
      expect(c.y + c.height).toBeLessThanOrEqual(p.y + p.height + 0.5);
    }
    for (const x of l.nodes) {
      expect(Number.isFinite(x.x) && Number.isFinite(x.y) && x.width > 0 && x.height > 0).toBe(true);
      expect(x.x + x.width).toBeLessThanOrEqual(l.width);
      expect(x.y + x.height).toBeLessThanOrEqual(l.height);
    }
    // Top to bottom: Inspect above Plan above Encode above Publish.
    expect(box('Inspect').y).toBeLessThan(box('Plan').y);
    expect(box('Plan').y).toBeLessThan(box('Encode').y);
    expect(box('Encode').y).toBeLessThan(box('Publish').y);
    expect(box('EncodeVideo').container).toBe(true);
    expect(l.edges.length).toBe(g.edges.length);
    for (const e of l.edges) expect(e.points.length).toBeGreaterThanOrEqual(2);
    expect(edgePath(l.edges[0]!.points)).toMatch(/^M[\d.]+,[\d.]+/);
  });
});

describe('graphStatus', () => {
  const g = aslGraph(encode);

  it('is NOT_RUN everywhere before anything ran', () => {
    const s = graphStatus(g, [], { jobStatus: 'QUEUED' });
    expect([...s.values()].every((x) => x.status === 'NOT_RUN')).toBe(true);
  });

  it('shows a running job: done, running and not yet run, with Map counts', () => {
    const steps = [
      step('inspect:source', 'SUCCEEDED'),
      step('plan', 'CACHED'),
      ...Array.from({ length: 12 }, (_, i) => step(`encode-video:r${i % 4}-c${Math.floor(i / 4)}`, 'SUCCEEDED')),
      step('encode-video:r0-c3', 'FAILED', 1),
      step('encode-video:r0-c3', 'SUCCEEDED', 2, 'fargate'),
      step('encode-video:r1-c3', 'FAILED', 1),
      step('encode-video:r1-c3', 'RUNNING', 2),
      step('encode-audio:a0', 'SUCCEEDED'),
    ];
    // As the job view's `planned` gives it (core/job-progress plannedSteps).
    const planned = { 'encode-video': 20, 'encode-audio': 1, plan: 1 };
    const s = graphStatus(g, steps, { jobStatus: 'RUNNING', planned: planned!, allocations: 15 });
    expect(s.get('Inspect')!.status).toBe('SUCCEEDED');
    expect(s.get('Plan')).toMatchObject({ status: 'SUCCEEDED', cached: true });
    expect(s.get('PlatformDefaults')!.status).toBe('SUCCEEDED');
    expect(s.get('EncodeVideo')!.status).toBe('RUNNING');
    expect(s.get('EncodeVideo')!.counts).toEqual({ total: 20, done: 13, running: 1, failed: 0, retried: 2, cached: 0 });
    expect(countsLabel(s.get('EncodeVideo')!.counts!)).toBe('13/20 done, 1 running, 2 retried');
    expect(s.get('EncodeVideoChunkOnLambda')!.status).toBe('RUNNING');
    // Failed on Lambda, then succeeded one size up on Fargate: the Lambda state did not fail the item.
    const escalated = [step('encode-video:r9-c0', 'FAILED', 1), step('encode-video:r9-c0', 'SUCCEEDED', 2, 'fargate'), step('encode-video:r9-c1', 'SUCCEEDED', 1)];
    expect(graphStatus(g, escalated, { jobStatus: 'RUNNING' }).get('EncodeVideoChunkOnLambda')!.status).toBe('SUCCEEDED');
    expect(graphStatus(g, escalated.slice(0, 1), { jobStatus: 'RUNNING' }).get('EncodeVideoChunkOnLambda')!.status).toBe('FAILED');
    expect(s.get('EncodeVideoChunkOnFargate')!.status).toBe('SUCCEEDED');
    expect(s.get('EncodeVideoChunk')!.status).toBe('SUCCEEDED');
    expect(s.get('EscalateVideoChunk')!.status).toBe('SUCCEEDED');
    expect(s.get('AllocateVideoChunk')).toMatchObject({ status: 'SUCCEEDED', attempts: 15 });
    expect(s.get('EncodeAudio')!.status).toBe('SUCCEEDED');
    expect(s.get('EncodeAudioTrackOnFargate')!.status).toBe('NOT_RUN');
    expect(s.get('Encode')!.status).toBe('RUNNING');
    expect(s.get('Assemble')!.status).toBe('NOT_RUN');
    expect(s.get('Publish')!.status).toBe('NOT_RUN');
    expect(s.get('HasThumbnails')!.status).toBe('NOT_RUN');
    expect(s.get('JobFailed')!.status).toBe('NOT_RUN');
  });

  it('shows a finished job, Choice branches and the Pass not taken', () => {
    const steps = [
      step('inspect:source', 'SUCCEEDED'),
      step('plan', 'SUCCEEDED'),
      step('encode-video:r0-c0', 'SUCCEEDED'),
      step('encode-audio:a0', 'CACHED'),
      step('assemble:r0', 'SUCCEEDED'),
      step('measure-quality:r0', 'SUCCEEDED'),
      step('package:package', 'SUCCEEDED'),
      step('thumbnails:thumbnails', 'SUCCEEDED'),
      step('publish', 'SUCCEEDED'),
    ];
    const s = graphStatus(g, steps, { jobStatus: 'SUCCEEDED' });
    for (const id of ['Inspect', 'Plan', 'Encode', 'EncodeVideo', 'Assemble', 'AssembleRung', 'MeasureQuality', 'Package', 'PackageOnLambda', 'HasThumbnails', 'Thumbnails', 'Publish']) expect([id, s.get(id)!.status]).toEqual([id, 'SUCCEEDED']);
    expect(s.get('EncodeAudio')!.cached).toBe(true);
    expect(s.get('NoThumbnails')!.status).toBe('NOT_RUN');
    expect(s.get('PackageOnFargate')!.status).toBe('NOT_RUN');
    expect(s.get('PublishFailed')!.status).toBe('NOT_RUN');
    expect(s.get('JobFailed')!.status).toBe('NOT_RUN');
    expect(s.get('EscalateVideoChunk')!.status).toBe('NOT_RUN');
  });

  it('shows a failed job on the failure path', () => {
    const steps = [step('inspect:source', 'FAILED'), step('inspect:source', 'FAILED', 2), step('publish', 'SUCCEEDED')];
    const s = graphStatus(g, steps, { jobStatus: 'FAILED' });
    expect(s.get('Inspect')!.status).toBe('FAILED');
    expect(s.get('PublishFailed')!.status).toBe('SUCCEEDED');
    expect(s.get('Publish')!.status).toBe('NOT_RUN');
    expect(s.get('JobFailed')!.status).toBe('FAILED');
    expect(s.get('Plan')!.status).toBe('NOT_RUN');
  });

  it('takes NoThumbnails when there is no thumbnails step', () => {
    const steps = [step('package:package', 'SUCCEEDED'), step('publish', 'SUCCEEDED')];
    const s = graphStatus(g, steps, { jobStatus: 'SUCCEEDED' });
    expect(s.get('NoThumbnails')!.status).toBe('SUCCEEDED');
    expect(s.get('Thumbnails')!.status).toBe('NOT_RUN');
  });
});

describe('task statuses and function references', () => {
  it('follows the last attempt of every item', () => {
    expect(taskStatus([])).toBe('NOT_RUN');
    expect(taskStatus([step('x:a', 'FAILED'), step('x:a', 'SUCCEEDED', 2)])).toBe('SUCCEEDED');
    expect(taskStatus([step('x:a', 'SUCCEEDED'), step('x:b', 'FAILED')])).toBe('FAILED');
    expect(taskStatus([step('x:a', 'SUCCEEDED'), step('x:b', 'RUNNING')])).toBe('RUNNING');
    expect(taskStatus([step('x:a', 'CACHED')])).toBe('SUCCEEDED');
    expect(taskStatus([step('x:a', 'ABANDONED')])).toBe('ABANDONED');
  });
  it('reads placeholders and local ARNs', () => {
    expect(functionOfRef('${EncodeAudioFunctionArn}')).toBe('encode-audio');
    expect(functionOfRef('${PackageTaskDefinitionArn}')).toBe('package');
    expect(functionOfRef('arn:aws:lambda:us-east-1:000000000000:function:mosaic-inspect')).toBe('inspect');
    expect(functionOfRef('$.allocation.target')).toBeNull();
    expect(taskFunction({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: '${PlanFunctionArn}' } })).toEqual({ fn: 'plan', integration: 'lambda-invoke' });
  });
  it('rejects what is not ASL', () => {
    expect(() => aslGraph({})).toThrow(/StartAt/);
  });
});
