/** The encode workflow definition: valid ASL, wired to real functions, with the retries and catches it promises. */
import { readFileSync } from 'node:fs';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { defaultPlatforms } from '../../local/function-registry.js';
import { ENCODE_WORKFLOW } from '../../local/engine.js';
import { loadWorkflow } from '../../local/asl-runner.js';

type State = Record<string, unknown> & { Type: string };
const raw = readFileSync(ENCODE_WORKFLOW, 'utf8');
const wf = loadWorkflow(ENCODE_WORKFLOW, defaultPlatforms());
const top = (wf.definition as { States: Record<string, State> }).States;

function allStates(machine: { States: Record<string, State> }, out: [string, State][] = []): [string, State][] {
  for (const [name, s] of Object.entries(machine.States)) {
    out.push([name, s]);
    for (const b of (s.Branches as { States: Record<string, State> }[] | undefined) ?? []) allStates(b, out);
    const p = (s.ItemProcessor ?? s.Iterator) as { States: Record<string, State> } | undefined;
    if (p) allStates(p, out);
  }
  return out;
}

describe('state-machines/encode.asl.json', () => {
  it('passes asl-validator once its placeholders are substituted, as deployed and as the local engine runs it', () => {
    for (const definition of [wf.deployed!, wf.definition]) {
      const result = aslValidator(definition as never);
      expect(result.errors).toEqual([]);
      expect(result.isValid).toBe(true);
    }
  });

  it('uses JSONPath only, and only placeholders the stack and the local runner know', () => {
    expect(raw).not.toMatch(/JSONata/);
    const placeholders = new Set([...raw.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]));
    for (const p of placeholders) expect(p).toMatch(/^(\w+(FunctionArn|TaskDefinitionArn|DefaultPlatform)|ClusterArn|FargateSubnet[12]|FargateSecurityGroup|DerivativeBucket)$/);
    expect(() => loadWorkflow(ENCODE_WORKFLOW, new Map())).toThrow(/placeholders with no function/);
  });

  it('offers a Fargate variant, chosen by the payload platform, for every function whose config allows Fargate', () => {
    const ecs = [...wf.taskFunctions.values()].filter((t) => t.kind === 'ecs').map((t) => t.fn).sort();
    expect(ecs).toEqual(['assemble', 'encode-audio', 'encode-video', 'measure-quality', 'package']);
    const choice = (top.Encode as never as { Branches: { States: Record<string, State> }[] }).Branches[0].States.EncodeVideo;
    const inner = (choice.ItemProcessor as { States: Record<string, State> }).States;
    expect(inner.EncodeVideoChunk.Type).toBe('Choice');
    expect(JSON.stringify(inner.EncodeVideoChunk.Choices)).toMatch(/fargate/);
    expect(inner.EncodeVideoChunkOnFargate.Resource).toBe('arn:aws:states:::ecs:runTask.waitForTaskToken');
  });

  it('maps every Task state to an existing media function or the allocator', () => {
    const tasks = allStates(wf.definition as never).filter(([, s]) => s.Type === 'Task');
    expect(tasks.length).toBe(wf.taskFunctions.size);
    const named = [...wf.taskFunctions.values()].filter((t) => t.kind !== 'lambda-invoke' && t.kind !== 'item-reader');
    expect(new Set(named.map((t) => t.fn))).toEqual(
      new Set(['inspect', 'plan-analysis', 'plan', 'allocator', 'encode-video', 'encode-audio', 'assemble', 'measure-quality', 'package', 'thumbnails', 'publish']),
    );
    // The Lambdas chosen at run time: the allocator's memory variants of analyze-title and encode-video.
    expect([...wf.taskFunctions].filter(([, t]) => t.kind === 'lambda-invoke').map(([s]) => s).sort()).toEqual(['AnalyzeSample', 'EncodeVideoChunkOnLambda']);
    // Locally, the items of the Distributed Map are read by a Task of the loader's making.
    expect([...wf.taskFunctions].filter(([, t]) => t.kind === 'item-reader').map(([s]) => s)).toEqual(['EncodeVideo·ItemReader']);
  });

  it('sizes every chunk with the Allocate state and loops back one size up on a timeout or an out-of-memory', () => {
    const video = (top.Encode as never as { Branches: { States: Record<string, State> }[] }).Branches[0].States.EncodeVideo;
    expect(video.ItemSelector).toEqual({ function: 'encode-video', 'task.$': '$$.Map.Item.Value', 'sizing.$': '$.plan.sizing', attempt: 0 });
    const p = video.ItemProcessor as { StartAt: string; States: Record<string, State> };
    expect(p.StartAt).toBe('AllocateVideoChunk');
    expect(p.States.AllocateVideoChunk).toMatchObject({ ResultPath: '$.allocation', Next: 'EncodeVideoChunk' });
    expect(p.States.EncodeVideoChunk.Choices).toEqual([{ Variable: '$.allocation.platform', StringEquals: 'fargate', Next: 'EncodeVideoChunkOnFargate' }]);
    const onLambda = p.States.EncodeVideoChunkOnLambda;
    // The allocated timeoutSec travels in the payload (the runtime stops ffmpeg at it); the state's timeout is the platform's cap.
    expect(onLambda).toMatchObject({ Parameters: { 'FunctionName.$': '$.allocation.target', 'Payload.$': '$.allocation.task' }, TimeoutSeconds: 900 });
    const onFargate = p.States.EncodeVideoChunkOnFargate as State & { Parameters: { Overrides: Record<string, unknown> } };
    expect(onFargate.Parameters.Overrides).toMatchObject({ 'Cpu.$': '$.allocation.ecs.cpu', 'Memory.$': '$.allocation.ecs.memory', EphemeralStorage: { 'SizeInGiB.$': '$.allocation.ecs.ephemeralGiB' } });
    for (const s of [onLambda, onFargate]) {
      const c = (s.Catch as { ErrorEquals: string[]; Next: string }[])[0];
      expect(c.Next).toBe('EscalateVideoChunk');
      expect(c.ErrorEquals).toEqual(expect.arrayContaining(['States.Timeout', 'Mosaic.ResourceExhausted', 'States.HeartbeatTimeout']));
    }
    expect(p.States.EscalateVideoChunk).toMatchObject({ Type: 'Pass', Next: 'AllocateVideoChunk', Parameters: { 'function.$': '$.function', 'attempt.$': 'States.MathAdd($.attempt, 1)', 'previous.$': '$.allocation', 'failure.$': '$.failure' } });
  });

  it('sizes every sample of the per-title analysis with an Allocate state, on analyze-title’s Lambda sizes, one size up after a timeout or an out-of-memory', () => {
    const m = top.AnalyzeSamples as State & { ItemProcessor: { StartAt: string; States: Record<string, State> } };
    expect(m).toMatchObject({ Type: 'Map', ItemsPath: '$.analysisPlan.tasks', MaxConcurrencyPath: '$.analysisPlan.maxConcurrency', Next: 'Plan' });
    expect(m.ItemSelector).toEqual({ function: 'analyze-title', 'task.$': '$$.Map.Item.Value', 'sizing.$': '$.analysisPlan.sizing', attempt: 0 });
    const p = m.ItemProcessor;
    expect(p.StartAt).toBe('AllocateSample');
    expect(p.States.AllocateSample).toMatchObject({ Type: 'Task', ResultPath: '$.allocation', Next: 'AnalyzeSample' });
    expect(p.States.AnalyzeSample).toMatchObject({ Parameters: { 'FunctionName.$': '$.allocation.target', 'Payload.$': '$.allocation.task' }, OutputPath: '$.Payload', End: true });
    const c = (p.States.AnalyzeSample.Catch as { ErrorEquals: string[]; Next: string }[])[0];
    expect(c.Next).toBe('EscalateSample');
    expect(c.ErrorEquals).toEqual(expect.arrayContaining(['States.Timeout', 'Mosaic.ResourceExhausted', 'Runtime.OutOfMemory']));
    expect(p.States.EscalateSample).toMatchObject({ Type: 'Pass', Next: 'AllocateSample', Parameters: { 'function.$': '$.function', 'attempt.$': 'States.MathAdd($.attempt, 1)', 'previous.$': '$.allocation', 'failure.$': '$.failure' } });
  });

  it('follows Inspect → (per-title analysis) → Plan → Encode → Assemble → MeasureQuality → Package → Thumbnails → Publish', () => {
    const order: string[] = [];
    let name: string | undefined = (wf.definition as { StartAt: string }).StartAt;
    while (name) {
      order.push(name);
      const s: State = top[name];
      name = (s.Next as string | undefined) ?? (s.Type === 'Choice' ? (s.Default as string) : undefined);
    }
    expect(order).toEqual(['PlatformDefaults', 'Inspect', 'IsPerTitle', 'NoAnalysis', 'Plan', 'Encode', 'Assemble', 'MeasureQuality', 'Package', 'PackageOnLambda', 'HasThumbnails', 'Thumbnails', 'Publish']);
  });

  it('encodes video as a Distributed Map over rung × chunk (items and results in S3) with MaxConcurrency from the plan, in parallel with audio', () => {
    const rawEncode = (JSON.parse(raw) as { States: Record<string, State & { Branches: { States: Record<string, State> }[] }> }).States.Encode;
    const distributed = rawEncode.Branches[0].States.EncodeVideo;
    expect(distributed).toMatchObject({
      Type: 'Map',
      ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON' }, Parameters: { Bucket: '${DerivativeBucket}', 'Key.$': '$.plan.videoTaskList.key' } },
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } },
      ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: '${DerivativeBucket}', Prefix: expect.stringMatching(/^\.mosaic\/work\//) } },
      MaxConcurrencyPath: '$.plan.maxConcurrency',
    });
    expect(distributed.ItemsPath).toBeUndefined();
    const encode = top.Encode as State & { Branches: { StartAt: string; States: Record<string, State> }[] };
    expect(encode.Type).toBe('Parallel');
    // Loaded for the local engine: a reader Task puts the items where the Map's result goes, then the Map maps over them.
    expect(encode.Branches[0].StartAt).toBe('EncodeVideo·ItemReader');
    expect(encode.Branches[0].States['EncodeVideo·ItemReader']).toMatchObject({ Type: 'Task', Resource: 'arn:aws:states:::s3:getObject', Parameters: { 'Key.$': '$.plan.videoTaskList.key' }, Next: 'EncodeVideo' });
    const video = encode.Branches[0].States.EncodeVideo;
    expect(video.Type).toBe('Map');
    expect(video.ItemReader).toBeUndefined();
    expect(video.ItemsPath).toBe((encode.Branches[0].States['EncodeVideo·ItemReader'] as State).ResultPath);
    expect(video.MaxConcurrencyPath).toBe('$.plan.maxConcurrency');
    const chunk = (video.ItemProcessor as { States: Record<string, State> }).States.EncodeVideoChunkOnLambda;
    expect((chunk.Retry as { ErrorEquals: string[] }[])[0].ErrorEquals).toEqual(['Mosaic.Transient']);
    expect(Object.keys(encode.Branches[1].States)).toContain('EncodeAudio');
  });

  it('encodes audio as a Map over the plan audio tasks (none for a silent source), each with the Lambda/Fargate Choice', () => {
    const encode = top.Encode as State & { Branches: { StartAt: string; States: Record<string, State> }[]; ResultSelector: Record<string, string> };
    const audio = encode.Branches[1].States.EncodeAudio;
    expect(encode.Branches[1].StartAt).toBe('EncodeAudio');
    expect(audio).toMatchObject({ Type: 'Map', ItemsPath: '$.plan.audioTasks', MaxConcurrencyPath: '$.plan.maxConcurrency', End: true });
    const p = audio.ItemProcessor as { StartAt: string; States: Record<string, State> };
    expect(p.StartAt).toBe('EncodeAudioTrack');
    expect(JSON.stringify(p.States.EncodeAudioTrack.Choices)).toContain('"Variable":"$.platform"');
    expect(p.States.EncodeAudioTrackOnLambda).toMatchObject({ Type: 'Task', Resource: expect.stringMatching(/encode-audio|EncodeAudio/) });
    expect(p.States.EncodeAudioTrackOnFargate.Resource).toBe('arn:aws:states:::ecs:runTask.waitForTaskToken');
    // Each item is the task payload itself: no InputPath or reshaping of the result.
    for (const s of [p.States.EncodeAudioTrackOnLambda, p.States.EncodeAudioTrackOnFargate]) {
      expect(s.InputPath).toBeUndefined();
      expect(s.ResultSelector).toBeUndefined();
    }
    // Publish gets the list of audio results.
    expect(encode.ResultSelector).toEqual({ 'chunks.$': '$[0]', 'audio.$': '$[1]' });
    expect((top.Publish.Parameters as Record<string, string>)['audio.$']).toBe('$.encoded.audio');
  });

  it('sends every failure of a top-level step to PublishFailed, then fails the execution', () => {
    for (const name of ['Inspect', 'Plan', 'Encode', 'Assemble', 'MeasureQuality', 'PackageOnLambda', 'PackageOnFargate', 'Thumbnails', 'Publish']) {
      const c = top[name].Catch as { ErrorEquals: string[]; Next: string }[];
      expect(c?.[0], name).toMatchObject({ ErrorEquals: ['States.ALL'], Next: 'PublishFailed' });
    }
    expect(top.PublishFailed.Next).toBe('JobFailed');
    expect(top.JobFailed.Type).toBe('Fail');
    // Bad input is never retried.
    for (const [, s] of allStates(wf.definition as never))
      for (const r of (s.Retry as { ErrorEquals: string[] }[] | undefined) ?? []) expect(r.ErrorEquals).not.toContain('Mosaic.InputInvalid');
  });
});
