/**
 * Issue 14 item 2 on the embedded engine: every state-machines/*.asl.json is a workflow the API
 * lists and starts as a tracked job. A real clip is encoded; `measure` scores its renditions
 * again (same PSNR as the encode measured, no re-encode) and `repackage` cuts them into segments
 * twice as long; bad requests get typed 4xx answers and record nothing; and the `measure-later`
 * rule starts a measure job when an encode tagged `measure=later` succeeds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derivedJobId } from '../../lambdas/core/derived-workflows.js';
import { parseMediaPlaylist } from '../../lambdas/core/manifests.js';
import { LocalRuleRuntime, type FiringReport } from '../../local/rule-runtime.js';
import { startTestServer, type TestServer } from '../helpers/api-server.js';
import { makeClip, tempDir } from '../helpers/media.js';

const FINAL = ['SUCCEEDED', 'FAILED', 'CANCELLED'];
let server: TestServer;
let rules: LocalRuleRuntime;
const firings: FiringReport[] = [];
let encoded: { id: string; report: any };

async function settled(id: string, timeoutMs = 120_000): Promise<any> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = await server.api.call('GET', `/v1/jobs/${id}`);
    if (r.status === 200 && FINAL.includes(r.body.status)) return r.body;
    if (Date.now() > until) throw new Error(`job ${id} still ${r.body?.status} after ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

const reportOf = async (job: any) => JSON.parse((await server.engine.blobs.getBytes(job.outputs.report.key)).toString());
const playlist = async (key: string) => parseMediaPlaylist((await server.engine.blobs.getBytes(key)).toString());

beforeAll(async () => {
  const root = tempDir('mosaic-workflows-');
  server = await startTestServer(root, { engine: { parallelism: 2 } });
  rules = await LocalRuleRuntime.start(server.engine, {
    submitJob: (spec, jobId) => server.control.submit(spec, { jobId }),
    startWorkflowJob: (name, request, jobId) => server.control.startWorkflow(name, request, { jobId }),
    onFiring: (f) => firings.push(f),
  });
  const clip = makeClip(join(tempDir('mosaic-workflows-src-'), 'clip.mp4'), { width: 320, height: 180, seconds: 6 });
  await server.engine.blobs.putBytes('inbox/clip.mp4', readFileSync(clip), 'video/mp4');
  const r = await server.api.call('POST', '/v1/jobs', { source: { key: 'inbox/clip.mp4' }, preset: 'draft' });
  expect(r.status).toBe(202);
  const job = await settled(r.body.id);
  expect(job.status).toBe('SUCCEEDED');
  encoded = { id: job.id, report: await reportOf(job) };
}, 180_000);

afterAll(async () => {
  await rules?.idle();
  rules?.close();
  await server?.stop();
});

describe('workflows on the embedded engine', () => {
  it('lists every state-machines/*.asl.json with the functions it calls', async () => {
    const r = await server.api.call('GET', '/v1/workflows');
    expect(r.status).toBe(200);
    const byName = Object.fromEntries(r.body.workflows.map((w: any) => [w.name, w]));
    expect(Object.keys(byName)).toEqual(expect.arrayContaining(['encode', 'measure', 'repackage']));
    expect(byName.measure.functions).toEqual(['measure-quality', 'publish-derived']);
    expect(byName.repackage.functions).toEqual(['package', 'publish-derived']);
    expect((await server.api.call('GET', '/v1/workflows/repackage')).body.definition.StartAt).toBeTruthy();
  });

  it('measure scores the renditions of a finished job again, as a job of its own', async () => {
    const r = await server.api.call('POST', '/v1/workflows/measure/executions', { input: { of: encoded.id }, tags: { why: 'test' } });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ workflow: 'measure', status: 'QUEUED', spec: { source: { key: 'inbox/clip.mp4' }, tags: { workflow: 'measure', of: encoded.id, why: 'test' } } });
    expect(r.headers.get('location')).toBe(`/v1/jobs/${r.body.id}`);
    const job = await settled(r.body.id);
    expect(job.status).toBe('SUCCEEDED');
    expect(job.steps.map((s: any) => s.function).sort()).toEqual([...encoded.report.rungs.map(() => 'measure-quality'), 'publish-derived']);
    const report = await reportOf(job);
    expect(report.derivedFrom).toEqual({ jobId: encoded.id, workflow: 'measure' });
    expect(report.rungs.map((x: any) => x.id)).toEqual(encoded.report.rungs.map((x: any) => x.id));
    for (const rung of report.rungs) expect(rung.psnr).toBeCloseTo(encoded.report.rungs.find((x: any) => x.id === rung.id).psnr, 2);
    // Listed among the jobs, with its workflow.
    const list = await server.api.call('GET', '/v1/jobs?tag=workflow=measure');
    expect(list.body.jobs.map((j: any) => [j.id, j.workflow])).toContainEqual([job.id, 'measure']);
  }, 120_000);

  it('repackage cuts the renditions into segments twice as long, with new manifests', async () => {
    const seg = encoded.report.encoding.timing.segmentSeconds;
    const r = await server.api.call('POST', '/v1/workflows/repackage/executions', { input: { of: encoded.id, segmentSeconds: seg * 2 } });
    expect(r.status).toBe(202);
    const job = await settled(r.body.id);
    expect(job.status).toBe('SUCCEEDED');
    expect(job.outputs.hls.key).toBe(`${job.id}/hls/master.m3u8`);
    expect(job.outputs.dash.key).toBe(`${job.id}/dash/manifest.mpd`);
    const report = await reportOf(job);
    expect(report.encoding.timing.segmentSeconds).toBe(seg * 2);
    for (const rung of encoded.report.rungs) {
      const before = await playlist(`${encoded.id}/${rung.playlist}`);
      const after = await playlist(`${job.id}/hls/${rung.id}/index.m3u8`);
      expect(after.segments.length).toBe(Math.ceil(before.segments.length / 2));
      expect(after.segments[0]!.durationSec).toBeCloseTo(before.segments[0]!.durationSec * 2, 1);
      const total = (p: typeof before) => p.segments.reduce((t, s) => t + s.durationSec, 0);
      expect(total(after)).toBeCloseTo(total(before), 2);
    }
  }, 120_000);

  it('refuses what cannot be derived with a typed 4xx, recording no job', async () => {
    const before = (await server.engine.jobs.listJobs({ limit: 1000 })).length;
    const unknownJob = await server.api.call('POST', '/v1/workflows/measure/executions', { input: { of: 'no-such-job' } });
    expect(unknownJob.status).toBe(404);
    expect(unknownJob.body.error.message).toContain('no job no-such-job');
    const badSegments = await server.api.call('POST', '/v1/workflows/repackage/executions', { input: { of: encoded.id, segmentSeconds: 3 } });
    expect(badSegments.status).toBe(400);
    expect(badSegments.body.error.message).toMatch(/whole multiple of the renditions' keyframe interval \(2 s\)/);
    const badField = await server.api.call('POST', '/v1/workflows/measure/executions', { input: { of: encoded.id, vmaf: 'yes' } });
    expect(badField.status).toBe(400);
    const noWorkflow = await server.api.call('POST', '/v1/workflows/transcode-everything/executions', { input: {} });
    expect(noWorkflow.status).toBe(404);
    expect(noWorkflow.body.error.message).toMatch(/known: .*encode.*measure.*repackage/);
    const privateKey = await server.api.call('POST', '/v1/workflows/measure/executions', { input: { of: encoded.id, source: { key: './.mosaic/mosaic.db' } } });
    expect(privateKey.status).toBe(400);
    expect((await server.engine.jobs.listJobs({ limit: 1000 })).length).toBe(before);
  });

  it('the measure-later rule measures an encode tagged measure=later once it succeeded', async () => {
    const r = await server.api.call('POST', '/v1/jobs', { source: { key: 'inbox/clip.mp4' }, preset: 'draft', outputs: { quality: false }, tags: { measure: 'later' } });
    expect(r.status).toBe(202);
    const job = await settled(r.body.id);
    expect(job.status).toBe('SUCCEEDED');
    expect(job.renditions.every((x: any) => x.psnr === null)).toBe(true);
    const measureId = derivedJobId('measure', { of: job.id });
    const until = Date.now() + 60_000;
    while (!(await server.engine.jobs.getJob(measureId)) && Date.now() < until) await new Promise((res) => setTimeout(res, 100));
    const measured = await settled(measureId);
    expect(measured).toMatchObject({ status: 'SUCCEEDED', workflow: 'measure' });
    expect(measured.renditions.every((x: any) => typeof x.psnr === 'number' && x.psnr > 20)).toBe(true);
    expect(firings.filter((f) => f.rule === 'measure-later').map((f) => f.actions.map((a) => a.type))).toEqual([['start-workflow']]);
  }, 180_000);
});
