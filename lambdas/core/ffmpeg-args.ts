/**
 * ffmpeg/ffprobe argument builders: argv arrays only, never a shell string. The same builders
 * serve the media functions and the benchmark's plain-script baseline, so both encode alike.
 *
 * Length: ≈500 lines of small, independent builders, one per kind of ffmpeg/ffprobe run, kept
 * in one file so every argv is built beside INPUT_GUARD, COMMON and the encoder tables: the one
 * place to check what reaches ffmpeg.
 */
import type { Chunk, Rung, SourcePicture, Timing, VideoCodec } from '../contracts/index.js';
import { BT709_TAGS, conformInputArgs, conformTimeFilters, pictureFilters } from './conform.js';

/**
 * Demuxers of real media containers, the only ones a source (or anything made from it) is read
 * with: no playlists (hls, dash), concat lists, image sequences or other demuxers that open
 * further files or URLs. ffmpeg matches each demuxer's names ("mov,mp4,m4a,...") against it.
 */
export const MEDIA_DEMUXERS = [
  'mov', 'matroska', 'avi', 'mpegts', 'mpeg', 'mxf', 'flv', 'ogg', 'gif', 'asf', 'ivf', 'yuv4mpegpipe', 'dv', 'nut',
  'h264', 'hevc', 'm4v', 'mpegvideo', 'wav', 'aiff', 'mp3', 'aac', 'flac', 'w64', 'caf',
] as const;

/** Inputs may only be local files or pipes read by a media demuxer: no network, no playlists. */
export const INPUT_GUARD = ['-protocol_whitelist', 'file,pipe', '-format_whitelist', MEDIA_DEMUXERS.join(',')];
const COMMON = ['-hide_banner', '-nostdin', '-y', '-nostats'];

/** Retimes frames to exact CFR from 0, so chunk joins and A/V durations are exact. */
export function cfrFilter(timing: Timing): string {
  return `setpts=N/(${timing.fpsRational})/TB`;
}

export function x264Args(rung: Rung, timing: Timing, threads: number): string[] {
  return [
    '-c:v', 'libx264',
    '-preset', rung.encoderPreset,
    '-profile:v', rung.profile,
    '-pix_fmt', 'yuv420p',
    // Capped CRF (per-title) targets quality under the VBV cap; otherwise an average bitrate.
    ...(rung.crf !== undefined ? ['-crf', String(rung.crf)] : ['-b:v', `${rung.bitrateKbps}k`]),
    '-maxrate', `${rung.maxrateKbps}k`,
    '-bufsize', `${rung.bufsizeKbps}k`,
    // Fixed, closed GOP of exactly one segment: no scene-cut keyframes.
    '-g', String(timing.gopFrames),
    '-keyint_min', String(timing.gopFrames),
    '-sc_threshold', '0',
    '-flags', '+cgop',
    '-threads', String(threads),
    '-r', timing.fpsRational,
    ...BT709_TAGS,
  ];
}

/** A rung's codec (absent: h264). */
export const rungCodec = (rung: Pick<Rung, 'codec'>): VideoCodec => rung.codec ?? 'h264';

/** The ffmpeg encoders of each codec, preferred first. */
export const VIDEO_ENCODERS: Record<VideoCodec, readonly string[]> = {
  h264: ['libx264'],
  hevc: ['libx265'],
  av1: ['libsvtav1', 'libaom-av1'],
  vp9: ['libvpx-vp9'],
};

/** The encoder of `codec` among an ffmpeg's encoders (`ffmpeg -encoders`), or null when it has none. */
export function pickVideoEncoder(codec: VideoCodec, available: Iterable<string>): string | null {
  const have = new Set(available);
  return VIDEO_ENCODERS[codec].find((e) => have.has(e)) ?? null;
}

/** x264 preset name (a rung's encoderPreset) → 0 (slowest) … 9 (fastest), the scale every other encoder's speed is mapped from. */
function speedRank(encoderPreset: string): number {
  const names = ['placebo', 'veryslow', 'slower', 'slow', 'medium', 'fast', 'faster', 'veryfast', 'superfast', 'ultrafast'];
  const i = names.indexOf(encoderPreset);
  return i < 0 ? 5 : i;
}

/** Rate control shared by the encoders that take ffmpeg's generic options: capped CRF, else average bitrate, both under the VBV cap. */
const vbv = (rung: Rung) => ['-maxrate', `${rung.maxrateKbps}k`, '-bufsize', `${rung.bufsizeKbps}k`];

