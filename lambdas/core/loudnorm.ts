/**
 * Two-pass EBU R128 loudness normalisation with ffmpeg's `loudnorm`: pass 1 measures the input
 * (`print_format=json`), pass 2 applies one gain computed from those measurements (`linear=true`),
 * which keeps the dynamics; loudnorm itself falls back to dynamic mode when the true-peak limit
 * makes a single gain impossible, and says so in its pass-2 report.
 */
import { InputInvalidError, type LoudnessMeasurement, type LoudnessTarget } from '../contracts/index.js';
import { INPUT_GUARD } from './ffmpeg-args.js';

/** loudnorm prints its report at info level, after the run. */
const HEAD = ['-hide_banner', '-nostdin', '-y', '-nostats', '-loglevel', 'info'];

const targetFilter = (t: LoudnessTarget) => `loudnorm=I=${t.integratedLufs}:TP=${t.truePeakDbtp}:LRA=${t.loudnessRangeLu}`;

/** Channels of the first audio stream and the duration of a file, read by a media demuxer only. */
export function audioProbeArgs(path: string): string[] {
  return ['-v', 'error', ...INPUT_GUARD, '-select_streams', 'a:0', '-show_entries', 'stream=channels:format=duration', '-of', 'json', path];
}

export function loudnormMeasureArgs(source: string, target: LoudnessTarget): string[] {
  return [...HEAD, ...INPUT_GUARD, '-i', source, '-map', '0:a:0', '-vn', '-sn', '-dn', '-af', `${targetFilter(target)}:print_format=json`, '-f', 'null', '-'];
}

export interface LoudnormReport {
  input: LoudnessMeasurement;
  output: LoudnessMeasurement;
  normalizationType: 'linear' | 'dynamic';
  targetOffsetLu: number;
}

export function loudnormApplyArgs(source: string, output: string, target: LoudnessTarget, measured: LoudnormReport, sampleRate = 48000): string[] {
  const m = measured.input;
  const filter = [
    targetFilter(target),
    `measured_I=${m.integratedLufs}`,
    `measured_TP=${m.truePeakDbtp}`,
    `measured_LRA=${m.loudnessRangeLu}`,
    `measured_thresh=${m.thresholdLufs}`,
    `offset=${measured.targetOffsetLu}`,
    'linear=true',
    'print_format=json',
  ].join(':');
  // loudnorm works at 192 kHz internally; the output goes back to a delivery rate.
  return [...HEAD, ...INPUT_GUARD, '-i', source, '-map', '0:a:0', '-vn', '-sn', '-dn', '-af', filter, '-ar', String(sampleRate), '-c:a', 'pcm_s16le', '-f', 'wav', output];
}

/**
 * Whether pass 2 applies one gain: loudnorm's own rule (the gain that reaches the integrated
 * target keeps the true peak under its limit). ffmpeg 4.1's report always says "dynamic" at the
 * end of a linear run (it reports the state of the final frame), so the decision is made here.
 */
export function isLinear(measured: LoudnessMeasurement, target: LoudnessTarget): boolean {
  return measured.thresholdLufs > -70 && measured.truePeakDbtp + (target.integratedLufs - measured.integratedLufs) <= target.truePeakDbtp;
}

/** The JSON block loudnorm prints at the end of its log. */
export function parseLoudnormReport(stderr: string): LoudnormReport {
  const start = stderr.lastIndexOf('{');
  const end = stderr.lastIndexOf('}');
  if (start < 0 || end < start) throw new InputInvalidError('loudnorm printed no measurement: the source has no audio ffmpeg can measure');
  let j: Record<string, string>;
  try {
    j = JSON.parse(stderr.slice(start, end + 1)) as Record<string, string>;
  } catch {
    throw new InputInvalidError('loudnorm printed an unreadable measurement');
  }
  const num = (k: string): number => {
    const v = Number(j[k]);
    // Silence measures as -inf: there is nothing to normalise.
    if (!Number.isFinite(v)) throw new InputInvalidError(`the source is silent or too short to measure (loudnorm ${k} = ${j[k]})`);
    return v;
  };
  return {
    input: { integratedLufs: num('input_i'), truePeakDbtp: num('input_tp'), loudnessRangeLu: num('input_lra'), thresholdLufs: num('input_thresh') },
    output: { integratedLufs: num('output_i'), truePeakDbtp: num('output_tp'), loudnessRangeLu: num('output_lra'), thresholdLufs: num('output_thresh') },
    normalizationType: /linear/i.test(j.normalization_type ?? '') ? 'linear' : 'dynamic',
    targetOffsetLu: num('target_offset'),
  };
}
