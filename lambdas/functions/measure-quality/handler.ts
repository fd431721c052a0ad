import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { MeasureQualityInputSchema, QualityResultSchema, TransientError } from '../../contracts/index.js';
import { qualityArgs } from '../../core/ffmpeg-args.js';
import { parsePsnrStats, parseQualityLog } from '../../core/quality.js';
import { defineMediaFunction } from '../../runtime/index.js';
import config from './function.json' with { type: 'json' };

const VMAF_MIN_SIDE = 32;

export default defineMediaFunction({
  ...config,
  input: MeasureQualityInputSchema,
  output: QualityResultSchema,
  // A rendition of an earlier job is read from its HLS media playlist (measure), staged as one fMP4.
  stage: (i) => ({ rendition: i.rendition.key.endsWith('.m3u8') ? { hls: i.rendition.key } : i.rendition.key, source: i.source.key }),
  async run(input, ctx) {
    const vmafBinary = ctx.tools.vmafFfmpeg;
    // libvmaf's features need pictures of some size; tiny sources get PSNR and SSIM only.
    const vmafTooSmall = Math.min(input.sourceWidth, input.sourceHeight) < VMAF_MIN_SIDE;
    const useVmaf = input.vmaf && !vmafTooSmall && Boolean(vmafBinary && ctx.vmafModelPath);
    const statsPath = join(ctx.scratch, 'psnr.log');
    const { stderr } = await ctx.ffmpeg(
      qualityArgs({
        rendition: ctx.inputs.rendition,
        source: ctx.inputs.source,
        sourceWidth: input.sourceWidth,
        sourceHeight: input.sourceHeight,
        timing: input.timing,
        picture: input.picture,
        frames: input.frames,
        vmafModelPath: useVmaf ? ctx.vmafModelPath : null,
        threads: input.threads,
        vmafSubsample: input.vmafSubsample,
        psnrStatsPath: statsPath,
      }),
      { binary: useVmaf ? (vmafBinary ?? undefined) : undefined, captureStderr: true, totalFrames: input.frames },
    );
    const summary = parseQualityLog(stderr);
    const stats = parsePsnrStats(await readFile(statsPath, 'utf8'));
    if (summary.psnr === null) throw new TransientError(`${input.rung.id}: ffmpeg printed no PSNR summary`);
    if (useVmaf && summary.vmaf === null) throw new TransientError(`${input.rung.id}: libvmaf printed no score`);
    return {
      rungId: input.rung.id,
      psnr: summary.psnr,
      psnrMin: stats.min,
      ssim: summary.ssim,
      // ffmpeg's ssim prints "-nan" when the picture is smaller than its 8x8 windows.
      ...(summary.ssim === null ? { ssimUnavailableReason: `SSIM is undefined for a ${input.sourceWidth}x${input.sourceHeight} picture` } : {}),
      vmaf: useVmaf ? summary.vmaf : null,
      ...(useVmaf ? {} : { vmafUnavailableReason: vmafTooSmall ? `VMAF needs pictures at least ${VMAF_MIN_SIDE} px a side` : !input.vmaf ? 'VMAF not requested or unavailable for this job' : !vmafBinary ? ctx.tools.vmafMissingReason ?? 'no ffmpeg with libvmaf' : 'no VMAF model' }),
      frames: stats.frames,
    };
  },
});
