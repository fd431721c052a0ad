/**
 * The shipped rules in rules/*.json: every file validates, and each rule does what it says on
 * realistic events, alone and chained (facts and events forward-chaining through the rule set).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCAL_RULE_SUBSTITUTIONS, PresetReencodeInputSchema, UploadStartInputSchema, VIDEO_EXTENSIONS } from '../../lambdas/contracts/index.js';
import { compileToEventBridge, evaluate, type PlannedAction } from '../../lambdas/core/rules/index.js';
import { presetForKey } from '../../lambdas/core/upload-trigger.js';
import { loadRules, readRuleFiles } from '../../local/rules-loader.js';
import { ROOT } from '../helpers/media.js';
import { mosaicEvent, runInMemory, s3ObjectCreated } from '../helpers/rule-events.js';

const set = loadRules({ substitutions: LOCAL_RULE_SUBSTITUTIONS });
const firingRules = (event: unknown, facts = {}) => evaluate(set, event, facts).map((f) => f.rule);
const onlyAction = (event: unknown, rule: string): PlannedAction => {
  const firings = evaluate(set, event).filter((f) => f.rule === rule);
  expect(firings).toHaveLength(1);
  expect(firings[0].actions).toHaveLength(1);
  return firings[0].actions[0];
};

/** Every upper/lower-case spelling of `word`. */
const spellings = (word: string): string[] =>
  [...word].reduce<string[]>((acc, ch) => acc.flatMap((p) => [...new Set([p + ch.toLowerCase(), p + ch.toUpperCase()])]), ['']);