/**
 * libx265, tagged `hvc1` (parameter sets in the sample entry, what Apple's players require).
 * Fixed closed GOP of exactly one segment: keyint = min-keyint, no scene-cut keyframes, no open GOP.
 */
export function x265Args(rung: Rung, timing: Timing, threads: number): string[] {
  const g = timing.gopFrames;
  const params = [
    `keyint=${g}`, `min-keyint=${g}`, 'scenecut=0', 'open-gop=0',
    `vbv-maxrate=${rung.maxrateKbps}`, `vbv-bufsize=${rung.bufsizeKbps}`,
    ...(threads > 0 ? [`pools=${threads}`] : []),
    'log-level=error',
  ];
  return [
    '-c:v', 'libx265',
    '-preset', rung.encoderPreset,
    '-profile:v', 'main',
    '-pix_fmt', 'yuv420p',
    ...(rung.crf !== undefined ? ['-crf', String(rung.crf)] : ['-b:v', `${rung.bitrateKbps}k`]),
    ...vbv(rung),
    '-g', String(g), '-keyint_min', String(g),
    '-x265-params', params.join(':'),
    '-tag:v', 'hvc1',
    '-r', timing.fpsRational,
    ...BT709_TAGS,
  ];
}

/**
 * libsvtav1 (ffmpeg ≥ 5.1): preset 12 (ultrafast) … 2 (veryslow); closed GOP of one segment
 * (intra period from -g, key frames only: irefresh-type=2), no scene-change detection. Capped CRF
 * is `-crf` with the cap as `mbr`, else VBR at the average bitrate.
 */
export function svtAv1Args(rung: Rung, timing: Timing, threads: number): string[] {
  const g = timing.gopFrames;
  const preset = [0, 2, 4, 5, 7, 8, 9, 10, 11, 12][speedRank(rung.encoderPreset)];
  const params = [
    `keyint=${g}`, 'scd=0', 'irefresh-type=2',
    ...(rung.crf !== undefined ? [`mbr=${rung.maxrateKbps}`] : []),
    ...(threads > 0 ? [`lp=${threads}`] : []),
  ];
  return [
    '-c:v', 'libsvtav1',
    '-preset', String(preset),
    '-pix_fmt', 'yuv420p',
    ...(rung.crf !== undefined ? ['-crf', String(Math.round(rung.crf))] : ['-b:v', `${rung.bitrateKbps}k`, ...vbv(rung)]),
    '-g', String(g), '-keyint_min', String(g),
    '-svtav1-params', params.join(':'),
    '-r', timing.fpsRational,
    ...BT709_TAGS,
  ];
}

/** Log2 tile columns for libaom and libvpx: tiles at least 256 pixels wide, at most 4 (threads work on tiles and rows). */
const tileColumnsLog2 = (width: number) => Math.max(0, Math.min(2, Math.floor(Math.log2(Math.max(1, width / 256)))));

/**
 * What libaom and libvpx share after their speed settings: rate control, the fixed closed GOP,
 * tiles and row threads, the rate and the colour tags. Capped CRF is constrained quality with the
 * cap as `-b:v` alone (given -maxrate/-bufsize they leave CQ and ignore -crf; a cap of 0 is
 * constant quality), else an average bitrate under the VBV cap.
 */
function constrainedQualityTail(rung: Rung, timing: Timing, threads: number): string[] {
  const g = timing.gopFrames;
  return [
    ...(rung.crf !== undefined ? ['-crf', String(Math.round(rung.crf)), '-b:v', `${rung.maxrateKbps}k`] : ['-b:v', `${rung.bitrateKbps}k`, ...vbv(rung)]),
    '-g', String(g), '-keyint_min', String(g),
    '-tile-columns', String(tileColumnsLog2(rung.width)), '-row-mt', '1',
    '-threads', String(threads),
    '-r', timing.fpsRational,
    ...BT709_TAGS,
  ];
}

/**
 * libaom-av1 (experimental in ffmpeg 4.x: `-strict experimental`): cpu-used 8 (ultrafast) … 1;
 * keyframes exactly every GOP (kf-min-dist = kf-max-dist). Capped CRF is constrained quality
 * (`-crf` with `-b:v` as the cap), else an average bitrate.
 */
