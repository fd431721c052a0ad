/**
 * Issue 11: the AWS composition end to end on one machine (test/helpers/aws-world). The stage is
 * synthesised in-process and "deployed" onto s3rver (both buckets) and dynalite (the table as the
 * stateful stack defines it); the encode state machine's definition as synth emits it, with its
 * substitutions applied, runs in aws-local-stepfunctions, each Task calling the real bootstrap
 * Lambda handler its ARN names (Package through the Fargate container entry, reporting with
 * SendTaskSuccess); EventBridge delivers by the template's own rule patterns to the upload
 * trigger, lifecycle, rule-engine and job-events Lambdas; the harness emits Step Functions'
 * Execution Status Change events; the API Lambda answers API Gateway proxy events.
 *
 * A real 4 s clip dropped under inbox/ goes QUEUED → RUNNING → SUCCEEDED; duplicate and
 * reordered events change nothing; a job cancelled while its container is up ends CANCELLED
 * with nothing left running; a job failed once by the harness is retried from its cached steps,
 * with signed webhooks in order; and the local engine gives the same job view for the same clip.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsJobStore } from '../../lambdas/bootstrap/aws-deps.js';
import { LAMBDA_MEMORY_LADDER_MIB, LOCAL_RULE_SUBSTITUTIONS, METRICS, METRICS_NAMESPACE, METRICS_SERVICE, type MetricName } from '../../lambdas/contracts/index.js';
import { derivedJobId } from '../../lambdas/core/derived-workflows.js';
import { uploadJobId } from '../../lambdas/core/upload-trigger.js';
import { jobView } from '../../lambdas/platform/api/job-view.js';
import { verifyWebhookSignature } from '../../lambdas/platform/api/webhooks.js';
import { loadOrCreateWebhookSecret } from '../../lambdas/platform/job-events/handler.js';
import type { FactStore, UploadTarget } from '../../lambdas/ports.js';
import { FFMPEG, FFPROBE, makeClip, tempDir, VMAF_MODEL } from '../helpers/media.js';
import { startRulesWorld } from '../helpers/rules-world.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/aws-world/services.js';
import { AwsWorld, until, type BusEvent, type ExecutionRecord } from '../helpers/aws-world/world.js';
import { emfViolations } from '../helpers/emf-spec.js';

const KEY = 'inbox/draft/clip.mp4';
const FINAL = ['SUCCEEDED', 'FAILED', 'CANCELLED'];
const work = tempDir('mosaic-aws-world-');
const clipPath = makeClip(join(work, 'clip.mp4'), { width: 320, height: 180, seconds: 4, fps: 25 });
const clip = readFileSync(clipPath);
const vmafModel = existsSync(VMAF_MODEL) ? VMAF_MODEL : undefined;

let world: AwsWorld;
let hooks: WebhookReceiver;
let happy: { jobId: string; view: any; history: any[]; upload: BusEvent; execution: ExecutionRecord };

beforeAll(async () => {
  [world, hooks] = await Promise.all([AwsWorld.start({ ffmpeg: FFMPEG!, ffprobe: FFPROBE!, vmafModel, fargate: ['package'] }), startWebhookReceiver()]);
}, 60_000);
afterAll(async () => {
  await Promise.all([world?.close(), hooks?.close()]);
});

const statusesOf = (history: { detailType: string; detail: { status?: string } }[]) =>
  history.filter((e) => e.detailType === 'Job Status Changed').map((e) => e.detail.status);
const jobStatusEventsOnBus = (jobId: string) =>
  world.busLog.filter((b) => b.event['detail-type'] === 'Job Status Changed' && b.event.detail.jobId === jobId).map((b) => b.event.detail.status as string);
const keysUnder = async (prefix: string) =>
  ((await world.s3Client.send(new ListObjectsV2Command({ Bucket: world.deployment.derivativeBucket, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!);

async function getJob(id: string) {
  const r = await world.api('GET', `/v1/jobs/${id}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

async function history(id: string) {
  const r = await world.api('GET', `/v1/jobs/${id}/events`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.events as { detailType: string; detail: any }[];
}

/** Polls GET /v1/jobs/{id} (as a client would) until the job ends; returns every answer. */
async function pollToEnd(id: string, timeoutMs = 60_000) {
  const seen: { status: string; percent: number; etaSec: number | null }[] = [];
  const view = await until(
    `job ${id} to end`,
    async () => {
      const v = await getJob(id);
      seen.push({ status: v.status, percent: v.progress.percent, etaSec: v.progress.etaSec });
      return FINAL.includes(v.status) ? v : undefined;
    },
    timeoutMs,
    60,
  );
  return { view, seen };
}

const executionsOf = (jobId: string) => [...world.executions.values()].filter((e) => e.name.startsWith(jobId));

