/**
 * The AWS composition of workflows: the API Lambda bundles every `state-machines/*.asl.json` and
 * lists each with its Comment and the media functions its Tasks name; starters name a rule's job
 * by the workflow and its input; the environment's state machine ARNs; a rule start that can
 * never succeed is answered `ignored`, anything else throws (EventBridge retries it).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConflictError, InputInvalidError, NotFoundError, TransientError } from '../../../lambdas/contracts/index.js';
import { derivedJobId } from '../../../lambdas/core/derived-workflows.js';
import { BUNDLED_WORKFLOWS, substitutedDefinition, workflowInfoOf } from '../../../lambdas/bootstrap/api.js';
import { awsSourceOf, jsonStringMapEnv, startForRule, starterJobId, stateMachineArnsFromEnv } from '../../../lambdas/bootstrap/workflow-starter.js';
import type { StepFunctionsWorkflowRuns } from '../../../lambdas/adapters/aws/step-functions-job-control.js';

const files = readdirSync('state-machines').filter((f) => f.endsWith('.asl.json')).sort();
const FUNCTIONS = readdirSync('lambdas/functions', { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);

describe("the API Lambda's bundled workflows", () => {
  it('bundles every state-machines/*.asl.json, unchanged', () => {
    expect(Object.keys(BUNDLED_WORKFLOWS).sort()).toEqual(files.map((f) => f.replace(/\.asl\.json$/, '')));
    for (const f of files) expect(BUNDLED_WORKFLOWS[f.replace(/\.asl\.json$/, '')]).toEqual(JSON.parse(readFileSync(`state-machines/${f}`, 'utf8')));
  });

  it('lists each with its Comment and the media functions its Tasks name (not the platform Lambdas)', () => {
    const measure = workflowInfoOf('measure', BUNDLED_WORKFLOWS.measure!, FUNCTIONS);
    expect(measure).toEqual({ name: 'measure', description: BUNDLED_WORKFLOWS.measure!.Comment, functions: ['measure-quality', 'publish-derived'] });
    expect(workflowInfoOf('repackage', BUNDLED_WORKFLOWS.repackage!, FUNCTIONS).functions).toEqual(['package', 'publish-derived']);
    const encode = workflowInfoOf('encode', BUNDLED_WORKFLOWS.encode!, FUNCTIONS);
    expect(encode.functions).toEqual(expect.arrayContaining(['inspect', 'plan', 'encode-video', 'encode-audio', 'assemble', 'measure-quality', 'package', 'thumbnails', 'publish']));
    expect(encode.functions).not.toContain('allocator');
    expect(encode.description).toMatch(/^Mosaic encode/);
  });

  it("fills in each definition's function ARNs and default platforms, and leaves the stack's other placeholders", () => {
    const def = JSON.stringify(substitutedDefinition(BUNDLED_WORKFLOWS.measure, { 'measure-quality': 'arn:mq', 'publish-derived': 'arn:pd' }, [{ name: 'measure-quality', defaultPlatform: 'fargate' } as never]));
    expect(def).toContain('"Resource":"arn:mq"');
    expect(def).toContain('arn:pd');
    expect(def).not.toContain('${MeasureQualityFunctionArn}');
    expect(def).toContain('${MeasureQualityTaskDefinitionArn}');
  });
});

describe('workflow starters', () => {
  it("name a rule's job by the workflow and its input: derived workflows as core's derivedJobId, others by a hash", () => {
    expect(starterJobId('measure', { of: 'job-1' })).toBe(derivedJobId('measure', { of: 'job-1' }));
    expect(starterJobId('repackage', { of: 'job-1', segmentSeconds: 4 })).toBe(derivedJobId('repackage', { of: 'job-1', segmentSeconds: 4 }));
    const a = starterJobId('say-hello', { b: 1, a: 2 });
    expect(a).toMatch(/^say-hello-[0-9a-f]{32}$/);
    expect(starterJobId('say-hello', { a: 2, b: 1 })).toBe(a);
    expect(starterJobId('say-hello', { a: 3 })).not.toBe(a);
    expect(() => starterJobId('measure', { nope: true })).toThrow(InputInvalidError);
  });

  it('read the source of a job at the version recorded with it', () => {
    expect(awsSourceOf({ spec: { source: { key: 'inbox/a.mp4', versionId: 'v1' } } } as never).key).not.toBe('inbox/a.mp4');
    expect(awsSourceOf({ spec: { source: { key: 'inbox/a.mp4' } } } as never)).toEqual({ key: 'inbox/a.mp4' });
  });

  it('read the state machines from MOSAIC_STATE_MACHINE_ARNS, MOSAIC_STATE_MACHINE_ARN standing for encode', () => {
    expect(stateMachineArnsFromEnv({ MOSAIC_STATE_MACHINE_ARN: 'arn:e' })).toEqual({ encode: 'arn:e' });
    expect(stateMachineArnsFromEnv({ MOSAIC_STATE_MACHINE_ARN: 'arn:e', MOSAIC_STATE_MACHINE_ARNS: '{"measure":"arn:m"}' })).toEqual({ encode: 'arn:e', measure: 'arn:m' });
    expect(stateMachineArnsFromEnv({ MOSAIC_STATE_MACHINE_ARN: 'arn:old', MOSAIC_STATE_MACHINE_ARNS: '{"encode":"arn:e"}' })).toEqual({ encode: 'arn:e' });
    expect(() => jsonStringMapEnv({ X: '[1]' }, 'X', 'things')).toThrow(/environment variable X must be a JSON object of things/);
  });

  it('answer a start no retry can change as ignored (with the reason), and throw anything else', async () => {
    const outcomes: unknown[] = [new NotFoundError('measure: no job gone'), new ConflictError('measure: job x is FAILED'), new InputInvalidError('bad'), new TransientError('throttled')];
    const calls: unknown[] = [];
    const runs = {
      startWorkflow: async (name: string, request: unknown, opts: { jobId: string }) => {
        calls.push([name, request, opts]);
        const next = outcomes.shift();
        if (next) throw next;
        return { job: { id: opts.jobId, status: 'QUEUED' }, created: true };
      },
    } as unknown as StepFunctionsWorkflowRuns;
    const start = startForRule(runs, 'measure');
    expect(await start({ of: 'gone' })).toEqual({ status: 'ignored', reason: 'measure: no job gone' });
    expect(await start({ of: 'x' })).toMatchObject({ status: 'ignored', reason: expect.stringContaining('FAILED') });
    expect(await start({ of: 'y' })).toMatchObject({ status: 'ignored' });
    await expect(start({ of: 'z' })).rejects.toBeInstanceOf(TransientError);
    expect(await start({ of: 'ok' })).toEqual({ status: 'started', job: { id: derivedJobId('measure', { of: 'ok' }), status: 'QUEUED' }, duplicate: false });
    expect(calls[0]).toEqual(['measure', { input: { of: 'gone' } }, { jobId: derivedJobId('measure', { of: 'gone' }) }]);
    // An input the workflow's schema refuses names no job: ignored before any call.
    expect(await start({ of: 'ok', extra: 1 })).toMatchObject({ status: 'ignored', reason: expect.stringContaining('invalid input') });
    expect(await start('not an object')).toMatchObject({ status: 'ignored' });
    expect(calls).toHaveLength(5);
  });
});