export function aomAv1Args(rung: Rung, timing: Timing, threads: number): string[] {
  const cpuUsed = [0, 1, 2, 3, 4, 5, 6, 7, 8, 8][speedRank(rung.encoderPreset)];
  return [
    '-c:v', 'libaom-av1', '-strict', 'experimental',
    '-cpu-used', String(cpuUsed),
    '-pix_fmt', 'yuv420p',
    ...constrainedQualityTail(rung, timing, threads),
  ];
}

/**
 * libvpx-vp9, good quality: cpu-used 5 (the fastest presets) … 0; keyframes exactly every GOP
 * (kf-min-dist = kf-max-dist: no automatic keyframes); row-mt and tile columns for threads.
 * Capped CRF is constrained quality (`-crf` with `-b:v` as the cap), else an average bitrate.
 */
export function vp9Args(rung: Rung, timing: Timing, threads: number): string[] {
  const cpuUsed = [0, 0, 1, 2, 3, 4, 5, 5, 5, 5][speedRank(rung.encoderPreset)];
  return [
    '-c:v', 'libvpx-vp9',
    '-deadline', 'good', '-cpu-used', String(cpuUsed),
    '-profile:v', '0',
    '-pix_fmt', 'yuv420p',
    ...constrainedQualityTail(rung, timing, threads),
  ];
}

/**
 * The encoder arguments of a rung by its codec. `encoder` picks among a codec's encoders (AV1:
 * libsvtav1 or libaom-av1, see pickVideoEncoder); absent, the preferred one.
 */
export function videoEncoderArgs(rung: Rung, timing: Timing, threads: number, encoder?: string): string[] {
  const codec = rungCodec(rung);
  const chosen = encoder ?? VIDEO_ENCODERS[codec][0];
  if (!VIDEO_ENCODERS[codec].includes(chosen)) throw new Error(`${chosen} is not an encoder of ${codec} (${VIDEO_ENCODERS[codec].join(', ')})`);
  switch (chosen) {
    case 'libx265': return x265Args(rung, timing, threads);
    case 'libsvtav1': return svtAv1Args(rung, timing, threads);
    case 'libaom-av1': return aomAv1Args(rung, timing, threads);
    case 'libvpx-vp9': return vp9Args(rung, timing, threads);
    default: return x264Args(rung, timing, threads);
  }
}

/** The source as the conformed source, scaled for one rung (see core/conform.ts). */
export function rungFilters(picture: SourcePicture, rung: Rung, timing: Timing, startFrame = 0): string {
  return [...conformTimeFilters(picture, timing, startFrame), ...pictureFilters(picture, rung.width, rung.height)].join(',');
}

export function encodeVideoChunkArgs(p: {
  source: string;
  output: string;
  rung: Rung;
  chunk: Chunk;
  timing: Timing;
  picture: SourcePicture;
  threads: number;
  /** Which of the codec's encoders (see videoEncoderArgs); absent: the preferred one. */
  encoder?: string;
}): string[] {
  return [
    ...COMMON,
    ...INPUT_GUARD,
    ...conformInputArgs(p.picture, p.timing, p.chunk.startFrame),
    '-i', p.source,
    '-map', `0:${p.picture.streamIndex}`, '-an', '-sn', '-dn',
    '-frames:v', String(p.chunk.frames),
    '-vf', rungFilters(p.picture, p.rung, p.timing, p.chunk.startFrame),
    ...videoEncoderArgs(p.rung, p.timing, p.threads, p.encoder),
    '-f', 'mp4', p.output,
  ];
}

/** Whole-file encode of one rung: what a plain script does (used by the benchmark baseline). */
export function encodeVideoWholeArgs(p: { source: string; output: string; rung: Rung; timing: Timing; picture: SourcePicture; frames: number; threads: number }): string[] {
  return [
    ...COMMON,
    ...INPUT_GUARD,
    ...conformInputArgs(p.picture, p.timing),
    '-i', p.source,
    '-map', `0:${p.picture.streamIndex}`, '-an', '-sn', '-dn',
    '-frames:v', String(p.frames),
    '-vf', rungFilters(p.picture, p.rung, p.timing),
    ...videoEncoderArgs(p.rung, p.timing, p.threads),
    '-movflags', '+faststart',
    '-f', 'mp4', p.output,
  ];
}

/** Joins chunk files listed in a concat-demuxer list without re-encoding. */
export function concatArgs(listFile: string, output: string): string[] {
  return [
    ...COMMON,
    '-protocol_whitelist', 'file,pipe',
    '-f', 'concat', '-safe', '0',
    '-i', listFile,
    '-c', 'copy',
    '-movflags', '+faststart',
    '-f', 'mp4', output,
  ];
}

