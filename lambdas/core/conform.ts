/**
 * The conformed source: the one way every task reads the source's pictures. Frame i is the
 * source frame shown at `originSec + i / fps` (ffmpeg's fps filter, nearest rounding), on the
 * file's own timestamps (`-copyts`), deinterlaced, upright, 8-bit 4:2:0 BT.709 limited range.
 * A chunk seeks early enough to have every frame it needs and selects its frames by output
 * index, so chunks of any source (VFR, edit lists, negative starts) join frame-exactly.
 */
import type { MediaInfo, SourcePicture, Timing } from '../contracts/index.js';

export function sourcePicture(media: MediaInfo): SourcePicture {
  const v = media.video;
  const c = v.conform;
  return {
    streamIndex: c?.streamIndex ?? 0,
    originSec: c?.originSec ?? v.startSec,
    maxFrameGapSec: c?.maxFrameGapSec ?? 1 / v.fps,
    interlaced: c?.interlaced ?? null,
    matrix: v.color?.matrix ?? 'unknown',
    range: v.color?.range ?? 'unknown',
    hdr: v.color?.hdr ?? null,
    width: v.width,
    height: v.height,
  };
}

/** A progressive, constant-rate picture starting at 0 (clips Mosaic generates itself, e.g. for calibration). */
export function plainPicture(width: number, height: number, fps: number): SourcePicture {
  return { streamIndex: 0, originSec: 0, maxFrameGapSec: 1 / fps, interlaced: null, matrix: 'unknown', range: 'tv', hdr: null, width, height };
}

/** Filters an ffmpeg needs for HDR tone-mapping; without them an HDR source is refused. */
export const TONEMAP_FILTERS = ['zscale', 'tonemap'];

/** How much earlier than a chunk's first frame a seek starts (the decoder needs a keyframe first). */
const SEEK_MARGIN_SEC = 1.5;

/**
 * Input options that read the source on its own timeline, seeking to just before output frame
 * `startFrame`. `-seek_timestamp` makes `-ss` a timestamp of the file, not an offset from its start.
 */
export function conformInputArgs(p: SourcePicture, timing: Timing, startFrame = 0): string[] {
  const at = startFrame / timing.fps - p.maxFrameGapSec - SEEK_MARGIN_SEC;
  const seek = at > 0 ? ['-seek_timestamp', '1', '-ss', (p.originSec + at).toFixed(6), '-noaccurate_seek'] : [];
  return ['-copyts', ...seek];
}

/**
 * Source frames → conformed frames `startFrame` onwards, still at the source's size: deinterlace,
 * retime onto the origin, constant rate, and clones of the last frame to cover its whole duration
 * (the output's `-frames:v` cuts exactly).
 */
export function conformTimeFilters(p: SourcePicture, timing: Timing, startFrame = 0): string[] {
  const padFrames = Math.ceil(p.maxFrameGapSec * timing.fps) + 2;
  return [
    ...(p.interlaced ? [`bwdif=mode=send_frame:parity=${p.interlaced}:deint=all`] : []),
    `setpts=PTS-(${p.originSec.toFixed(6)})/TB`,
    `fps=fps=${timing.fpsRational}:start_time=${(startFrame / timing.fps).toFixed(6)}:round=near`,
    `tpad=stop_mode=clone:stop=${padFrames}`,
    // Output timestamps count frames from 0, so an encoder sees exact CFR.
    `setpts=N/(${timing.fpsRational})/TB`,
  ];
}

const MATRIX: Record<string, string> = {
  bt709: 'bt709', smpte170m: 'bt601', bt470bg: 'bt601', bt2020nc: 'bt2020', bt2020c: 'bt2020', smpte240m: 'smpte240m', fcc: 'fcc',
};

/** Untagged pictures: what players assume (BT.709 for HD, BT.601 below). */
function inputMatrix(p: SourcePicture): string {
  return MATRIX[p.matrix] ?? (p.height >= 720 || p.width >= 1280 ? 'bt709' : 'bt601');
}

/** Conformed frames → `width`x`height` 8-bit 4:2:0 BT.709 limited range, square pixels. */
export function pictureFilters(p: SourcePicture, width: number, height: number): string[] {
  const tonemap = p.hdr
    ? [
        // Linear light, then Hable tone-mapping to SDR with BT.709 primaries (the usual zimg recipe).
        `zscale=tin=${p.hdr === 'pq' ? 'smpte2084' : 'arib-std-b67'}:min=${p.matrix === 'bt2020c' ? 'bt2020c' : 'bt2020nc'}:pin=bt2020:rin=${p.range === 'pc' ? 'full' : 'limited'}:t=linear:npl=100`,
        'format=gbrpf32le',
        'zscale=p=bt709',
        'tonemap=tonemap=hable:desat=0',
        'zscale=t=bt709:m=bt709:r=tv',
        'format=yuv420p',
      ]
    : [];
  const inMatrix = p.hdr ? 'bt709' : inputMatrix(p);
  const inRange = p.hdr ? 'tv' : p.range === 'pc' ? 'pc' : 'tv';
  return [
    ...tonemap,
    `scale=${width}:${height}:flags=bicubic:in_color_matrix=${inMatrix}:out_color_matrix=bt709:in_range=${inRange}:out_range=tv`,
    'format=yuv420p',
    'setsar=1',
  ];
}

/** The encoder's colour tags: every rung says BT.709 limited range. */
export const BT709_TAGS = ['-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709', '-color_range', 'tv'];
