/**
 * The generators' planners (bin/cli/generators/*) are pure: files in, nothing written. Their JSON
 * passes the repository's own schemas; the writer is all-or-nothing and never overwrites unasked.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FunctionConfigSchema } from '../../../lambdas/contracts/index.js';
import { RuleSchema } from '../../../lambdas/core/rules/index.js';
import { planFunction } from '../../../bin/cli/generators/function.js';
import { NAME_MAX, nameProblem } from '../../../bin/cli/generators/plan.js';
import { planRuleWorkflow } from '../../../bin/cli/generators/rule-workflow.js';
import { planWorkflow } from '../../../bin/cli/generators/workflow.js';
import { FilesExistError, writePlan } from '../../../bin/cli/generators/write.js';
import { ROOT, tempDir } from '../../helpers/media.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('generator names', () => {
  it('takes kebab-case names up to 40 characters and refuses the rest with the rule', () => {
    for (const ok of ['a', 'frame-grab', 'x264-preview', 'a1-b2-c3', 'a'.repeat(NAME_MAX)]) expect(nameProblem(ok)).toBeNull();
    for (const bad of ['', 'Frame', 'frame_grab', '1frame', 'frame-', '-frame', 'frame--grab', 'frame grab', 'frame.grab', 'a'.repeat(NAME_MAX + 1), 'é']) {
      expect(nameProblem(bad)).toMatch(/kebab-case .*at most 40 characters/);
    }
  });
});

describe('planners', () => {
  it('new function: handler, valid function.json with $schema, README and a test', () => {
    const files = planFunction('frame-grab', { description: 'grabs a frame' });
    expect(files.map((f) => f.path)).toEqual([
      'lambdas/functions/frame-grab/handler.ts',
      'lambdas/functions/frame-grab/function.json',
      'lambdas/functions/frame-grab/README.md',
      'test/unit/functions/frame-grab.test.ts',
    ]);
    const config = JSON.parse(files[1].content) as Record<string, unknown>;
    expect(FunctionConfigSchema.parse(config)).toMatchObject({ name: 'frame-grab', description: 'grabs a frame', platforms: ['lambda'], defaultPlatform: 'lambda' });
    expect(config.$schema).toBe('../../../schemas/function.schema.json');
    expect(files[0].content).toContain('defineMediaFunction');
    expect(files[0].content).toContain('ctx.ffmpeg(');
    expect(files.every((f) => f.summary.length > 0 && !f.summary.includes('\n'))).toBe(true);
    const fargate = JSON.parse(planFunction('frame-grab', { fargate: true })[1].content);
    expect(FunctionConfigSchema.parse(fargate)).toMatchObject({ platforms: ['lambda', 'fargate'], defaultPlatform: 'fargate' });
  });

  it('new workflow: a blank one-Task ASL through a placeholder, or a copy of encode.asl.json', () => {
    const blank = planWorkflow('my-flow');
    expect(blank.map((f) => f.path)).toEqual(['state-machines/my-flow.asl.json', 'test/state-machines/my-flow.test.ts']);
    const asl = JSON.parse(blank[0].content) as { StartAt: string; States: Record<string, { Type: string; Resource?: string }> };
    expect(asl.States[asl.StartAt]).toMatchObject({ Type: 'Task', Resource: '${InspectFunctionArn}' });
    const encodeAsl = readFileSync(join(ROOT, 'state-machines', 'encode.asl.json'), 'utf8');
    expect(planWorkflow('my-encode', { from: 'encode', encodeAsl })[0].content).toBe(encodeAsl);
    expect(() => planWorkflow('my-encode', { from: 'encode', encodeAsl: '{"States":{}}' })).toThrow(/not a state machine/);
  });

  it('new rule-workflow: two rules chained by Function Result, valid rules', () => {
    const files = planRuleWorkflow('audio-chain');
    expect(files.map((f) => f.path)).toEqual(['rules/audio-chain-start.json', 'rules/audio-chain-next.json', 'test/unit/rules/audio-chain.test.ts']);
    const [start, next] = files.slice(0, 2).map((f) => RuleSchema.parse(JSON.parse(f.content)));
    expect(start.then[0]).toMatchObject({ type: 'invoke-function', function: 'encode-audio' });
    expect(next.on).toMatchObject({ 'detail-type': ['Function Result'], detail: { function: ['encode-audio'], stepId: ['encode-audio:aac-128k'] } });
  });
});

describe('writer', () => {
  const root = tempDir('mosaic-gen-write-');
  dirs.push(root);

  it('writes every file, refuses to overwrite without force (naming the files), replaces with it', () => {
    const files = [
      { path: 'a/b/one.txt', content: '1', summary: 'one' },
      { path: 'a/two.txt', content: '2', summary: 'two' },
    ];
    expect(writePlan(root, files)).toEqual(['a/b/one.txt', 'a/two.txt']);
    expect(readFileSync(join(root, 'a/b/one.txt'), 'utf8')).toBe('1');
    const again = (() => {
      try {
        writePlan(root, [{ ...files[0], content: 'x' }, { path: 'a/three.txt', content: '3', summary: 'three' }]);
      } catch (e) {
        return e as FilesExistError;
      }
    })();
    expect(again).toBeInstanceOf(FilesExistError);
    expect(again!.files).toEqual(['a/b/one.txt']);
    expect(existsSync(join(root, 'a/three.txt'))).toBe(false);
    writePlan(root, [{ ...files[0], content: 'x' }], { force: true });
    expect(readFileSync(join(root, 'a/b/one.txt'), 'utf8')).toBe('x');
  });

  it('on a failure midway removes what it wrote and the folders it made', () => {
    const r = tempDir('mosaic-gen-fail-');
    dirs.push(r);
    mkdirSync(join(r, 'blocked'));
    writeFileSync(join(r, 'blocked', 'file'), '');
    // The second file's folder cannot be made (a file is in the way).
    expect(() =>
      writePlan(r, [
        { path: 'new/dir/ok.txt', content: 'ok', summary: 'ok' },
        { path: 'blocked/file/inside.txt', content: 'no', summary: 'no' },
      ]),
    ).toThrow();
    expect(readdirSync(r).sort()).toEqual(['blocked']);
    expect(readdirSync(join(r, 'blocked'))).toEqual(['file']);
  });
});