describe('Mosaic on an AWS world (synthesised stage, emulators, real handlers)', () => {
  it('encodes a clip dropped under inbox/: QUEUED → RUNNING → SUCCEEDED, progress up to 1, ETA down, Package on Fargate', async () => {
    const upload = await world.upload(KEY, clip);
    // S3's event reached the upload trigger through the deployed ingest-video rule and its input transformer.
    const started = await until('the upload trigger', () => world.deliveries.find((d) => d.rule === 'mosaic-dev-ingest-video' && d.result)?.result as any);
    expect(started).toMatchObject({ status: 'started', duplicate: false, job: { status: 'QUEUED', spec: { preset: 'draft', source: { key: KEY }, tags: { trigger: 's3-upload' } } } });
    const jobId: string = started.job.id;
    expect(jobId).toBe(uploadJobId(world.deployment.sourceBucket, KEY, { etag: upload.detail.object.etag }));

    const { view, seen } = await pollToEnd(jobId);
    await world.settle();
    expect(view.status, JSON.stringify(view.error)).toBe('SUCCEEDED');

    // Every answer while it ran: statuses in order, progress never back, up to 100 %; the ETA falls to 0.
    const order = ['QUEUED', 'RUNNING', 'SUCCEEDED'];
    const idx = seen.map((s) => order.indexOf(s.status));
    expect(idx.every((i, n) => i >= 0 && (n === 0 || i >= idx[n - 1]!))).toBe(true);
    expect(seen.filter((s) => s.status === 'RUNNING').length).toBeGreaterThan(2);
    for (let n = 1; n < seen.length; n++) expect(seen[n]!.percent, JSON.stringify(seen)).toBeGreaterThanOrEqual(seen[n - 1]!.percent);
    expect(seen.some((s) => s.status === 'RUNNING' && s.percent > 0 && s.percent < 100)).toBe(true);
    expect(seen.at(-1)).toMatchObject({ status: 'SUCCEEDED', percent: 100, etaSec: 0 });
    const etas = seen.filter((s) => s.status === 'RUNNING' && s.etaSec !== null).map((s) => s.etaSec!);
    expect(etas.length, JSON.stringify(seen)).toBeGreaterThan(0);
    expect(Math.max(...etas)).toBeGreaterThan(0);

    // One execution, named by the job, started by the upload trigger; the harness announced RUNNING and SUCCEEDED.
    const [execution, ...more] = executionsOf(jobId);
    expect(more).toEqual([]);
    expect(execution!.name).toBe(jobId);
    expect(execution!.events.map((e) => e.detail.status)).toEqual(['RUNNING', 'SUCCEEDED']);
    expect(JSON.parse(execution!.output!)).toMatchObject({ jobId, status: 'SUCCEEDED', reportKey: `${jobId}/report.json` });
    expect(world.services.of('StartExecution').filter((c) => c.body.name === jobId)).toHaveLength(1);

    // Each Task ran the handler its ARN names; Package went through the container entry and reported with SendTaskSuccess.
    const tasks = world.tasks.filter((t) => t.execution === jobId);
    expect(tasks.every((t) => t.outcome === 'succeeded'), JSON.stringify(tasks)).toBe(true);
    expect(new Set(tasks.map((t) => t.fn))).toEqual(new Set(['inspect', 'plan', 'mosaic-allocator', 'encode-video', 'encode-audio', 'assemble', 'measure-quality', 'package', 'thumbnails', 'publish']));
    expect(tasks.filter((t) => t.platform === 'fargate').map((t) => [t.state, t.fn])).toEqual([['PackageOnFargate', 'package']]);
    expect(tasks.filter((t) => t.fn === 'encode-video').every((t) => t.state === 'EncodeVideoChunkOnLambda')).toBe(true);
    // The chunk fan-out is the Distributed Map: its items were the task list Plan wrote to the derivative bucket, one per chunk encode.
    const reads = world.itemReads.filter((r) => r.execution === jobId);
    expect(reads.map((r) => [r.state, r.bucket, r.key])).toEqual([['EncodeVideo·ItemReader', world.deployment.derivativeBucket, `.mosaic/work/${jobId}/plan/video-tasks.json`]]);
    expect(reads[0]!.items).toBe(tasks.filter((t) => t.fn === 'encode-video').length);
    const success = world.services.of('SendTaskSuccess').map((c) => JSON.parse(String(c.body.output)));
    expect(success.some((o) => o?.master?.hls || JSON.stringify(o).includes(`${jobId}/hls/`))).toBe(true);

    // The view: steps, outputs, renditions, cost; the outputs are in the derivative bucket.
    const stepIds = view.steps.map((s: any) => s.stepId);
    expect(stepIds).toEqual(expect.arrayContaining(['inspect:source', 'plan', 'encode-audio:a0', 'assemble:r0', 'measure-quality:r0', 'package:package', 'thumbnails:thumbnails', 'publish']));
    expect(stepIds.filter((s: string) => s.startsWith('encode-video:')).length).toBeGreaterThan(0);
    expect(view.steps.every((s: any) => s.status === 'SUCCEEDED')).toBe(true);
    expect(view.outputs.hls.key).toBe(`${jobId}/hls/master.m3u8`);
    expect(view.outputs.dash.key).toBe(`${jobId}/dash/manifest.mpd`);
    expect(view.outputs.hls.url).toContain(world.deployment.derivativeBucket);
    expect(view.renditions).toEqual([expect.objectContaining({ id: expect.any(String), width: 320, height: 180 })]);
    expect(view.renditions[0].psnr).toBeGreaterThan(25);
    expect(view.cost.actualUsd).toBeGreaterThan(0);
    for (const k of [view.outputs.hls.key, view.outputs.dash.key, `${jobId}/report.json`])
      await world.s3Client.send(new HeadObjectCommand({ Bucket: world.deployment.derivativeBucket, Key: k }));
    // A succeeded job's intermediates are gone.
    expect(await keysUnder(`.mosaic/work/${jobId}/`)).toEqual([]);

    // The history lists every status change; each was announced on the platform bus once, in order.
    const events = await history(jobId);
    expect(statusesOf(events)).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    expect(jobStatusEventsOnBus(jobId)).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    // The rule engine took the job's end (record-job-preset-version); nothing failed or was dead-lettered.
    expect(world.deliveries.filter((d) => d.rule === 'mosaic-dev-record-job-preset-version' && d.event.detail.jobId === jobId).map((d) => d.error ?? 'ok')).toEqual(['ok']);
    // ... and recorded job → preset version as facts in the table.
    const facts = await factsOf(`job:${jobId}`);
    expect(facts).toEqual({ jobId, preset: 'draft', presetVersion: 1, sourceKey: KEY });
    expect(world.deadLetters.map((d) => `${d.rule} → ${d.target}: ${d.error}`)).toEqual([]);
    expect(world.harnessErrors).toEqual([]);
    happy = { jobId, view, history: events, upload, execution: execution! };
  }, 90_000);

  it("prints the job's metrics as EMF that CloudWatch extracts: the catalogue's units and dimension sets, job ids as metadata", async () => {
    const { jobId, view } = happy;
    const ours = world.emf.filter((d) => d.jobId === jobId);
    expect(world.emf.map(emfViolations).flat()).toEqual([]);
    for (const doc of world.emf) {
      const [directive, ...more] = doc._aws.CloudWatchMetrics;
      expect(more).toEqual([]);
      expect(directive.Namespace).toBe(METRICS_NAMESPACE);
      const names = directive.Metrics.map((m: { Name: string }) => m.Name) as MetricName[];
      for (const m of directive.Metrics) expect(m.Unit, m.Name).toBe(METRICS[m.Name as MetricName].unit);
      // Every set is the catalogue's, after the default dimensions; the job id is never one.
      const expected = METRICS[names[0]!].dimensionSets.map((set) => ['service', 'Environment', ...set]);
      expect(directive.Dimensions).toEqual(expected);
      expect(doc).toMatchObject({ service: METRICS_SERVICE, Environment: 'dev' });
    }
    const [ended, ...again] = ours.filter((d) => 'JobsEnded' in d);
    expect(again).toEqual([]);
    expect(ended).toMatchObject({ Outcome: 'SUCCEEDED', ErrorCode: 'none', JobsEnded: 1 });
    const [figures] = ours.filter((d) => 'JobCostUsd' in d);
    expect(figures.JobCostUsd).toBeCloseTo(view.cost.actualUsd, 12);
    expect(figures.JobOutputMinutes).toBeCloseTo(4 / 60, 6);
    expect(figures.JobRealtimeFactor).toBeCloseTo(4 / figures.JobWallSeconds, 6);
    // One document per ended step attempt, with where it ran; the encodes carry the allocator's prediction.
    const steps = ours.filter((d) => 'StepAttempts' in d);
    expect(steps.length).toBe(view.steps.filter((s: { status: string }) => s.status !== 'RUNNING' && s.status !== 'ABANDONED').length);
    const encodes = steps.filter((d) => d.Function === 'encode-video');
    expect(encodes.length).toBeGreaterThan(0);
    for (const e of encodes) expect(e).toMatchObject({ Platform: 'lambda', Size: expect.stringMatching(/^\d+MB$/), AllocationPredictionRatio: expect.any(Number) });
    expect(steps.find((d) => d.Function === 'package')).toMatchObject({ Platform: 'fargate', Size: expect.stringMatching(/vCPU-/) });
    expect(world.emf.filter((d) => 'TaskAllocations' in d && d.jobId === jobId).length).toBe(encodes.length);
    // The API Lambda's requests, by route pattern and status class (never the raw path).
    const api = world.emf.filter((d) => 'ApiRequests' in d);
    expect(api.some((d) => d.Route === 'GET /v1/jobs/{id}' && d.StatusClass === '2xx')).toBe(true);
    expect(api.every((d) => !String(d.Route).includes(jobId))).toBe(true);
  });

  it('changes nothing on a duplicate S3 event, a duplicate and a reordered Execution Status Change', async () => {
    expect(happy, 'needs the happy path').toBeDefined();
    const { jobId, execution } = happy;
    const jobs = awsJobStore(world.envOf(world.fn('mosaic-lifecycle')));
    const before = await jobs.getJob(jobId);
    const historyBefore = await history(jobId);
    const busBefore = jobStatusEventsOnBus(jobId).length;
    const startsBefore = world.services.of('StartExecution').length;
    const deliveriesBefore = world.deliveries.length;

    // EventBridge delivers at least once: the same events again, and the end before a late start.
    world.put('default', happy.upload);
    const [running, succeeded] = execution.events;
    world.put('default', succeeded!);
    world.put('default', running!);
    // And a RUNNING of the same execution announced anew, after its end (out of order, new id).
    world.put('default', world.statusEvent({ ...execution, status: 'RUNNING', stopDate: null, output: null }));
    await world.settle();

    const fresh = world.deliveries.slice(deliveriesBefore);
    expect(fresh.map((d) => d.target)).toEqual(['mosaic-upload-trigger', 'mosaic-lifecycle', 'mosaic-lifecycle', 'mosaic-lifecycle']);
    expect(fresh[0]!.result).toMatchObject({ status: 'started', duplicate: true, job: { id: jobId } });
    expect(fresh.every((d) => !d.error)).toBe(true);
    // The trigger asked again under the job's name, and Step Functions refused a second execution of it.
    expect(world.services.of('StartExecution').slice(startsBefore).map((c) => c.body.name)).toEqual([jobId]);
    expect(executionsOf(jobId)).toHaveLength(1);
    expect(await jobs.getJob(jobId)).toEqual(before);
    expect(await history(jobId)).toEqual(historyBefore);
    expect(jobStatusEventsOnBus(jobId).length).toBe(busBefore);
    expect((await getJob(jobId)).status).toBe('SUCCEEDED');
  }, 60_000);

  it('cancels a job while its Fargate task is up: CANCELLED, the container stopped, nothing left running, webhooks signed and in order', async () => {
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    let jobId = '';
    world.containerGates.push((fn, payload) => (fn === 'package' && payload?.jobId === jobId ? held : undefined));
    try {
      const submit = await world.api('POST', '/v1/jobs', { source: { key: KEY }, preset: 'draft', webhook: { url: hooks.url }, tags: { case: 'cancel' } });
      expect(submit.status, JSON.stringify(submit.body)).toBe(202);
      jobId = submit.body.id;
      expect(submit.body.status).toBe('QUEUED');
      // Wait until the container is up (its start held by the harness), then cancel through the API.
      await until('the package container', () => world.tasks.find((t) => t.execution === jobId && t.fn === 'package' && t.outcome === 'running'), 60_000);
      const beforeCancel = await getJob(jobId);
      expect(beforeCancel.status).toBe('RUNNING');
      const cancelled = await world.api('POST', `/v1/jobs/${jobId}/cancel`);
      expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
      expect(cancelled.body.status).toBe('CANCELLED');
      const stoppedAt = Date.now();
      release();
      await world.settle();

      const [execution, ...more] = executionsOf(jobId);
      expect(more).toEqual([]);
      expect(execution!.status).toBe('ABORTED');
      expect(execution!.events.map((e) => e.detail.status)).toEqual(['RUNNING', 'ABORTED']);
      expect(execution!.events[1]!.detail).toMatchObject({ error: 'Mosaic.Cancelled', cause: expect.stringContaining(jobId) });
      // The container saw ECS stop it; nothing of the job runs, and nothing started after the stop.
      const tasks = world.tasks.filter((t) => t.execution === jobId);
      expect(world.running).toBe(0);
      expect(tasks.filter((t) => t.outcome === 'running')).toEqual([]);
      expect(tasks.filter((t) => t.startedAt > stoppedAt)).toEqual([]);
      const pkg = tasks.find((t) => t.fn === 'package')!;
      expect(pkg).toMatchObject({ platform: 'fargate', outcome: 'failed' });
      const tokenCalls = world.services.calls.filter((c) => c.op === 'SendTaskFailure' && c.at >= stoppedAt);
      // The container stopped by ECS (SIGTERM) reports it was interrupted; nobody waits any more.
      expect(tokenCalls.map((c) => c.body.error)).toEqual(['Mosaic.Interrupted']);

      const view = await getJob(jobId);
      expect(view).toMatchObject({ status: 'CANCELLED', outputs: { hls: null, dash: null } });
      expect(view.steps.some((s: any) => s.status === 'RUNNING')).toBe(false);
      expect(await keysUnder(`${jobId}/`)).toEqual([]);
      expect(await keysUnder(`.mosaic/work/${jobId}/`)).toEqual([]);
      expect(statusesOf(await history(jobId))).toEqual(['QUEUED', 'RUNNING', 'CANCELLED']);
      // The late ABORTED status change was stale: announced once each, in order.
      expect(jobStatusEventsOnBus(jobId)).toEqual(['QUEUED', 'RUNNING', 'CANCELLED']);

      await expectWebhooks(jobId, ['QUEUED', 'RUNNING', 'CANCELLED']);
      expect(world.deadLetters.map((d) => `${d.rule} → ${d.target}: ${d.error}`)).toEqual([]);
      expect(world.harnessErrors).toEqual([]);
    } finally {
      release();
      world.containerGates.length = 0;
    }
  }, 90_000);

  it('retries a job failed once (harness fault in Thumbnails) from its cached steps, webhooks signed and in order', async () => {
    const retryKey = 'uploads/aws-world/retry.mp4';
    await world.upload(retryKey, clip);
    let jobId = '';
    let failures = 0;
    world.faults.push((fn, p) => {
      if (fn !== 'thumbnails' || p?.jobId !== jobId || failures > 0) return null;
      failures++;
      return Object.assign(new Error('thumbnails: injected by the test harness (fails once)'), { name: 'Mosaic.InputInvalid' });
    });
    try {
      const submit = await world.api('POST', '/v1/jobs', { source: { key: retryKey }, preset: 'draft', webhook: { url: hooks.url }, tags: { case: 'retry' } });
      expect(submit.status, JSON.stringify(submit.body)).toBe(202);
      jobId = submit.body.id;
      const failed = (await pollToEnd(jobId)).view;
      await world.settle();
      expect(failed.status).toBe('FAILED');
      expect(failed.error).toMatchObject({ code: 'Mosaic.InputInvalid', message: expect.stringContaining('injected by the test harness') });
      const [first] = executionsOf(jobId);
      expect(first!.events.map((e) => e.detail.status)).toEqual(['RUNNING', 'FAILED']);
      expect(first!.events[1]!.detail.error).toBe('Mosaic.InputInvalid');
      const firstSteps = new Map<string, string>(failed.steps.map((s: any) => [s.stepId, s.status]));
      // The fault hit before the runtime started Thumbnails (as a Lambda failing at init): no step of it.
      expect(firstSteps.has('thumbnails:thumbnails')).toBe(false);
      for (const [id, status] of firstSteps) if (id !== 'publish') expect(status, id).toBe('SUCCEEDED');

      const retried = await world.api('POST', `/v1/jobs/${jobId}/retry`);
      expect(retried.status, JSON.stringify(retried.body)).toBe(202);
      expect(retried.body.status).toBe('QUEUED');
      const done = (await pollToEnd(jobId)).view;
      await world.settle();
      expect(done.status, JSON.stringify(done.error)).toBe('SUCCEEDED');
      const executions = executionsOf(jobId);
      expect(executions.map((e) => [e.name === jobId ? 'first' : 'retry', e.status])).toEqual([['first', 'FAILED'], ['retry', 'SUCCEEDED']]);
      // Every step the first run finished came from the cache; the failed one ran again.
      const steps = new Map<string, string>(done.steps.map((s: any) => [s.stepId, s.status]));
      if (process.env.AWS_WORLD_DEBUG) console.log(JSON.stringify([...steps]));
      const encodes = [...steps.keys()].filter((k) => /^(encode-video|encode-audio|assemble|measure-quality):/.test(k));
      expect(encodes.length).toBeGreaterThan(3);
      for (const k of encodes) expect(steps.get(k), k).toBe('CACHED');
      // A failed job's outputs are removed (its work stays for the cache), so Package, which writes outputs, runs again.
      expect(steps.get('package:package')).toBe('SUCCEEDED');
      expect(steps.get('thumbnails:thumbnails')).toBe('SUCCEEDED');
      expect(done.outputs.hls.key).toBe(`${jobId}/hls/master.m3u8`);
      expect(statusesOf(await history(jobId))).toEqual(['QUEUED', 'RUNNING', 'FAILED', 'QUEUED', 'RUNNING', 'SUCCEEDED']);
      await expectWebhooks(jobId, ['QUEUED', 'RUNNING', 'FAILED', 'QUEUED', 'RUNNING', 'SUCCEEDED']);
      expect(world.deadLetters.map((d) => `${d.rule} → ${d.target}: ${d.error}`)).toEqual([]);
      expect(world.harnessErrors).toEqual([]);
    } finally {
      world.faults.length = 0;
    }
  }, 90_000);

  it('ends the same when the lifecycle Lambda takes its deliveries concurrently and out of order', async () => {
    world.concurrentTargets.add('mosaic-lifecycle');
    try {
      const key = 'inbox/draft/concurrent.mp4';
      await world.upload(key, clip);
      const started = await until('the upload trigger', () => world.deliveries.find((d) => d.rule === 'mosaic-dev-ingest-video' && d.event.detail.object.key === key && d.result)?.result as any);
      const jobId: string = started.job.id;
      const { view } = await pollToEnd(jobId);
      await world.settle();
      expect(view.status, JSON.stringify(view.error)).toBe('SUCCEEDED');
      expect(statusesOf(await history(jobId))).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
      expect(view.steps.every((s: any) => s.status === 'SUCCEEDED'), JSON.stringify(view.steps)).toBe(true);
      expect(view.progress).toEqual({ percent: 100, etaSec: 0 });
      expect(comparable(view, jobId).steps).toEqual(comparable(happy.view, happy.jobId).steps);
      expect(world.deadLetters.map((d) => `${d.rule} → ${d.target}: ${d.error}`)).toEqual([]);
      const retried = world.deliveries.filter((d) => d.target === 'mosaic-lifecycle' && d.attempts > 1);
      if (process.env.AWS_WORLD_DEBUG) console.log('lifecycle redeliveries', retried.length, retried.map((d) => d.error));
    } finally {
      world.concurrentTargets.clear();
    }
  }, 60_000);

  it('runs one media function through the API Lambda, which calls Lambda Invoke on the function the stage names', async () => {
    const before = world.services.of('Invoke').length;
    const r = await world.api('POST', '/v1/functions/inspect/invocations', { input: { source: { key: KEY }, limits: { maxBytes: 1024 ** 3, maxDurationSec: 3600 } } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.result.video).toMatchObject({ width: 320, height: 180, frames: 100 });
    const [call, ...more] = world.services.of('Invoke').slice(before);
    expect(more).toEqual([]);
    expect(call!.body.FunctionName).toBe(world.fn('function:inspect').arn);
    // A preflight probes through the same Invoke; a bad key never reaches a function.
    const bad = await world.api('POST', '/v1/functions/inspect/invocations', { input: { source: { key: '.mosaic/work/x.mp4' } } });
    expect(bad.status).toBe(400);
    expect(world.services.of('Invoke').length).toBe(before + 1);
  }, 60_000);

  it('gives the same job view on the local engine for the same clip dropped in its inbox', async () => {
    expect(happy, 'needs the happy path').toBeDefined();
    const root = tempDir('mosaic-aws-world-local-');
    const local = await startRulesWorld(root, {
      runtime: { searchPath: (process.env.PATH ?? '').split(':'), cacheDir: join(root, 'cache'), allowModelDownload: false, ffmpegTimeoutMs: 120_000, ...(vmafModel ? { vmafModelPath: vmafModel } : {}) },
      platformDefaults: new Map([['package', 'fargate']]),
    });
    try {
      mkdirSync(join(root, 'inbox', 'draft'), { recursive: true });
      copyFileSync(clipPath, join(root, KEY));
      await local.settle(1, 60_000);
      const localId = uploadJobId(LOCAL_RULE_SUBSTITUTIONS.SourceBucket, KEY, { etag: createHash('md5').update(clip).digest('hex') });
      const job = (await local.engine.jobs.getJob(localId))!;
      expect(job?.status).toBe('SUCCEEDED');
      const uploads = { downloadUrl: async (k: string) => `local:${k}` } as unknown as UploadTarget;
      const localView = await jobView({ jobs: local.engine.jobs, blobs: local.engine.blobs, uploads }, job);
      const localHistory = await local.engine.jobs.listEvents(localId);

      const aws = comparable(happy.view, happy.jobId);
      const loc = comparable(localView, localId);
      if (process.env.AWS_WORLD_DEBUG) console.log(JSON.stringify({ aws, loc }, null, 1));
      expect(statusesOf(localHistory as never)).toEqual(statusesOf(happy.history));
      expect(loc.steps).toEqual(aws.steps);
      expect(loc.outputs).toEqual(aws.outputs);
      expect(loc.renditions).toEqual(aws.renditions);
      expect(loc.spec).toEqual(aws.spec);
      expect(loc.rest).toEqual(aws.rest);
      // report.json, field by field (times and ids aside).
      const awsReport = JSON.parse(await streamText(happy.view.outputs.report.key));
      const localReport = JSON.parse(readFileSync(join(root, job.reportKey!), 'utf8'));
      expect(comparableReport(localReport, localId)).toEqual(comparableReport(awsReport, happy.jobId));
      // The same rules ran on the job's end: the same facts (job → preset version).
      const awsFacts = await factsOf(`job:${happy.jobId}`);
      expect({ ...(await local.engine.jobs.getFacts(`job:${localId}`)), jobId: '<job>' }).toEqual({ ...awsFacts, jobId: '<job>' });
    } finally {
      await local.stop();
    }
  }, 90_000);

  // ------------------------------------------------------------------ workflows other than encode (issue 14 item 2)

  /** The job's run(s) on workflow `name`'s state machine, with the status events the harness emitted for them. */
  const runsOn = (jobId: string, workflow: string) => {
    const sm = world.stateMachineOf(workflow);
    const runs = executionsOf(jobId);
    expect(runs.length, `executions of ${jobId}`).toBeGreaterThan(0);
    for (const e of runs) {
      expect(e.stateMachineArn).toBe(sm.arn);
      expect(e.arn.startsWith(sm.arn.replace(':stateMachine:', ':execution:'))).toBe(true);
      for (const ev of e.events) expect(ev.detail.stateMachineArn).toBe(sm.arn);
    }
    return runs;
  };
  const reportOf = async (jobId: string) => JSON.parse(await streamText(`${jobId}/report.json`));
  const psnrByRung = (report: any) => Object.fromEntries((report.rungs as { id: string; psnr: number | null }[]).map((r) => [r.id, r.psnr]));

  it('lists every deployed workflow from GET /v1/workflows, with its Comment and the media functions its Tasks name', async () => {
    const r = await world.api('GET', '/v1/workflows');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const list = (r.body.workflows ?? r.body) as { name: string; description: string; functions: string[] }[];
    expect(list.map((w) => w.name).sort()).toEqual([...world.deployment.stateMachines.keys()].sort());
    expect(list.find((w) => w.name === 'measure')).toMatchObject({ functions: ['measure-quality', 'publish-derived'], description: expect.stringMatching(/^Mosaic measure/) });
    expect(list.find((w) => w.name === 'repackage')).toMatchObject({ functions: ['package', 'publish-derived'] });
    for (const name of ['measure', 'repackage']) {
      const d = await world.api('GET', `/v1/workflows/${name}`);
      expect(d.status, JSON.stringify(d.body)).toBe(200);
      expect(JSON.stringify(d.body.definition)).toContain(world.fn('function:publish-derived').arn);
    }
  });

  it('measures the encoded job again through POST /v1/workflows/measure/executions: a job of its own on the measure state machine, QUEUED → RUNNING → SUCCEEDED, the same PSNR per rung', async () => {
    expect(happy, 'needs the happy path').toBeDefined();
    const startsBefore = world.services.of('StartExecution').length;
    const r = await world.api('POST', '/v1/workflows/measure/executions', { input: { of: happy.jobId } });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(r.body.status).toBe('QUEUED');
    const jobId: string = r.body.id;
    expect(jobId).not.toBe(happy.jobId);
    const { view, seen } = await pollToEnd(jobId);
    await world.settle();
    expect(view.status, JSON.stringify(view.error)).toBe('SUCCEEDED');
    const order = ['QUEUED', 'RUNNING', 'SUCCEEDED'];
    const idx = seen.map((x) => order.indexOf(x.status));
    expect(idx.every((i, n) => i >= 0 && (n === 0 || i >= idx[n - 1]!)), JSON.stringify(seen)).toBe(true);
    expect(statusesOf(await history(jobId))).toEqual(order);
    expect(jobStatusEventsOnBus(jobId)).toEqual(order);

    // One execution, on the measure state machine, named by the job; its tasks are measure-quality (per rung) and publish-derived.
    const [execution, ...more] = runsOn(jobId, 'measure');
    expect(more).toEqual([]);
    expect(execution!.name).toBe(jobId);
    expect(execution!.events.map((e) => e.detail.status)).toEqual(['RUNNING', 'SUCCEEDED']);
    expect(world.services.of('StartExecution').slice(startsBefore).map((c) => [c.body.stateMachineArn, c.body.name])).toEqual([[world.stateMachineOf('measure').arn, jobId]]);
    const tasks = world.tasks.filter((t) => t.execution === jobId);
    expect(tasks.every((t) => t.outcome === 'succeeded'), JSON.stringify(tasks)).toBe(true);
    expect(new Set(tasks.map((t) => t.fn))).toEqual(new Set(['measure-quality', 'publish-derived']));
    expect(tasks.filter((t) => t.fn === 'measure-quality')).toHaveLength(happy.view.renditions.length);

    // report.json in the derivative bucket: derived from the encode, scores equal to the encode's.
    const report = await reportOf(jobId);
    const original = await reportOf(happy.jobId);
    expect(report.derivedFrom).toMatchObject({ jobId: happy.jobId, workflow: 'measure' });
    const psnr = psnrByRung(report);
    const before = psnrByRung(original);
    expect(Object.keys(psnr).sort()).toEqual(Object.keys(before).sort());
    for (const [rung, value] of Object.entries(before)) {
      expect(value, rung).toEqual(expect.any(Number));
      expect(Math.abs(psnr[rung]! - value!), `${rung}: ${psnr[rung]} vs ${value}`).toBeLessThanOrEqual(0.01);
    }
    expect(view.spec.tags).toMatchObject({ workflow: 'measure', of: happy.jobId });
    expect(world.deadLetters.map((d) => `${d.rule} → ${d.target}: ${d.error}`)).toEqual([]);
    expect(world.harnessErrors).toEqual([]);
  }, 90_000);

  it('repackages the encoded job at twice its segment length through POST /v1/workflows/repackage/executions: a master playlist under the new job', async () => {
    expect(happy, 'needs the happy path').toBeDefined();
    const original = await reportOf(happy.jobId);
    const segmentSeconds = 2 * original.encoding.timing.segmentSeconds;
    const r = await world.api('POST', '/v1/workflows/repackage/executions', { input: { of: happy.jobId, segmentSeconds } });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const jobId: string = r.body.id;
    const { view } = await pollToEnd(jobId);
    await world.settle();
    expect(view.status, JSON.stringify(view.error)).toBe('SUCCEEDED');
    expect(statusesOf(await history(jobId))).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    const [execution, ...more] = runsOn(jobId, 'repackage');
    expect(more).toEqual([]);
    expect(execution!.events.map((e) => e.detail.status)).toEqual(['RUNNING', 'SUCCEEDED']);
    expect(new Set(world.tasks.filter((t) => t.execution === jobId).map((t) => t.fn))).toEqual(new Set(['package', 'publish-derived']));
    await world.s3Client.send(new HeadObjectCommand({ Bucket: world.deployment.derivativeBucket, Key: `${jobId}/hls/master.m3u8` }));
    const report = await reportOf(jobId);
    expect(report.derivedFrom).toMatchObject({ jobId: happy.jobId, workflow: 'repackage' });
    // The new media playlists are cut at the new length.
    const media = (await keysUnder(`${jobId}/hls/`)).find((k) => k.endsWith('.m3u8') && !k.endsWith('master.m3u8'))!;
    expect(media).toBeDefined();
    const target = /#EXT-X-TARGETDURATION:(\d+)/.exec(await streamText(media))?.[1];
    expect(Number(target)).toBeGreaterThanOrEqual(Math.floor(segmentSeconds));
    expect(world.deadLetters.map((d) => `${d.rule} → ${d.target}: ${d.error}`)).toEqual([]);
    expect(world.harnessErrors).toEqual([]);
  }, 90_000);

  it('refuses a bad workflow request with a typed 4xx and records no job: an unknown job 404, a segment length off the keyframes 400, an unknown workflow 404', async () => {
    expect(happy, 'needs the happy path').toBeDefined();
    const original = await reportOf(happy.jobId);
    const keyframe = original.encoding.timing.gopFrames / original.encoding.timing.fps;
    const startsBefore = world.services.of('StartExecution').length;
    const queuedBefore = world.busLog.filter((b) => b.event['detail-type'] === 'Job Status Changed' && b.event.detail.status === 'QUEUED').length;
    const unknown = await world.api('POST', '/v1/workflows/measure/executions', { input: { of: 'no-such-job' } });
    expect(unknown.status, JSON.stringify(unknown.body)).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'not_found', message: expect.stringContaining('no-such-job') });
    const offGrid = await world.api('POST', '/v1/workflows/repackage/executions', { input: { of: happy.jobId, segmentSeconds: keyframe * 1.5 } });
    expect(offGrid.status, JSON.stringify(offGrid.body)).toBe(400);
    expect(offGrid.body.error.message).toMatch(/segmentSeconds .* is not a whole multiple/);
    const noWorkflow = await world.api('POST', '/v1/workflows/no-such-flow/executions', { input: {} });
    expect(noWorkflow.status, JSON.stringify(noWorkflow.body)).toBe(404);
    expect(world.services.of('StartExecution').length).toBe(startsBefore);
    expect(world.busLog.filter((b) => b.event['detail-type'] === 'Job Status Changed' && b.event.detail.status === 'QUEUED').length).toBe(queuedBefore);
  }, 30_000);

  it('runs a per-title job: the analysis Map over samples runs on the analyze-title Lambda size the allocator picks, Plan picks the ladder from it, the report carries the hull', async () => {
    const submit = await world.api('POST', '/v1/jobs', { source: { key: KEY }, preset: 'per-title', outputs: { thumbnails: false } });
    expect(submit.status, JSON.stringify(submit.body)).toBe(202);
    const jobId: string = submit.body.id;
    const { view } = await pollToEnd(jobId);
    await world.settle();
    expect(view.status, JSON.stringify(view.error)).toBe('SUCCEEDED');
    const tasks = world.tasks.filter((t) => t.execution === jobId);
    expect(tasks.every((t) => t.outcome === 'succeeded'), JSON.stringify(tasks.filter((t) => t.outcome !== 'succeeded'))).toBe(true);
    expect(tasks.filter((t) => t.fn === 'plan-analysis')).toHaveLength(1);
    const report = await reportOf(jobId);
    expect(report.perTitle).not.toBeNull();
    const samples = report.perTitle.samples.map((_: unknown, i: number) => `s${i}`);
    expect(tasks.filter((t) => t.fn === 'analyze-title').map((t) => t.itemId).sort()).toEqual(samples);
    // Every sample was sized by the allocator (its Task Allocated event) and ran on that size's analyze-title variant.
    expect(tasks.filter((t) => t.fn === 'analyze-title').every((t) => t.state === 'AnalyzeSample' && t.platform === 'lambda')).toBe(true);
    const allocations = world.busLog.filter((b) => b.event['detail-type'] === 'Task Allocated' && b.event.detail.jobId === jobId && b.event.detail.function === 'analyze-title');
    expect(allocations.map((b) => b.event.detail.itemId).sort()).toEqual(samples);
    for (const a of allocations) expect(LAMBDA_MEMORY_LADDER_MIB).toContain(a.event.detail.memoryMiB);
    expect(report.perTitle.hull.length).toBeGreaterThanOrEqual(2);
    expect(report.encoding.rungs.map((r: { crf?: number }) => typeof r.crf)).toEqual(report.perTitle.rungs.map(() => 'number'));
    expect(view.ladderSearch.rungs).toEqual(report.perTitle.rungs);
    expect(view.renditions.map((r: { id: string }) => r.id)).toEqual(report.perTitle.rungs.map((r: { id: string }) => r.id));
  });

  it('starts measure from the measure-later rule (EventBridge → its starter Lambda) when an encode tagged measure=later succeeds, as the job derivedJobId names', async () => {
    const submit = await world.api('POST', '/v1/jobs', { source: { key: KEY }, preset: 'draft', tags: { measure: 'later' }, outputs: { quality: false } });
    expect(submit.status, JSON.stringify(submit.body)).toBe(202);
    const encodeId: string = submit.body.id;
    const encoded = (await pollToEnd(encodeId)).view;
    expect(encoded.status, JSON.stringify(encoded.error)).toBe('SUCCEEDED');
    // Quality was left out of the encode.
    expect(world.tasks.filter((t) => t.execution === encodeId && t.fn === 'measure-quality')).toEqual([]);
    const measureId = derivedJobId('measure', { of: encodeId });
    const delivery = await until('the measure-later rule', () => world.deliveries.find((d) => d.rule === 'mosaic-dev-measure-later' && d.event.detail.jobId === encodeId && (d.result || d.error)));
    expect(delivery.target).toBe('mosaic-workflow-starter');
    expect(delivery.error).toBeUndefined();
    expect(delivery.result).toMatchObject({ status: 'started', duplicate: false, job: { id: measureId, status: 'QUEUED', workflow: { name: 'measure', input: { of: encodeId } } } });
    const { view } = await pollToEnd(measureId);
    await world.settle();
    expect(view.status, JSON.stringify(view.error)).toBe('SUCCEEDED');
    expect(statusesOf(await history(measureId))).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    runsOn(measureId, 'measure');
    const report = await reportOf(measureId);
    expect(report.derivedFrom).toMatchObject({ jobId: encodeId, workflow: 'measure' });
    for (const [rung, psnr] of Object.entries(psnrByRung(report))) expect(psnr, rung).toBeGreaterThan(25);
    // The measure job's own end does not fire the rule again (its workflow is measure), and a redelivery starts nothing new.
    expect(world.deliveries.filter((d) => d.rule === 'mosaic-dev-measure-later')).toHaveLength(1);
    const starts = world.services.of('StartExecution').length;
    world.put(world.deployment.platformBus, delivery.event);
    await world.settle();
    const again = world.deliveries.filter((d) => d.rule === 'mosaic-dev-measure-later').at(-1)!;
    expect(again.result).toMatchObject({ status: 'started', duplicate: true, job: { id: measureId } });
    expect(world.services.of('StartExecution').length).toBe(starts);
    expect(executionsOf(measureId)).toHaveLength(1);
    expect(world.deadLetters.map((d) => `${d.rule} → ${d.target}: ${d.error}`)).toEqual([]);
    expect(world.harnessErrors).toEqual([]);
  }, 120_000);
});

