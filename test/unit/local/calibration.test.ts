/**
 * The speed table learns: calibration replaces the priors with what this machine measured, every
 * encode task's observed duration moves it further (exponentially weighted), and a real local job
 * records its chunks' speeds and its cost.
 */
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import type { SpeedSample } from '../../../lambdas/contracts/index.js';
import { lookupSpeed } from '../../../lambdas/core/allocator/speed-model.js';
import { loadMeasuredSpeeds, loadSpeedTable, recordSpeedSamples, resolveMediaTools } from '../../../lambdas/runtime/index.js';
import { calibrate, predictedEncodeSeconds } from '../../../local/calibrate.js';
import { LocalEngine } from '../../../local/engine.js';
import { SqliteJobStore } from '../../../local/sqlite-job-store.js';
import { makeClip, tempDir } from '../../helpers/media.js';

const stores: SqliteJobStore[] = [];
const store = () => {
  const s = new SqliteJobStore(join(tempDir(), 'jobs.db'));
  stores.push(s);
  return s;
};
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

const task = { width: 1280, height: 720, fps: 24, frames: 240, threads: 2 };
const sample = (seconds: number): SpeedSample => ({ function: 'encode-video', codec: 'h264', encoderPreset: 'fast', width: 1280, height: 720, frames: 240, seconds, vcpu: 2 });

describe('speed table in the JobStore', () => {
  it('starts from the priors, with nothing measured', async () => {
    const jobs = store();
    expect((await loadMeasuredSpeeds(jobs)).table).toEqual({});
    expect(lookupSpeed(await loadSpeedTable(jobs), { function: 'encode-video', codec: 'h264', encoderPreset: 'fast', width: 1280, height: 720 }).samples).toBe(0);
  });

  it('moves a prediction toward observed durations, exponentially weighted, until it matches', async () => {
    const jobs = store();
    const prior = predictedEncodeSeconds(await loadSpeedTable(jobs), task, 'fast');
    const observed = prior * 2; // this machine is twice as slow as the prior says
    await recordSpeedSamples(jobs, [sample(observed)]);
    const afterOne = predictedEncodeSeconds(await loadSpeedTable(jobs), task, 'fast');
    expect(afterOne).toBeGreaterThan(prior);
    expect(afterOne).toBeLessThan(observed); // one sample moves it only part of the way
    for (let i = 0; i < 12; i++) await recordSpeedSamples(jobs, [sample(observed)]);
    const learned = predictedEncodeSeconds(await loadSpeedTable(jobs), task, 'fast');
    expect(Math.abs(learned - observed) / observed).toBeLessThan(0.1);
    expect((await loadMeasuredSpeeds(jobs)).table['encode-video/h264/fast/hd'].samples).toBe(13);
  });

  it('keeps every sample when writers race (optimistic versions, retried)', async () => {
    const jobs = store();
    await Promise.all(Array.from({ length: 20 }, () => recordSpeedSamples(jobs, [sample(50)])));
    expect((await loadMeasuredSpeeds(jobs)).table['encode-video/h264/fast/hd'].samples).toBe(20);
  });
});

describe('calibration on this machine', () => {
  it('times real encodes from a source to smaller rungs and fits the model to them', async () => {
    const jobs = store();
    const tools = await resolveMediaTools({ searchPath: (process.env.PATH ?? '').split(':'), cacheDir: tmpdir(), allowModelDownload: false, scratchRoot: tmpdir(), ffmpegTimeoutMs: 120_000 });
    const base = { frames: 24, fps: 24, threads: 1 };
    const grainy = { width: 640, height: 360 };
    const clean = { width: 640, height: 360, clean: true };
    const cases = ['draft', 'default'].flatMap((preset) => [
      { ...base, preset, source: grainy, width: 640, height: 360 },
      { ...base, preset, source: grainy, width: 320, height: 180 },
      { ...base, preset, source: clean, width: 320, height: 180 },
    ]);
    const { rows, table } = await calibrate({ tools, jobs, scratchDir: join(tempDir(), 'cal'), cases });
    expect(rows).toHaveLength(6);
    const measured = await loadMeasuredSpeeds(jobs);
    expect(Object.keys(measured.table)).toEqual(expect.arrayContaining(['encode-video/h264/ultrafast/sd', 'encode-video/h264/fast/sd', 'machine/decode', 'machine/decode-bits']));
    // The fitted model explains what it was fitted on (least squares over 6 runs with 4 unknowns).
    const errors = rows.map((r) => Math.abs(predictedEncodeSeconds(table, { ...r, source: { ...r.source, kbps: r.sourceKbps } }, r.encoderPreset) - r.seconds) / r.seconds).sort((a, b) => a - b);
    expect(errors[Math.floor(errors.length / 2)]).toBeLessThan(0.25);
  });
});

describe('a local job teaches the model and carries its cost', () => {
  it('records every chunk encode in the speed table and an estimated and a measured AWS cost', async () => {
    const dir = tempDir();
    const src = makeClip(join(dir, 'clip.mp4'), { width: 320, height: 180, seconds: 3 });
    const engine = await LocalEngine.open({ root: join(dir, 'out'), runtime: { searchPath: (process.env.PATH ?? '').split(':'), cacheDir: tmpdir(), allowModelDownload: false, ffmpegTimeoutMs: 120_000 } });
    try {
      const { job } = await engine.submitFile(src, { preset: 'draft' });
      const done = await engine.run(job.id);
      expect(done.status).toBe('SUCCEEDED');
      const chunks = engine.planOf(job.id)!.videoTaskList!.count;
      expect((await loadMeasuredSpeeds(engine.jobs)).table['encode-video/h264/ultrafast/sd'].samples).toBe(chunks);
      expect(done.cost).toMatchObject({ region: 'us-east-1' });
      expect(done.cost!.estimatedUsd).toBeGreaterThan(0);
      expect(done.cost!.actualUsd).toBeGreaterThan(0);
      const steps = await engine.jobs.listSteps(job.id);
      const sum = steps.reduce((s, x) => s + (x.costUsd ?? 0), 0);
      // The lifecycle prices every step once the workflow ended, Publish included: its compute
      // lines are the steps' costs, and the breakdown (requests, transitions, events…) adds up.
      const compute = done.cost!.breakdown.filter((l) => l.service === 'lambda' || l.service === 'fargate').filter((l) => l.unit === 'seconds');
      expect(compute.reduce((s, l) => s + l.usd, 0)).toBeCloseTo(sum, 12);
      expect(done.cost!.breakdown.reduce((s, l) => s + l.usd, 0)).toBeCloseTo(done.cost!.actualUsd!, 12);
      expect([...new Set(done.cost!.breakdown.map((l) => l.service))]).toEqual(expect.arrayContaining(['lambda', 'step-functions', 'eventbridge', 'dynamodb', 's3', 'cloudwatch']));
      expect(done.cost!.breakdown.some((l) => l.item.includes('not recorded'))).toBe(false);
      expect(done.cost!.actualUsd).toBeGreaterThan(sum);
      const allocated = (await engine.jobs.listEvents(job.id)).filter((e) => e.detailType === 'Task Allocated');
      expect(allocated).toHaveLength(chunks);
    } finally {
      engine.close();
    }
  });
});