export function concatListFile(paths: string[]): string {
  // The concat demuxer's quoting: single quotes, with ' written as '\''.
  return paths.map((p) => `file '${p.replace(/'/g, "'\\''")}'`).join('\n') + '\n';
}

/**
 * The largest amount `-hls_time` of video is set below its target. ffmpeg's HLS muxer cuts at the
 * first keyframe at or after n × hls_time (n = segments cut so far), so the margin adds up over
 * the rendition: n × margin must stay below one keyframe interval, or a cut lands one keyframe
 * early. Renditions are CFR with exact timestamps (mp4 timescales are multiples of the frame
 * rate), so 10 µs lets an exactly placed keyframe pass and keeps the sum below a keyframe
 * interval for 10⁵ segments per second of keyframe interval (hours of video).
 */
export const VIDEO_SEGMENT_MARGIN_SEC = 1e-5;

/**
 * `-hls_time` of a video rendition cut into segments of `segmentSeconds`: the target (snapped to
 * a whole number of keyframe intervals when `gopFrames` is known), less half a frame or
 * VIDEO_SEGMENT_MARGIN_SEC, whichever is smaller. With a keyframe every segment (the encode
 * case) every keyframe starts a segment; with segmentSeconds = k × the keyframe interval every
 * k-th one does.
 */
export function videoHlsTime(p: { segmentSeconds: number; fps?: number; gopFrames?: number }): number {
  const keyframeSec = p.gopFrames && p.fps ? p.gopFrames / p.fps : null;
  const target = keyframeSec ? Math.max(1, Math.round(p.segmentSeconds / keyframeSec)) * keyframeSec : p.segmentSeconds;
  return target - Math.min(p.fps ? 0.5 / p.fps : Infinity, VIDEO_SEGMENT_MARGIN_SEC);
}

/**
 * Cuts one rendition into CMAF (fMP4) segments with a media playlist. Video is cut at keyframes
 * only, at the first one reaching each multiple of segmentSeconds (videoHlsTime); audio is cut
 * every segment.
 */
export function segmentArgs(p: { input: string; dir: string; kind: 'video' | 'audio'; segmentSeconds: number; fps?: number; gopFrames?: number }): string[] {
  return [
    ...COMMON,
    ...INPUT_GUARD,
    '-i', p.input,
    '-c', 'copy',
    '-f', 'hls',
    '-hls_time', p.kind === 'video' ? videoHlsTime(p).toFixed(6) : p.segmentSeconds.toFixed(3),
    '-hls_playlist_type', 'vod',
    '-hls_segment_type', 'fmp4',
    '-hls_fmp4_init_filename', 'init.mp4',
    '-hls_segment_filename', `${p.dir}/seg_%05d.m4s`,
    `${p.dir}/index.m3u8`,
  ];
}

export interface QualityFilterOptions {
  sourceWidth: number;
  sourceHeight: number;
  timing: Timing;
  /** The source is read as the conformed source, as the encode read it. */
  picture: SourcePicture;
  frames: number;
  vmafModelPath: string | null;
  threads: number;
  psnrStatsPath: string;
  /** Score every Nth frame with VMAF (PSNR and SSIM always see every frame). */
  vmafSubsample?: number;
}

/**
 * One pass computing PSNR, SSIM and (when a model is available) VMAF of a rendition against
 * the source: the rendition is scaled back to the source size, both retimed by frame index.
 */
export function qualityArgs(p: QualityFilterOptions & { rendition: string; source: string }): string[] {
  const n = p.vmafModelPath ? 3 : 2;
  const pre = `format=yuv420p,${cfrFilter(p.timing)}`;
  const labels = (x: string) => Array.from({ length: n }, (_, i) => `[${x}${i}]`).join('');
  const graph = [
    `[0:v]scale=${p.sourceWidth}:${p.sourceHeight}:flags=bicubic,${pre},split=${n}${labels('d')}`,
    `[1:${p.picture.streamIndex}]${[...conformTimeFilters(p.picture, p.timing), ...pictureFilters(p.picture, p.sourceWidth, p.sourceHeight)].join(',')},split=${n}${labels('r')}`,
    `[d0][r0]psnr=stats_file=${escapeFilterPath(p.psnrStatsPath)}`,
    `[d1][r1]ssim`,
    ...(p.vmafModelPath ? [`[d2][r2]libvmaf=model_path=${escapeFilterPath(p.vmafModelPath)}:n_threads=${Math.max(1, p.threads)}:n_subsample=${p.vmafSubsample ?? 1}`] : []),
  ].join(';');
  return [
    '-hide_banner', '-nostdin', '-nostats',
    '-filter_complex_threads', String(Math.max(1, p.threads)),
    ...INPUT_GUARD, '-i', p.rendition,
    ...INPUT_GUARD, ...conformInputArgs(p.picture, p.timing), '-i', p.source,
    '-filter_complex', graph,
    // The source side is padded past its end: stop with the rendition's frames.
    '-frames:v', String(p.frames),
    '-f', 'null', '-',
  ];
}