/** The rule engine's facts in the table (the job store adapter is also the fact store). */
const factsOf = (subject: string) => (awsJobStore(world.envOf(world.fn('mosaic-rule-engine'))) as unknown as FactStore).getFacts(subject);

async function streamText(key: string): Promise<string> {
  const { GetObjectCommand } = await import('@aws-sdk/client-s3');
  const r = await world.s3Client.send(new GetObjectCommand({ Bucket: world.deployment.derivativeBucket, Key: key }));
  return r.Body!.transformToString();
}

/** Receives the job's webhooks (bounded wait): each signed with the deployment's secret, statuses in order. */
async function expectWebhooks(jobId: string, statuses: string[]) {
  const mine = () => hooks.received.filter((h) => JSON.parse(h.body).job.id === jobId);
  await until(`${statuses.length} webhooks for ${jobId}`, () => (mine().length >= statuses.length ? true : undefined), 20_000);
  const secret = await loadOrCreateWebhookSecret(awsJobStore(world.envOf(world.fn('mosaic-job-events'))));
  const got = mine();
  for (const h of got) expect(verifyWebhookSignature(secret, h.headers['mosaic-signature'] as string, h.body)).toBe(true);
  expect(got.map((h) => JSON.parse(h.body).job.status)).toEqual(statuses);
  expect(new Set(got.map((h) => JSON.parse(h.body).id)).size).toBe(statuses.length);
  const view = await getJob(jobId);
  expect(view.webhook.deliveries.filter((d: any) => d.ok).length).toBe(statuses.length);
}

