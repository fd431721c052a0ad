/**
 * A workflow made of rules, no state machine: an audio-only upload → normalize-audio (two-pass
 * EBU R128 loudnorm) → its Function Result → encode-audio renditions in AAC and Opus.
 */
import { mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FFMPEG, FFPROBE, run, tempDir } from '../helpers/media.js';
import { startRulesWorld, type RulesWorld } from '../helpers/rules-world.js';

const root = tempDir('mosaic-rules-audio-');
let world: RulesWorld;

beforeAll(async () => {
  world = await startRulesWorld(root);
});
afterAll(async () => {
  await world?.stop();
});

/** Integrated loudness as ffmpeg's ebur128 meter reports it (independent of loudnorm). */
function integratedLufs(path: string): number {
  const r = run(FFMPEG, ['-hide_banner', '-nostats', '-i', path, '-filter_complex', 'ebur128', '-f', 'null', '-']);
  // The filter may print a summary per graph configuration: the last one measured the file.
  const m = [...r.stderr.matchAll(/Integrated loudness:\s*\n\s*I:\s*(-?[\d.]+) LUFS/g)].pop();
  if (!m) throw new Error(`no ebur128 summary for ${path}: ${r.stderr.slice(-500)}`);
  return Number(m[1]);
}

function codecOf(path: string): { codec: string; sampleRate: number; channels: number; durationSec: number } {
  const r = run(FFPROBE, ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=codec_name,sample_rate,channels:format=duration', '-of', 'json', path]);
  const j = JSON.parse(r.stdout) as { streams: { codec_name: string; sample_rate: string; channels: number }[]; format: { duration: string } };
  return { codec: j.streams[0].codec_name, sampleRate: Number(j.streams[0].sample_rate), channels: j.streams[0].channels, durationSec: Number(j.format.duration) };
}

describe('rule-based audio workflow', () => {
  it('normalises a quiet upload to -23 LUFS and encodes AAC and Opus renditions from it', async () => {
    // A quiet stereo tone with some movement, well below the target (-23 LUFS).
    const src = join(tempDir('mosaic-audio-src-'), 'voice.FLAC');
    const made = run(FFMPEG, ['-hide_banner', '-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=330:sample_rate=44100:duration=4', '-af', 'volume=-24dB,tremolo=f=2:d=0.5,pan=stereo|c0=c0|c1=c0', '-c:a', 'flac', src]);
    expect(made.code, made.stderr).toBe(0);
    const before = integratedLufs(src);
    expect(before).toBeLessThan(-30);

    mkdirSync(join(root, 'inbox'), { recursive: true });
    renameSync(src, join(root, 'inbox', 'voice.FLAC'));
    await world.settle(1);

    const eventId = world.uploads[0].id!;
    const jobId = `audio-${eventId}`;
    // (The runtime's start announced the presets' versions: record-preset-version fired for those.)
    expect(world.firings.map((f) => f.rule).filter((r) => r !== 'record-preset-version').sort()).toEqual(['ingest-audio', 'normalize-audio-done']);
    expect(world.firings.every((f) => !f.error)).toBe(true);
    // No encode job: the chain ran functions only.
    expect(await world.engine.jobs.listJobs()).toEqual([]);

    const normalized = world.engine.blobs.pathOf(`${jobId}/normalized.wav`);
    expect(codecOf(normalized)).toMatchObject({ codec: 'pcm_s16le', sampleRate: 48000, channels: 2 });
    const after = integratedLufs(normalized);
    expect(Math.abs(after - -23)).toBeLessThanOrEqual(1.5);

    const aac = codecOf(world.engine.blobs.pathOf(`${jobId}/audio/aac-128k.m4a`));
    const opus = codecOf(world.engine.blobs.pathOf(`${jobId}/audio/opus-96k.webm`));
    expect(aac).toMatchObject({ codec: 'aac', sampleRate: 48000, channels: 2 });
    expect(opus).toMatchObject({ codec: 'opus', sampleRate: 48000, channels: 2 });
    for (const r of [aac, opus]) expect(Math.abs(r.durationSec - 4)).toBeLessThan(0.15);

    // The chain is visible as steps of the audio job, and normalize-audio's result carries both loudness figures.
    const steps = await world.engine.jobs.listSteps(jobId);
    expect(steps.map((s) => `${s.stepId} ${s.status}`).sort()).toEqual(['encode-audio:aac-128k SUCCEEDED', 'encode-audio:opus-96k SUCCEEDED', 'normalize-audio SUCCEEDED']);
    const result = world.firings.find((f) => f.rule === 'ingest-audio')!.actions[0].result as { measured: { integratedLufs: number }; target: { integratedLufs: number }; normalizationType: string };
    expect(result.target.integratedLufs).toBe(-23);
    expect(Math.abs(result.measured.integratedLufs - before)).toBeLessThan(1);
    expect(result.normalizationType).toBe('linear');
  }, 180_000);
});
