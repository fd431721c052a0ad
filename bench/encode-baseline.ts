/**
 * The plain-script baseline of the encode benchmark: the ffmpeg commands a person would put in a
 * shell script to get the same outputs as `mosaic encode`, built with the very argument builders
 * Mosaic's functions use (lambdas/core), run one after the other, whole file per rung (no chunks).
 */
import { join } from 'node:path';
import type { MediaInfo } from '../lambdas/contracts/index.js';
import { planTiming } from '../lambdas/core/chunks.js';
import { encodeAudioArgs } from '../lambdas/core/audio-args.js';
import {
  encodeVideoWholeArgs,
  posterArgs,
  qualityArgs,
  segmentArgs,
  spriteArgs,
} from '../lambdas/core/ffmpeg-args.js';
import { sourcePicture } from '../lambdas/core/conform.js';
import { planLadder } from '../lambdas/core/ladder.js';
import type { Preset } from '../lambdas/core/presets.js';
import { planSprite } from '../lambdas/core/thumbnails.js';
import { shellLine, shellQuote } from './util.js';

export interface BaselineInput {
  ffmpeg: string;
  source: string;
  media: MediaInfo;
  preset: Preset;
  /** Where the script writes everything (absolute). */
  outDir: string;
  vmafModelPath: string | null;
}

/** One step of the script: a comment, then either a shell line or an ffmpeg argv (stderr optionally kept). */
type Step = { comment: string } & ({ shell: string } | { ffmpeg: string[]; stderrTo?: string });

export function baselineSteps(p: BaselineInput): Step[] {
  const { media, preset, source, outDir } = p;
  const v = media.video;
  const rungs = planLadder({ width: v.displayWidth, height: v.height }, preset);
  const timing = planTiming(v.fps, v.fpsRational, preset.segmentSeconds);
  const durationSec = v.frames / v.fps;
  const picture = sourcePicture(media);
  const rendition = (id: string) => join(outDir, 'renditions', `${id}.mp4`);
  const audioOut = join(outDir, 'renditions', 'audio.m4a');
  const hlsDir = (id: string) => join(outDir, 'hls', id);
  const dirs = [
    'renditions',
    'quality',
    'thumbnails',
    ...rungs.map((r) => join('hls', r.id)),
    ...(media.audio ? [join('hls', 'audio')] : []),
  ].map((d) => join(outDir, d));

  const steps: Step[] = [{ comment: 'output folders, segment folders included', shell: `mkdir -p ${dirs.map(shellQuote).join(' ')}` }];

  for (const rung of rungs)
    steps.push({
      comment: `video ${rung.id}: ${rung.width}x${rung.height} @ ${rung.bitrateKbps} kb/s, whole file`,
      ffmpeg: encodeVideoWholeArgs({ source, output: rendition(rung.id), rung, timing, picture, frames: v.frames, threads: 0 }),
    });

  if (media.audio)
    steps.push({
      comment: `audio: AAC ${preset.audio.bitrateKbps} kb/s`,
      ffmpeg: encodeAudioArgs({
        source,
        output: audioOut,
        bitrateKbps: preset.audio.bitrateKbps,
        channels: Math.min(media.audio.channels, preset.audio.maxChannels),
        sampleRate: preset.audio.sampleRate,
        durationSec,
      }),
    });

  for (const rung of rungs)
    steps.push({
      comment: `quality ${rung.id}: PSNR + SSIM${p.vmafModelPath ? ' + VMAF' : ''} against the source (scores in the .log)`,
      ffmpeg: qualityArgs({
        rendition: rendition(rung.id),
        source,
        sourceWidth: v.width,
        sourceHeight: v.height,
        picture,
        frames: v.frames,
        timing,
        vmafModelPath: p.vmafModelPath,
        // Same VMAF frame subsampling as Mosaic's quality tasks (a preset setting).
        vmafSubsample: preset.vmafSubsample,
        threads: 2,
        psnrStatsPath: join(outDir, 'quality', `${rung.id}-psnr.stats`),
      }),
      stderrTo: join(outDir, 'quality', `${rung.id}.log`),
    });

  for (const rung of rungs)
    steps.push({
      comment: `package ${rung.id}: CMAF segments + media playlist`,
      ffmpeg: segmentArgs({ input: rendition(rung.id), dir: hlsDir(rung.id), kind: 'video', segmentSeconds: timing.segmentSeconds }),
    });
  if (media.audio)
    steps.push({
      comment: 'package audio: CMAF segments + media playlist',
      ffmpeg: segmentArgs({ input: audioOut, dir: hlsDir('audio'), kind: 'audio', segmentSeconds: timing.segmentSeconds }),
    });

  // Thumbnails exactly as the thumbnails function picks them.
  const posterHeight = Math.min(720, Math.floor(v.height / 2) * 2);
  const layout = planSprite({
    durationSec,
    intervalSec: preset.thumbnails.intervalSec,
    maxTiles: preset.thumbnails.maxTiles,
    tileWidth: preset.thumbnails.tileWidth,
    sourceWidth: v.displayWidth,
    sourceHeight: v.height,
  });
  steps.push(
    {
      comment: 'poster',
      ffmpeg: posterArgs({ source, output: join(outDir, 'thumbnails', 'poster.jpg'), atSec: durationSec * 0.1, height: posterHeight }),
    },
    {
      comment: `sprite: ${layout.count} tiles, ${layout.columns}x${layout.rows}`,
      ffmpeg: spriteArgs({ source, output: join(outDir, 'thumbnails', 'sprite.jpg'), ...layout }),
    },
  );
  return steps;
}

/** The steps as a bash script. ffmpeg is named once, in $FFMPEG. */
export function baselineScript(p: BaselineInput): string {
  const lines = [
    '#!/usr/bin/env bash',
    `# Plain-script baseline for \`mosaic encode\` of ${p.source}, preset "${p.preset.name}".`,
    '# Generated by bench/encode.ts. Master playlists are not written (trivial text).',
    'set -euo pipefail',
    `FFMPEG=${shellQuote(p.ffmpeg)}`,
  ];
  for (const step of baselineSteps(p)) {
    lines.push('', `# ${step.comment}`);
    if ('shell' in step) lines.push(step.shell);
    else lines.push(`"$FFMPEG" ${shellLine(step.ffmpeg)}${step.stderrTo ? ` 2> ${shellQuote(step.stderrTo)}` : ''}`);
  }
  return lines.join('\n') + '\n';
}
