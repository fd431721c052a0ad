/** local/distributed-map.ts: a Distributed Map as the local engine runs it (an ItemReader Task, then an in-process Map). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import aslValidator from 'asl-validator';
import { afterAll, describe, expect, it } from 'vitest';
import { loadWorkflow, runWorkflow } from '../../../local/asl-runner.js';
import { itemReaderState, localizeDistributedMaps } from '../../../local/distributed-map.js';

const dir = mkdtempSync(join(tmpdir(), 'mosaic-dmap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const distributed = (over: Record<string, unknown> = {}) => ({
  Type: 'Map',
  Label: 'Work',
  ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON' }, Parameters: { Bucket: 'b', 'Key.$': '$.listKey' } },
  MaxConcurrencyPath: '$.concurrency',
  ItemSelector: { 'n.$': '$$.Map.Item.Value', 'factor.$': '$.factor' },
  ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'Times', States: { Times: { Type: 'Task', Resource: '${TimesFunctionArn}', End: true } } },
  ...over,
});

function machine(map: Record<string, unknown>) {
  return {
    StartAt: 'Start',
    States: {
      Start: { Type: 'Choice', Choices: [{ Variable: '$.go', BooleanEquals: true, Next: 'Fan' }], Default: 'Done' },
      Fan: map,
      Failed: { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' },
      Done: { Type: 'Succeed' },
    },
  };
}

describe('localizeDistributedMaps', () => {
  it('puts a reader Task before the Map (every transition to it redirected, its Catch kept) and maps over what it read', () => {
    const m = machine(distributed({ ResultPath: '$.results', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Failed' }], Next: 'Done' }));
    expect(localizeDistributedMaps(m as never)).toEqual(['Fan·ItemReader']);
    const reader = m.States[itemReaderState('Fan') as keyof typeof m.States] as Record<string, unknown>;
    expect(reader).toEqual({
      Type: 'Task',
      Resource: 'arn:aws:states:::s3:getObject',
      Parameters: { Bucket: 'b', 'Key.$': '$.listKey' },
      ResultPath: '$.results',
      Next: 'Fan',
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Failed' }],
    });
    expect((m.States.Start as { Choices: { Next: string }[] }).Choices[0]!.Next).toBe('Fan·ItemReader');
    const map = m.States.Fan as Record<string, unknown>;
    expect(map.ItemReader).toBeUndefined();
    // The items wait where the Map's result goes, so its result replaces them.
    expect(map.ItemsPath).toBe('$.results');
    expect(aslValidator(m as never).errors).toEqual([]);
  });

  it('rewrites Maps nested in branches, answers AWS\'s small shape for a ResultWriter, and refuses readers it cannot emulate', () => {
    const nested = { StartAt: 'P', States: { P: { Type: 'Parallel', End: true, Branches: [{ StartAt: 'Fan', States: { Fan: distributed({ ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'b', Prefix: 'runs' } }, End: true }) } }] } } };
    expect(localizeDistributedMaps(nested as never)).toEqual(['Fan·ItemReader']);
    const branch = nested.States.P.Branches[0]!;
    expect(branch.StartAt).toBe('Fan·ItemReader');
    expect(branch.States.Fan).toMatchObject({ ResultSelector: { MapRunArn: 'local:Fan', ResultWriterDetails: { Bucket: 'b', Key: null } } });
    expect((branch.States.Fan as Record<string, unknown>).ResultWriter).toBeUndefined();
    const csv = machine(distributed({ ItemReader: { Resource: 'arn:aws:states:::s3:listObjectsV2', Parameters: { Bucket: 'b' } }, End: true }));
    expect(() => localizeDistributedMaps(csv as never)).toThrow(/reads items only with arn:aws:states:::s3:getObject/);
  });

  it('runs in the local runner: the items from the blob store, each through the ItemSelector, at most MaxConcurrencyPath at once', async () => {
    const file = join(dir, 'times.asl.json');
    writeFileSync(file, JSON.stringify(machine(distributed({ End: true, Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Failed' }] }))));
    const wf = loadWorkflow(file, new Map([['times', 'lambda']]));
    expect(wf.taskFunctions.get('Fan·ItemReader')).toEqual({ fn: '', kind: 'item-reader' });
    expect(wf.deployed).toMatchObject({ States: { Fan: { ItemReader: expect.any(Object) } } });
    const read: string[] = [];
    let running = 0;
    let most = 0;
    const run = runWorkflow(
      wf,
      { go: true, listKey: '.mosaic/work/j/plan/items.json', factor: 3, concurrency: 2 },
      async (fn, input) => {
        expect(fn).toBe('times');
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        const { n, factor } = input as { n: number; factor: number };
        return n * factor;
      },
      { readObject: async (key) => (read.push(key), Buffer.from(JSON.stringify([1, 2, 3, 4, 5]))) },
    );
    expect(await run.result).toEqual([3, 6, 9, 12, 15]);
    expect(read).toEqual(['.mosaic/work/j/plan/items.json']);
    expect(most).toBe(2);
  });

  it('fails the run naming the object when it is not a JSON array (through the Map\'s Catch)', async () => {
    const file = join(dir, 'bad.asl.json');
    writeFileSync(file, JSON.stringify(machine(distributed({ End: true, Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Failed' }] }))));
    const wf = loadWorkflow(file, new Map([['times', 'lambda']]));
    const run = runWorkflow(wf, { go: true, listKey: 'k.json', factor: 1, concurrency: 1 }, async () => 0, { readObject: async () => Buffer.from('{"not":"a list"}') });
    const err = await run.result.then(() => null, (e: Error & { cause?: Error }) => e.cause ?? e);
    expect(err?.name).toBe('States.ItemReaderFailed');
    expect(err?.message).toMatch(/k\.json is not a JSON array/);
  });
});
