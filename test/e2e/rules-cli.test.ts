/** `mosaic rules list` and `mosaic rules test` through the real CLI: output, exit codes 0 / 1 / 2. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from '../helpers/media.js';
import { mosaicEvent, s3ObjectCreated } from '../helpers/rule-events.js';

const dir = tempDir('mosaic-rules-cli-');
const write = (name: string, value: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return path;
};

describe('mosaic rules', () => {
  it('list shows every rule with its trigger, facts, actions and who runs it', async () => {
    const r = await cli(['rules', 'list']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^rule\s+on\s+if \(facts of\)\s+then\s+enabled\s+run by/);
    expect(r.stdout).toMatch(/ingest-video\s+aws\.s3 · Object Created \+2\s+-\s+start encode\s+yes\s+EventBridge/);
    expect(r.stdout).toMatch(/reencode-on-preset-version\s+mosaic · Preset Version Changed\s+job:\*\s+start encode\s+yes\s+rule engine/);
    const json = await cli(['rules', 'list', '--json']);
    expect(JSON.parse(json.stdout).map((x: { name: string }) => x.name)).toContain('alert-escalation-exhausted');
  });

  it('test prints MATCH and the mapped input of each action, exit 0', async () => {
    const r = await cli(['rules', 'test', 'ingest-video', write('upload.json', s3ObjectCreated('inbox/draft/Clip.MOV', { versionId: 'v7' }))]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^MATCH ingest-video \(rules\/ingest-video\.json\)\n  then\[0\] start-workflow encode\n/);
    const input = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
    expect(input).toEqual({ trigger: 's3-upload', rule: 'ingest-video', upload: { bucket: 'mosaic-local-sources', key: 'inbox/draft/Clip.MOV', versionId: 'v7', etag: 'd41d8cd98f00b204e9800998ecf8427e', size: 1024 } });
  });

  it('test prints NO MATCH and the failing field, exit 1', async () => {
    const r = await cli(['rules', 'test', 'ingest-video', write('text-upload.json', s3ObjectCreated('inbox/readme.txt'))]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^NO MATCH ingest-video/);
    expect(r.stdout).toMatch(/detail\.object\.key: the event has "inbox\/readme\.txt"; the rule wants \[\{"wildcard":"inbox\/\*\.mov"\}, .* 56 in all\]/);
  });

  it('--set fills a substitution (here the bucket the event names)', async () => {
    const event = write('other-bucket.json', s3ObjectCreated('inbox/a.mp4', { bucket: 'prod-sources' }));
    expect((await cli(['rules', 'test', 'ingest-video', event])).code).toBe(1);
    expect((await cli(['rules', 'test', 'ingest-video', event, '--set', 'SourceBucket=prod-sources'])).code).toBe(0);
  });

  it('a rule with "if" is tested against --facts, one firing per subject', async () => {
    const event = write('preset-change.json', mosaicEvent('Preset Version Changed', { preset: 'default', version: 3 }));
    const facts = write('facts.json', { 'job:a': { jobId: 'a', preset: 'default', presetVersion: 2, sourceKey: 'inbox/a.mov' }, 'job:b': { jobId: 'b', preset: 'default', presetVersion: 3, sourceKey: 'inbox/b.mov' } });
    const r = await cli(['rules', 'test', 'reencode-on-preset-version', event, '--facts', facts]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/MATCH reencode-on-preset-version[^\n]*\n  for job:a\n  then\[0\] start-workflow encode\n/);
    expect(r.stdout).not.toMatch(/job:b/);
    const none = await cli(['rules', 'test', 'reencode-on-preset-version', event]);
    expect(none.code).toBe(1);
    expect(none.stdout).toMatch(/the event matches "on", but no facts of a subject matching job:\* match "if"/);
  });

  it('a rule file can be tested directly', async () => {
    const rule = write('my-rule.json', { name: 'my-rule', description: 'd', on: { source: ['mosaic'], detail: { n: [{ numeric: ['>', 5] }] } }, then: [{ type: 'invoke-function', function: 'inspect' }] });
    expect((await cli(['rules', 'test', rule, write('n6.json', mosaicEvent('X', { n: 6 }))])).code).toBe(0);
    expect((await cli(['rules', 'test', rule, write('n5.json', mosaicEvent('X', { n: 5 }))])).code).toBe(1);
  });

  it.each([
    ['an unknown rule', ['rules', 'test', 'no-such-rule', 'x.json'], /^mosaic: no rule named "no-such-rule"; rules: .*ingest-video/],
    ['a missing event file', ['rules', 'test', 'ingest-video', '/nonexistent/event.json'], /^mosaic: cannot read event file \/nonexistent\/event\.json: ENOENT/],
    ['an event file that is not JSON', ['rules', 'test', 'ingest-video', 'NOT_JSON'], /^mosaic: event file .* is not valid JSON/],
    ['an event lacking mandatory fields', ['rules', 'test', 'ingest-video', 'PARTIAL'], /^mosaic: event file .* lacks "id", "account", "time", "region", "resources" \(TestEventPattern requires/],
    ['an invalid rule file', ['rules', 'test', 'BAD_RULE', 'PARTIAL'], /^mosaic: .*bad-rule\.json: on\.source: must be an object/],
    ['too few arguments', ['rules', 'test', 'ingest-video'], /^mosaic: rules test takes a rule/],
    ['an unknown subcommand', ['rules', 'frob'], /^mosaic: unknown rules command "frob"/],
  ])('bad input (%s) exits 2 with one clear message', async (_what, args, message) => {
    const resolved = args.map((a) =>
      a === 'NOT_JSON' ? write('not-json.json', '{ nope') : a === 'PARTIAL' ? write('partial.json', { source: 'aws.s3', 'detail-type': 'Object Created' }) : a === 'BAD_RULE' ? write('bad-rule.json', { name: 'bad-rule', description: 'd', on: { source: 'x' }, then: [{ type: 'invoke-function', function: 'inspect' }] }) : a,
    );
    const r = await cli(resolved);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
