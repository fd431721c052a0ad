/**
 * The local upload trigger end to end: a video dropped under inbox/ becomes S3's `Object Created`
 * event, the ingest-video rule starts the encode workflow, and the job succeeds; the same content
 * dropped again makes no second job; `mosaic events put` runs the same rules from an event file.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_RULE_SUBSTITUTIONS } from '../../lambdas/contracts/index.js';
import { uploadJobId } from '../../lambdas/core/upload-trigger.js';
import { cli, makeClip, tempDir } from '../helpers/media.js';
import { startRulesWorld, type RulesWorld } from '../helpers/rules-world.js';

const root = tempDir('mosaic-rules-inbox-');
const clip = makeClip(join(tempDir('mosaic-rules-src-'), 'clip.mp4'), { width: 320, height: 180, seconds: 2 });
const md5 = createHash('md5').update(readFileSync(clip)).digest('hex');
const key = 'inbox/draft/Clip.MP4';
const bucket = LOCAL_RULE_SUBSTITUTIONS.SourceBucket;
let world: RulesWorld;

beforeAll(async () => {
  world = await startRulesWorld(root);
});
afterAll(async () => {
  await world?.stop();
});

describe('inbox → rules → encode', () => {
  it('announces a dropped file as S3 does and encodes it with the preset of its folder', async () => {
    mkdirSync(join(root, 'inbox', 'draft'), { recursive: true });
    copyFileSync(clip, join(root, key));
    writeFileSync(join(root, 'inbox', 'notes.txt'), 'not media');
    await world.settle(2);

    const upload = world.uploads.find((u) => (u.detail as { object: { key: string } }).object.key === key)!;
    expect(upload).toMatchObject({
      version: '0',
      'detail-type': 'Object Created',
      source: 'aws.s3',
      account: expect.stringMatching(/^\d{12}$/),
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      region: 'us-east-1',
      resources: [`arn:aws:s3:::${bucket}`],
      detail: { version: '0', bucket: { name: bucket }, object: { key, size: readFileSync(clip).length, etag: md5, sequencer: expect.stringMatching(/^[0-9A-F]{16}$/) }, 'request-id': expect.any(String), requester: expect.any(String), reason: 'PutObject' },
    });
    expect(upload.id).toMatch(/^[0-9a-f-]{36}$/);

    // The rule fired for the video (suffix in upper case), not for the text file.
    expect(world.firings.filter((f) => f.rule === 'ingest-video')).toHaveLength(1);
    const jobId = uploadJobId(bucket, key, { etag: md5 });
    const job = await world.engine.jobs.getJob(jobId);
    expect(job).toMatchObject({ status: 'SUCCEEDED', spec: { preset: 'draft', source: { key }, tags: { trigger: 's3-upload' } } });
    expect((await world.engine.jobs.listJobs()).map((j) => j.id)).toEqual([jobId]);
    expect(await world.engine.blobs.head(`${jobId}/hls/master.m3u8`)).not.toBeNull();
    // The job's end was recorded as facts (job → preset version) by record-job-preset-version.
    expect(await world.engine.jobs.getFacts(`job:${jobId}`)).toEqual({ jobId, preset: 'draft', presetVersion: 1, sourceKey: key });
  }, 300_000);

  it('makes no second job when the same content is dropped again', async () => {
    rmSync(join(root, key));
    await world.watcher.scan();
    copyFileSync(clip, join(root, key));
    await world.settle(3);
    // S3 would announce the second PutObject too; the job id (bucket, key, ETag) is the same.
    expect(world.uploads.filter((u) => (u.detail as { object: { key: string } }).object.key === key)).toHaveLength(2);
    const fired = world.firings.filter((f) => f.rule === 'ingest-video');
    expect(fired).toHaveLength(2);
    expect(fired[1].actions[0].result).toEqual({ status: 'duplicate', jobId: uploadJobId(bucket, key, { etag: md5 }) });
    expect(await world.engine.jobs.listJobs()).toHaveLength(1);
  }, 120_000);

  it('mosaic events put runs the rules an event file fires and says what they did', async () => {
    await world.stop();
    const event = world.uploads.find((u) => (u.detail as { object: { key: string } }).object.key === key)!;
    const file = join(tempDir('mosaic-events-'), 'upload.json');
    writeFileSync(file, JSON.stringify({ ...event, id: 'from-the-cli' }));
    const r = await cli(['events', 'put', file, '--out', root]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('put "Object Created" (aws.s3) on the default bus: matches ingest-video');
    expect(r.stdout).toContain(`fired ingest-video (direct) on "Object Created": start encode: job ${uploadJobId(bucket, key, { etag: md5 })} duplicate`);

    writeFileSync(file, JSON.stringify({ source: 'mosaic', 'detail-type': 'Preset Version Changed', detail: { preset: 'draft' } }));
    const bad = await cli(['events', 'put', file, '--out', root]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/detail of "Preset Version Changed": version: /);
  }, 120_000);
});