/**
 * Paths inside a filtergraph: plain ones pass as they are; anything else is single-quoted
 * (which protects ':' ',' ';' '[' ']'), and a path containing a quote is refused.
 */
export function escapeFilterPath(path: string): string {
  if (/^[A-Za-z0-9_./+-]+$/.test(path)) return path;
  if (path.includes("'")) throw new Error(`cannot pass a path containing a quote to an ffmpeg filter: ${path}`);
  return `'${path}'`;
}

export function posterArgs(p: { source: string; output: string; atSec: number; height: number }): string[] {
  return [
    ...COMMON, ...INPUT_GUARD,
    '-ss', p.atSec.toFixed(3),
    '-i', p.source,
    '-map', '0:v:0', '-frames:v', '1',
    '-vf', `scale=-2:${p.height}`,
    '-q:v', '3',
    '-f', 'image2', p.output,
  ];
}

export function spriteArgs(p: {
  source: string;
  output: string;
  intervalSec: number;
  tileWidth: number;
  tileHeight: number;
  columns: number;
  rows: number;
}): string[] {
  return [
    ...COMMON, ...INPUT_GUARD,
    '-i', p.source,
    '-map', '0:v:0',
    '-vf', `fps=1/${p.intervalSec}:round=up,scale=${p.tileWidth}:${p.tileHeight},tile=${p.columns}x${p.rows}`,
    '-frames:v', '1',
    '-q:v', '4',
    '-f', 'image2', p.output,
  ];
}

export const PROBE_ARGS = (path: string) => [
  '-v', 'error', ...INPUT_GUARD, '-print_format', 'json', '-show_format', '-show_streams', path,
];

/** Video packets counted (demuxed, not decoded) and the duration of a file's first video stream. */
export const VIDEO_COUNT_ARGS = (path: string) => [
  '-v', 'error', ...INPUT_GUARD, '-count_packets', '-select_streams', 'v:0',
  '-show_entries', 'stream=nb_read_packets,duration:format=duration', '-of', 'json', path,
];

/** Every packet's presentation time, duration and flags (`D`: discarded by an edit list) of one stream. */
export const PACKETS_ARGS = (path: string, streamIndex: number) => [
  '-v', 'error', ...INPUT_GUARD, '-select_streams', String(streamIndex), '-show_entries', 'packet=pts_time,duration_time,flags', '-of', 'csv=p=0', path,
];

/** Counts interlaced and progressive frames with `idet` over the first frames. */
export function fieldDetectArgs(source: string, streamIndex: number, frames: number): string[] {
  return [
    '-hide_banner', '-nostdin', '-nostats', ...INPUT_GUARD,
    '-i', source, '-map', `0:${streamIndex}`, '-frames:v', String(frames), '-vf', 'idet', '-f', 'null', '-',
  ];
}

/** Decodes a few frames: catches sources whose headers parse but whose data does not decode. */
export function decodeCheckArgs(source: string, atSec: number, frames: number, streamIndex = 0): string[] {
  return [
    '-hide_banner', '-nostdin', '-nostats', '-v', 'error', '-xerror',
    ...INPUT_GUARD,
    ...(atSec > 0 ? ['-ss', atSec.toFixed(3)] : []),
    '-i', source, '-map', `0:${streamIndex}`, '-frames:v', String(frames), '-f', 'null', '-',
  ];
}

/**
 * Per-title trials (core/per-title.ts), one output each: frames `sample` of the conformed source,
 * decoded once, scaled once per candidate size and split to that size's CRFs, in the ladder's codec
 * with no effective VBV cap (a trial measures what its CRF costs) and the ladder's closed fixed
 * GOP, so the bits per second are those the rung would spend.
 */