/** The parts of a job view both engines must agree on: no times, ids, URLs, costs or invocation ids. */
function comparable(view: any, jobId: string) {
  const rel = (k: string | null | undefined) => (k ? k.replace(jobId, '<job>') : null);
  return {
    steps: [...view.steps]
      .map((s: any) => ({ stepId: s.stepId, function: s.function, attempt: s.attempt, status: s.status, error: s.error, fraction: s.fraction }))
      .sort((a, b) => a.stepId.localeCompare(b.stepId)),
    outputs: Object.fromEntries(Object.entries(view.outputs).map(([k, v]: [string, any]) => [k, rel(v?.key)])),
    renditions: view.renditions,
    spec: view.spec,
    rest: { status: view.status, progress: view.progress, error: view.error, vmafUnavailableReason: view.vmafUnavailableReason, webhook: view.webhook, region: view.cost.region, pricesTakenOn: view.cost.pricesTakenOn },
  };
}

function comparableReport(report: any, jobId: string): unknown {
  const drop = new Set(['jobId', 'createdAt', 'startedAt', 'endedAt', 'finishedAt', 'durationSec', 'elapsedSec', 'cost', 'timings']);
  const walk = (v: any): any => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => !drop.has(k)).map(([k, x]) => [k, walk(x)]));
    return typeof v === 'string' ? v.replaceAll(jobId, '<job>') : v;
  };
  return walk(report);
}