describe('rules/*.json', () => {
  it('every file validates, is named after its rule and compiles to an EventBridge rule', () => {
    const files = readRuleFiles();
    expect(files.map((f) => f.path.replace(/^.*\//, ''))).toEqual(set.rules.map((r) => `${r.name}.json`));
    expect(set.rules.map((r) => r.name)).toEqual(
      expect.arrayContaining(['ingest-video', 'ingest-audio', 'normalize-audio-done', 'alert-escalation-exhausted', 'reencode-on-preset-version']),
    );
    for (const r of set.rules) expect(() => compileToEventBridge(r)).not.toThrow();
  });

  it('the lint step passes on them, and fails with file, path and message on a broken copy', () => {
    const ok = spawnSync(process.execPath, ['--import', 'tsx', 'bin/check-rules.ts'], { cwd: ROOT, encoding: 'utf8' });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/rules: \d+ rule files valid/);
    const dir = mkdtempSync(join(tmpdir(), 'mosaic-rules-'));
    writeFileSync(join(dir, 'ingest-video.json'), JSON.stringify({ ...set.rules.find((r) => r.name === 'ingest-video'), then: [{ type: 'start-workflow' }] }));
    const bad = spawnSync(process.execPath, ['--import', 'tsx', 'bin/check-rules.ts', dir], { cwd: ROOT, encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/ingest-video\.json: then\[0\]\.workflow: .+/);
  });
});

describe('ingest-video', () => {
  it('starts the encode workflow for every letter case of every video extension under inbox/', () => {
    for (const ext of VIDEO_EXTENSIONS) {
      for (const spelling of spellings(ext)) expect(firingRules(s3ObjectCreated(`inbox/clip.${spelling}`)), spelling).toEqual(['ingest-video']);
    }
  });

  it.each([
    ['outside inbox/', 'uploads/clip.mp4'],
    ['not a video', 'inbox/notes.txt'],
    ['a video extension inside the name only', 'inbox/clip.mp4.part'],
    ['another near-extension', 'inbox/clip.mp5'],
  ])('ignores an upload %s (%s)', (_why, key) => {
    expect(firingRules(s3ObjectCreated(key))).not.toContain('ingest-video');
  });

  it('ignores uploads to another bucket', () => {
    expect(firingRules(s3ObjectCreated('inbox/clip.mp4', { bucket: 'someone-elses-bucket' }))).toEqual([]);
  });

  it('hands the workflow the upload; the folder picks the preset', () => {
    const action = onlyAction(s3ObjectCreated('inbox/draft/My Clip.MOV', { size: 4096, versionId: 'v-1' }), 'ingest-video');
    expect(action.type).toBe('start-workflow');
    const input = UploadStartInputSchema.parse((action as { input: unknown }).input);
    expect(input).toEqual({ trigger: 's3-upload', rule: 'ingest-video', upload: { bucket: LOCAL_RULE_SUBSTITUTIONS.SourceBucket, key: 'inbox/draft/My Clip.MOV', versionId: 'v-1', etag: 'd41d8cd98f00b204e9800998ecf8427e', size: 4096 } });
    expect(presetForKey(input.upload.key)).toBe('draft');
    const unversioned = UploadStartInputSchema.parse((onlyAction(s3ObjectCreated('inbox/a.mp4'), 'ingest-video') as { input: unknown }).input);
    expect(unversioned.upload.versionId).toBeNull();
    expect(presetForKey(unversioned.upload.key)).toBe('default');
  });

  it('runs on EventBridge with the encode workflow\'s starter as direct target on the default bus', () => {
    const spec = compileToEventBridge(set.rules.find((r) => r.name === 'ingest-video')!);
    expect(spec).toMatchObject({ bus: 'default', viaRuleEngine: null, targets: [{ kind: 'workflow-starter', ref: 'workflow:encode' }] });
    expect(JSON.stringify(spec.eventPattern).length).toBeLessThanOrEqual(2048);
  });
});

describe('audio-only uploads: a rule-based workflow', () => {
  it('an audio upload (any case) invokes normalize-audio, never the video rule', () => {
    for (const key of ['inbox/song.FLAC', 'inbox/voice.Wav', 'inbox/podcast.mp3', 'inbox/a.opus']) expect(firingRules(s3ObjectCreated(key)), key).toEqual(['ingest-audio']);
    const event = s3ObjectCreated('inbox/song.flac', { id: 'e-1' });
    expect(onlyAction(event, 'ingest-audio')).toEqual({
      type: 'invoke-function',
      function: 'normalize-audio',
      input: { jobId: 'audio-e-1', source: { key: 'inbox/song.flac' }, loudness: { integratedLufs: -23, truePeakDbtp: -1, loudnessRangeLu: 7 }, output: { key: 'audio-e-1/normalized.wav' } },
    });
  });

  it('normalize-audio\'s result invokes encode-audio for AAC and Opus', () => {
    const done = mosaicEvent('Function Result', { function: 'normalize-audio', jobId: 'audio-e-1', status: 'SUCCEEDED', result: { key: 'audio-e-1/normalized.wav', channels: 2, durationSec: 31.5 } });
    const [firing] = evaluate(set, done);
    expect(firing.rule).toBe('normalize-audio-done');
    const inputs = firing.actions.map((a) => (a as { function: string; input: Record<string, unknown> }).input);
    expect(firing.actions.every((a) => a.type === 'invoke-function' && a.function === 'encode-audio')).toBe(true);
    expect(inputs.map((i) => [i.codec, i.bitrateKbps, i.output])).toEqual([
      ['aac', 128, { key: 'audio-e-1/audio/aac-128k.m4a' }],
      ['opus', 96, { key: 'audio-e-1/audio/opus-96k.webm' }],
    ]);
    expect(inputs[0]).toMatchObject({ jobId: 'audio-e-1', source: { key: 'audio-e-1/normalized.wav' }, channels: 2, durationSec: 31.5 });
    expect(evaluate(set, { ...done, detail: { ...done.detail, status: 'FAILED' } })).toEqual([]);
    expect(evaluate(set, { ...done, detail: { ...done.detail, function: 'inspect' } })).toEqual([]);
  });
});

describe('alert-escalation-exhausted', () => {
  it.each(['Mosaic.ResourceExhausted', 'Runtime.OutOfMemory', 'States.Timeout'])('a job failed with %s raises a Job Alert event', (code) => {
    const action = onlyAction(mosaicEvent('Job Status Changed', { jobId: 'j1', status: 'FAILED', error: { code, message: 'no bigger size left' } }), 'alert-escalation-exhausted');
    expect(action).toEqual({ type: 'put-event', source: 'mosaic', detailType: 'Job Alert', detail: { jobId: 'j1', alert: 'escalation-exhausted', message: `job j1 failed with ${code} after the allocator's escalations: no bigger size left` } });
  });

  it('other failures raise nothing', () => {
    expect(firingRules(mosaicEvent('Job Status Changed', { jobId: 'j1', status: 'FAILED', error: { code: 'Mosaic.InputInvalid', message: 'not media' } }))).toEqual([]);
  });
});

describe('always on: re-encoding jobs made with an older preset version', () => {
  const succeeded = (jobId: string, presetVersion: number, id?: string) =>
    mosaicEvent('Job Status Changed', { jobId, status: 'SUCCEEDED', preset: 'default', presetVersion, sourceKey: `inbox/${jobId}.mov` }, id);
  const encodes = (actions: PlannedAction[]) =>
    actions.filter((a) => a.type === 'start-workflow').map((a) => PresetReencodeInputSchema.parse((a as { input: unknown }).input));

  it('facts record job → preset version; a version change re-encodes older jobs once; later jobs with the old version too', () => {
    const fired = new Set<string>();
    // Two jobs finish with version 1; a third job uses another preset.
    const first = runInMemory(set, [succeeded('j1', 1), succeeded('j2', 1), mosaicEvent('Job Status Changed', { jobId: 'j3', status: 'SUCCEEDED', preset: 'draft', presetVersion: 1, sourceKey: 'inbox/j3.mov' })], {}, fired);
    expect(first.facts['job:j1']).toEqual({ jobId: 'j1', preset: 'default', presetVersion: 1, sourceKey: 'inbox/j1.mov' });
    expect(first.effects).toEqual([]);

    // The preset moves to version 2: j1 and j2 are encoded again, j3 (draft) is not.
    const change = mosaicEvent('Preset Version Changed', { preset: 'default', version: 2, previousVersion: 1 }, 'preset-change-1');
    const second = runInMemory(set, [change], first.facts, fired);
    expect(encodes(second.effects)).toEqual([
      { trigger: 'preset-version', source: { key: 'inbox/j1.mov' }, preset: 'default', reencodeOf: 'j1', previousPresetVersion: 1, presetVersion: 2 },
      { trigger: 'preset-version', source: { key: 'inbox/j2.mov' }, preset: 'default', reencodeOf: 'j2', previousPresetVersion: 1, presetVersion: 2 },
    ]);
    expect(second.facts['preset:default']).toEqual({ version: 2 });

    // The same event delivered again fires nothing (once per rule and event).
    expect(runInMemory(set, [change], second.facts, fired).firings).toEqual([]);

    // A job that finishes with version 1 after the change is re-encoded through forward chaining
    // (its facts are asserted, the Facts Asserted event meets the preset's current version).
    const late = runInMemory(set, [succeeded('j4', 1)], second.facts, fired);
    expect(late.firings.map((f) => f.rule)).toEqual(['record-job-preset-version', 'reencode-outdated-job']);
    expect(encodes(late.effects).map((e) => e.reencodeOf)).toEqual(['j4']);

    // Re-encoded jobs finish with version 2: nothing more happens.
    const settled = runInMemory(set, [succeeded('j1-again', 2), succeeded('j4-again', 2)], late.facts, fired);
    expect(settled.effects).toEqual([]);
  });
});