export function trialEncodeArgs(p: {
  source: string;
  picture: SourcePicture;
  timing: Timing;
  sample: { startFrame: number; frames: number };
  trials: readonly { width: number; height: number; crf: number; output: string }[];
  encoderPreset: string;
  threads: number;
  codec?: VideoCodec;
  /** The codec's encoder this ffmpeg has (AV1: libsvtav1 or libaom-av1); default the preferred one. */
  encoder?: string;
}): string[] {
  const frames = String(p.sample.frames);
  const sizes = [...new Set(p.trials.map((t) => `${t.width}x${t.height}`))];
  const sizeLabel = (t: { width: number; height: number }) => `s${sizes.indexOf(`${t.width}x${t.height}`)}`;
  // source → conformed (once) → one scaler per size → one branch per trial of that size
  const graph = [
    `[0:${p.picture.streamIndex}]${conformTimeFilters(p.picture, p.timing, p.sample.startFrame).join(',')},split=${sizes.length}${sizes.map((_, i) => `[s${i}]`).join('')}`,
    ...sizes.map((size, i) => {
      const [w, h] = size.split('x').map(Number) as [number, number];
      const mine = p.trials.map((t, j) => ({ t, j })).filter(({ t }) => sizeLabel(t) === `s${i}`);
      return `[s${i}]${pictureFilters(p.picture, w, h).join(',')},split=${mine.length}${mine.map(({ j }) => `[t${j}]`).join('')}`;
    }),
  ];
  return [
    ...COMMON,
    ...INPUT_GUARD,
    ...conformInputArgs(p.picture, p.timing, p.sample.startFrame),
    '-i', p.source,
    '-filter_complex', graph.join(';'),
    ...p.trials.flatMap((t, i) => {
      // No cap (0): x264/x265 take it as no VBV, libaom/libvpx as constant quality (-b:v 0; a huge
      // ceiling instead made libvpx ignore -crf), SVT-AV1 as no maximum bitrate.
      const rung: Rung = {
        id: 'trial', index: 0, width: t.width, height: t.height, bitrateKbps: 0, maxrateKbps: 0, bufsizeKbps: 0,
        profile: 'high', encoderPreset: p.encoderPreset, crf: t.crf, ...(p.codec && p.codec !== 'h264' ? { codec: p.codec } : {}),
      };
      return ['-map', `[t${i}]`, '-frames:v', frames, ...videoEncoderArgs(rung, p.timing, p.threads, p.encoder), '-f', 'mp4', t.output];
    }),
  ];
}

/**
 * PSNR of each trial against the same frames of the source, at the source's
 * size (the trial scaled up with bicubic, as a player would): the source is decoded once and split
 * to every comparison. The reference is cut to the sample's frames, so no frame past the trial's
 * end is scored against a repeat of its last.
 */
export function trialScoreArgs(p: {
  trials: readonly { path: string; statsPath: string }[];
  source: string;
  picture: SourcePicture;
  timing: Timing;
  sample: { startFrame: number; frames: number };
  sourceWidth: number;
  sourceHeight: number;
  threads: number;
}): string[] {
  const n = p.trials.length;
  const frames = String(p.sample.frames);
  const reference = [...conformTimeFilters(p.picture, p.timing, p.sample.startFrame), ...pictureFilters(p.picture, p.sourceWidth, p.sourceHeight), `trim=end_frame=${frames}`];
  const graph = [
    `[${n}:${p.picture.streamIndex}]${reference.join(',')},split=${n}${p.trials.map((_, i) => `[r${i}]`).join('')}`,
    ...p.trials.map(
      (t, i) => `[${i}:v]scale=${p.sourceWidth}:${p.sourceHeight}:flags=bicubic,format=yuv420p,${cfrFilter(p.timing)}[d${i}];[d${i}][r${i}]psnr=stats_file=${escapeFilterPath(t.statsPath)}[s${i}]`,
    ),
  ].join(';');
  return [
    '-hide_banner', '-nostdin', '-nostats',
    '-filter_complex_threads', String(Math.max(1, p.threads)),
    ...p.trials.flatMap((t) => [...INPUT_GUARD, '-i', t.path]),
    ...INPUT_GUARD, ...conformInputArgs(p.picture, p.timing, p.sample.startFrame), '-i', p.source,
    '-filter_complex', graph,
    ...p.trials.flatMap((_, i) => ['-map', `[s${i}]`, '-frames:v', frames, '-f', 'null', '-']),
  ];
}
