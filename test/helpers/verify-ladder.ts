/**
 * Checks of the source corpus: a published ladder as a player and an auditor see it, and a
 * refusal as a user sees it. Each returns problems as one-line strings (no vitest `expect`),
 * so the bench prints the same verdicts the test asserts.
 *
 * Expectations come from the source itself, measured independently of Mosaic: its decoded frame
 * timestamps (ffprobe), rotation, field order, audio and text-subtitle streams. The one thing
 * taken from Mosaic's report is the nominal output rate R, checked for plausibility against the
 * source's median frame interval.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { JobReport } from '../../lambdas/contracts/index.js';
import { decode, FFMPEG, FFPROBE, ROOT } from './media.js';

export interface LadderChecks {
  /** `report.source.notes` must mention this (e.g. tone mapping for HDR). */
  notes?: RegExp;
  /** Every audio rendition has exactly this many channels (else: at most 2). */
  audioChannels?: number;
  /** Every subtitle rendition contains this cue text. */
  subtitleText?: string;
  /** Check A/V sync by the beeps' onsets (default true; off for real clips, whose music defeats it). */
  sync?: boolean;
  /** Files (relative to the repository root) that must not exist afterwards (shell injection). */
  absentAfter?: string[];
}

function sh(bin: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(bin, args, { encoding: 'utf8', maxBuffer: 256 << 20 });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** `-i path`, letting the HLS demuxer open CMAF segments (an option other demuxers refuse). */
const input = (path: string) => (path.endsWith('.m3u8') ? ['-allowed_extensions', 'ALL', '-i', path] : ['-i', path]);

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim().slice(0, 200);

// ---- the source, measured independently --------------------------------------------------------

interface SourceStream {
  index: number;
  type: string;
  codec: string;
  language: string;
  isDefault: boolean;
  attachedPic: boolean;
  fieldOrder: string;
  colorSpace: string;
  rotation: number;
  width: number;
  height: number;
}

const TEXT_SUBS = new Set(['subrip', 'srt', 'ass', 'ssa', 'mov_text', 'webvtt', 'text']);

/** Streams by ffprobe; by `ffmpeg -i` where this ffprobe cannot open the file (it crashes on MPEG-TS). */
export function sourceStreams(path: string): { streams: SourceStream[]; via: string } {
  const p = sh(FFPROBE, ['-v', 'error', '-show_streams', '-of', 'json', path]);
  if (p.code === 0) {
    const j = JSON.parse(p.stdout) as { streams: Record<string, unknown>[] };
    return {
      via: 'ffprobe',
      streams: j.streams.map((s) => {
        const tags = (s.tags ?? {}) as Record<string, string>;
        const disp = (s.disposition ?? {}) as Record<string, number>;
        const side = ((s.side_data_list ?? []) as { rotation?: number }[]).find((d) => d.rotation !== undefined);
        return {
          index: Number(s.index),
          type: String(s.codec_type),
          codec: String(s.codec_name ?? ''),
          language: tags.language ?? 'und',
          isDefault: disp.default === 1,
          attachedPic: disp.attached_pic === 1,
          fieldOrder: String(s.field_order ?? 'unknown'),
          colorSpace: String(s.color_space ?? 'unknown'),
          rotation: Number(side?.rotation ?? tags.rotate ?? 0),
          width: Number(s.width ?? 0),
          height: Number(s.height ?? 0),
        };
      }),
    };
  }
  const f = sh(FFMPEG, ['-hide_banner', '-i', path]);
  const streams: SourceStream[] = [];
  for (const m of f.stderr.matchAll(/Stream #0:(\d+)(?:\[[^\]]*\])?(?:\((\w+)\))?: (Video|Audio|Subtitle|Data): (\w+)([^\n]*)/g)) {
    const rest = m[5];
    const size = /, (\d+)x(\d+)/.exec(rest);
    streams.push({
      index: Number(m[1]),
      type: m[3].toLowerCase(),
      codec: m[4],
      language: m[2] ?? 'und',
      isDefault: /\(default\)/.test(rest),
      attachedPic: /attached pic/.test(rest),
      fieldOrder: /top first/.test(rest) ? 'tt' : /bottom first/.test(rest) ? 'bb' : 'progressive',
      colorSpace: /bt709/.test(rest) ? 'bt709' : /smpte170m|bt470bg/.test(rest) ? 'smpte170m' : 'unknown',
      rotation: 0,
      width: Number(size?.[1] ?? 0),
      height: Number(size?.[2] ?? 0),
    });
  }
  return { streams, via: `ffmpeg -i (ffprobe exit ${p.code})` };
}

/** Presentation timestamps (and durations) of every decoded frame of one video stream. */
export function frameTimes(path: string, streamIndex: number): { pts: number[]; lastDuration: number | null; via: string } {
  const p = sh(FFPROBE, ['-v', 'error', '-select_streams', String(streamIndex), '-show_entries', 'frame=pts_time,best_effort_timestamp_time,duration_time,pkt_duration_time', '-of', 'json', path]);
  if (p.code === 0) {
    const frames = (JSON.parse(p.stdout) as { frames?: Record<string, string>[] }).frames ?? [];
    const rows = frames
      .map((f) => ({ t: Number(f.pts_time ?? f.best_effort_timestamp_time), d: Number(f.duration_time ?? f.pkt_duration_time) }))
      .filter((f) => Number.isFinite(f.t))
      .sort((a, b) => a.t - b.t);
    const last = rows.at(-1);
    return { pts: rows.map((r) => r.t), lastDuration: last && Number.isFinite(last.d) && last.d > 0 ? last.d : null, via: 'ffprobe' };
  }
  // ffmpeg's showinfo: decoded frames with their timestamps as the demuxer gave them (-copyts).
  const f = sh(FFMPEG, ['-hide_banner', '-nostats', '-copyts', '-i', path, '-map', `0:${streamIndex}`, '-vf', 'showinfo', '-f', 'null', '-']);
  const pts = [...f.stderr.matchAll(/n:\s*\d+ pts:\s*-?\d+ pts_time:(-?[\d.]+)/g)].map((m) => Number(m[1])).sort((a, b) => a - b);
  return { pts, lastDuration: null, via: `ffmpeg showinfo (ffprobe exit ${p.code})` };
}

export function parseRate(r: string): number {
  const [n, d] = r.split('/').map(Number);
  return d ? n / d : n;
}

/**
 * Frames the conformed source has: the span from the first timestamp to the end of the last
 * frame, at the nominal rate R. Frame i is the source frame shown at origin + i / R.
 */
export function expectedFrames(pts: number[], lastDuration: number | null, rate: number): number {
  const origin = pts[0];
  const end = pts[pts.length - 1] + (lastDuration ?? 1 / rate);
  return Math.max(1, Math.round((end - origin) * rate));
}

// ---- manifests -------------------------------------------------------------------------------------

const attrs = (s: string): Record<string, string> => Object.fromEntries([...s.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)].map((m) => [m[1], m[2].replace(/^"|"$/g, '')]));

function parseMaster(text: string) {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const variants: { uri: string; a: Record<string, string> }[] = [];
  const media: Record<string, string>[] = [];
  lines.forEach((l, i) => {
    if (l.startsWith('#EXT-X-STREAM-INF:')) variants.push({ uri: lines[i + 1], a: attrs(l.slice(18)) });
    if (l.startsWith('#EXT-X-MEDIA:')) media.push(attrs(l.slice(13)));
  });
  return { variants, media };
}

function playlistSegments(path: string): { init: string | null; segments: string[]; seconds: number } {
  const text = readFileSync(path, 'utf8');
  const init = /#EXT-X-MAP:URI="([^"]+)"/.exec(text)?.[1] ?? null;
  let seconds = 0;
  for (const m of text.matchAll(/#EXTINF:([\d.]+)/g)) seconds += Number(m[1]);
  const segments = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  return { init, segments, seconds };
}

function streamOf(path: string, select: string): Record<string, unknown> | null {
  const r = sh(FFPROBE, ['-v', 'error', '-allowed_extensions', 'ALL', '-select_streams', select, '-show_streams', '-of', 'json', path]);
  if (r.code !== 0) return null;
  return ((JSON.parse(r.stdout) as { streams?: Record<string, unknown>[] }).streams ?? [])[0] ?? null;
}

/** idet over a rendition: single-frame detection counts. */
function idet(path: string): { tff: number; bff: number; progressive: number; frames: number } | null {
  const r = sh(FFMPEG, ['-hide_banner', '-nostats', ...input(path), '-map', '0:v:0', '-vf', 'idet', '-f', 'null', '-']);
  const m = /Single frame detection: TFF:\s*(\d+) BFF:\s*(\d+) Progressive:\s*(\d+) Undetermined:\s*(\d+)/.exec(r.stderr);
  return m ? { tff: Number(m[1]), bff: Number(m[2]), progressive: Number(m[3]), frames: Number(m[1]) + Number(m[2]) + Number(m[3]) + Number(m[4]) } : null;
}

/** First timestamp of a stream as demuxed (-copyts: the file's own timeline). */
function firstPts(path: string, map: string, audio: boolean): number | null {
  const r = sh(FFMPEG, ['-hide_banner', '-nostats', '-copyts', ...input(path), '-map', map, audio ? '-af' : '-vf', audio ? 'ashowinfo' : 'showinfo', audio ? '-frames:a' : '-frames:v', '1', '-f', 'null', '-']);
  const m = /pts_time:(-?[\d.]+)/.exec(r.stderr);
  return m ? Number(m[1]) : null;
}

/** Where sound starts after a silence (the corpus's beeps), on the file's own timeline. */
function soundOnsets(path: string, map: string): number[] {
  const r = sh(FFMPEG, ['-hide_banner', '-nostats', '-copyts', ...input(path), '-map', map, '-af', 'silencedetect=n=-35dB:d=0.03', '-f', 'null', '-']);
  return [...r.stderr.matchAll(/silence_end: (-?[\d.]+)/g)].map((m) => Number(m[1]));
}

/**
 * The top rung's first frame against the source's first frame as ffmpeg shows it (rotation applied,
 * converted to limited-range BT.709 4:2:0 at the rung's size from its tagged matrix, untagged
 * HD as BT.709 and SD as BT.601), through `extra` filters (e.g. a
 * deliberate 180° turn). PSNR and the luma levels (10th, 50th and 90th percentile-ish averages).
 */
function firstFrameMatch(rung: string, source: string, w: number, h: number, matrix: string, extra = ''): { psnr: number; levels: number[]; refLevels: number[] } | null {
  const ref = `setpts=PTS-STARTPTS,scale=${w}:${h}:in_color_matrix=${matrix}:out_color_matrix=bt709:out_range=tv,format=yuv420p${extra ? `,${extra}` : ''}`;
  const levels = (path: string, chain: string) => {
    const r = sh(FFMPEG, ['-hide_banner', '-nostats', ...input(path), '-map', '0:v:0', '-vf', `${chain},signalstats,metadata=print:file=-`, '-frames:v', '1', '-f', 'null', '-']);
    const get = (k: string) => Number(new RegExp(`lavfi\\.signalstats\\.${k}=([\\d.]+)`).exec(r.stdout)?.[1]);
    const v = ['YLOW', 'YAVG', 'YHIGH'].map(get);
    return v.every(Number.isFinite) ? v : null;
  };
  const r = sh(FFMPEG, ['-hide_banner', '-nostats', ...input(rung), ...input(source), '-filter_complex', `[1:v]${ref}[r];[0:v]setpts=PTS-STARTPTS,format=yuv420p[d];[d][r]psnr`, '-frames:v', '1', '-f', 'null', '-']);
  const psnr = /PSNR .*average:(inf|[\d.]+)/.exec(r.stderr);
  const mine = levels(rung, 'format=yuv420p');
  const theirs = levels(source, ref);
  if (!psnr || !mine || !theirs) return null;
  return { psnr: psnr[1] === 'inf' ? 100 : Number(psnr[1]), levels: mine, refLevels: theirs };
}

// HLS may carry ISO 639-1 where the source has 639-2.
const LANG2: Record<string, string> = { eng: 'en', fra: 'fr', fre: 'fr', deu: 'de', ger: 'de', spa: 'es', ita: 'it', jpn: 'ja', und: 'und' };
const sameLanguage = (a: string | undefined, b: string) => !!a && (a === b || LANG2[b] === a || LANG2[a] === LANG2[b] || LANG2[a] === b);

// ---- the checks ----------------------------------------------------------------------------------

export interface LadderVerdict {
  problems: string[];
  summary: string;
}

/** A succeeded `mosaic encode --json`: its published ladder against the source. */
export function verifyLadder(o: { stdout: string; out: string; source: string; checks: LadderChecks }): LadderVerdict {
  const problems: string[] = [];
  const fail = (s: string) => problems.push(oneLine(s));
  const line = o.stdout.trim().split('\n').reverse().find((l) => l.includes('"type":"result"'));
  if (!line) return { problems: ['no {"type":"result"} line on stdout'], summary: '' };
  const result = JSON.parse(line) as { job: { id: string; status: string }; outDir: string };
  const jobDir = join(o.out, result.job.id);
  const reportPath = join(jobDir, 'report.json');
  if (!existsSync(reportPath)) return { problems: ['no report.json'], summary: '' };
  const report = JSON.parse(readFileSync(reportPath, 'utf8')) as JobReport;
  if (report.status !== 'SUCCEEDED') fail(`report.json status ${report.status}`);
  if (!report.outputs.hls || !report.outputs.dash || !report.source) return { problems: [...problems, 'report lacks hls/dash outputs or source'], summary: '' };
  for (const f of o.checks.absentAfter ?? []) if (existsSync(join(ROOT, f))) fail(`${f} exists after the run: the file name reached a shell`);

  // What the conformed source decodes to, measured here.
  const { streams, via } = sourceStreams(o.source);
  const sv = streams.find((s) => s.type === 'video' && !s.attachedPic);
  if (!sv) return { problems: [...problems, `source has no video stream by ${via}`], summary: '' };
  const rate = parseRate(report.source.video.fpsRational);
  const ft = frameTimes(o.source, sv.index);
  if (ft.pts.length === 0) return { problems: [...problems, `source decodes to no frames by ${ft.via}`], summary: '' };
  const N = expectedFrames(ft.pts, ft.lastDuration, rate);
  if (ft.pts.length > 2) {
    const gaps = ft.pts.slice(1).map((t, i) => t - ft.pts[i]).filter((g) => g > 0).sort((a, b) => a - b);
    const median = gaps[Math.floor(gaps.length / 2)];
    if (median && Math.abs(median * rate - 1) > 0.05) fail(`nominal rate ${report.source.video.fpsRational} but the median frame interval is ${median.toFixed(4)} s (${(1 / median).toFixed(2)} fps)`);
  }
  const videoSec = N / rate;
  const rotated = Math.abs(sv.rotation) % 180 === 90;
  const uprightPortrait = rotated ? sv.width > sv.height : sv.height > sv.width;
  const interlaced = ['tt', 'bb', 'tb', 'bt'].includes(sv.fieldOrder);

  const hlsDir = dirname(join(jobDir, report.outputs.hls));
  const master = parseMaster(readFileSync(join(jobDir, report.outputs.hls), 'utf8'));
  const mpd = readFileSync(join(jobDir, report.outputs.dash), 'utf8');
  const reps = [...mpd.matchAll(/<Representation ([^>]*)>/g)].map((m) => attrs(m[1].replace(/(\w+)="/g, (_, k: string) => `${k.toUpperCase()}="`)));
  const sets = [...mpd.matchAll(/<AdaptationSet ([^>]*)>/g)].map((m) => m[1]);

  if (master.variants.length === 0) fail('master.m3u8 lists no variant');
  if (master.variants.length !== report.rungs.length) fail(`master.m3u8 lists ${master.variants.length} variants, the report ${report.rungs.length} rungs`);
  let top: { path: string; pixels: number; size: [number, number] } | null = null;
  for (const v of master.variants) {
    const rung = v.uri.split('/')[0];
    const playlist = join(hlsDir, v.uri);
    const [w, h] = (v.a.RESOLUTION ?? '0x0').split('x').map(Number);
    if (!reps.some((r) => r.ID === rung && Number(r.WIDTH) === w && Number(r.HEIGHT) === h)) fail(`${rung} ${v.a.RESOLUTION} missing from manifest.mpd`);
    if (!existsSync(playlist)) {
      fail(`${v.uri} missing`);
      continue;
    }
    const d = decode(playlist);
    if (d.code !== 0 || d.errors) fail(`${rung} does not decode cleanly: ${d.errors.split('\n')[0]}`);
    if (d.frames !== N) fail(`${rung} has ${d.frames} frames, the conformed source ${N} (${ft.pts.length} decoded source frames at ${report.source.video.fpsRational} fps)`);
    const s = streamOf(playlist, 'v:0');
    if (!s) {
      fail(`${rung}: ffprobe cannot read it`);
      continue;
    }
    const colour = ['color_primaries', 'color_transfer', 'color_space'].map((k) => `${s[k] ?? 'unknown'}`);
    if (colour.some((c) => c !== 'bt709') || s.color_range !== 'tv' || s.pix_fmt !== 'yuv420p')
      fail(`${rung} is ${s.pix_fmt} ${s.color_range ?? 'unknown'}-range ${colour.join('/')}, not yuv420p tv bt709/bt709/bt709`);
    if (Number(s.width) !== w || Number(s.height) !== h) fail(`${rung}: RESOLUTION=${v.a.RESOLUTION} but the stream is ${s.width}x${s.height}`);
    const rot = ((s.side_data_list ?? []) as { rotation?: number }[]).find((x) => x.rotation)?.rotation ?? (s.tags as Record<string, string> | undefined)?.rotate;
    if (rot && Number(rot) !== 0) fail(`${rung} carries a rotation of ${rot}`);
    if (w !== h && h > w !== uprightPortrait) fail(`${rung} is ${w}x${h}: not upright (source ${sv.width}x${sv.height} rotated ${sv.rotation})`);
    if (!top || w * h > top.pixels) top = { path: playlist, pixels: w * h, size: [w, h] };
  }
  // Picture: the right way up, the right levels (full range converted, not just re-tagged).
  const hdr = /smpte2084|arib-std-b67/.test(JSON.stringify(report.source.video.color ?? {})) || !!report.source.video.color?.hdr;
  if (top && !hdr && !interlaced) {
    const [w, h] = top.size;
    const matrix = { bt709: 'bt709', smpte170m: 'bt601', bt470bg: 'bt601', bt2020nc: 'bt2020', bt2020c: 'bt2020' }[sv.colorSpace] ?? (Math.min(sv.width, sv.height) >= 720 || Math.max(sv.width, sv.height) >= 1280 ? 'bt709' : 'bt601');
    const m = firstFrameMatch(top.path, o.source, w, h, matrix);
    if (!m) fail('first frame of the top rung cannot be compared with the source');
    else {
      if (m.psnr < 20) fail(`top rung's first frame is not the source's (PSNR ${m.psnr.toFixed(1)} dB)`);
      const drift = Math.max(...m.levels.map((v, i) => Math.abs(v - m.refLevels[i])));
      if (drift > 6) fail(`top rung's luma levels (low/mean/high) ${m.levels.map((v) => v.toFixed(0)).join('/')} differ from the source's as limited-range BT.709 (from ${matrix}) ${m.refLevels.map((v) => v.toFixed(0)).join('/')}`);
      if (rotated) {
        const turned = firstFrameMatch(top.path, o.source, w, h, matrix, 'hflip,vflip');
        if (turned && turned.psnr >= m.psnr) fail(`top rung is turned the wrong way (PSNR ${m.psnr.toFixed(1)} dB upright vs ${turned.psnr.toFixed(1)} dB turned 180°)`);
      }
    }
  }
  if (interlaced && top) {
    const i = idet(top.path);
    if (!i) fail('idet gave no counts on the top rung');
    // Combed frames read as TFF/BFF (nearly all of them when nothing deinterlaced); soft ones as undetermined.
    else if (i.tff + i.bff > Math.max(2, 0.1 * i.frames)) fail(`combing on the top rung: idet TFF ${i.tff} BFF ${i.bff} progressive ${i.progressive} of ${i.frames} frames`);
  }

  // Audio: one rendition per source audio track, default first, each lined up with the video.
  const srcAudio = streams.filter((s) => s.type === 'audio');
  const audio = master.media.filter((m) => m.TYPE === 'AUDIO');
  if (audio.length !== srcAudio.length) fail(`${audio.length} audio renditions in master.m3u8 for ${srcAudio.length} source audio tracks`);
  const audioSets = sets.filter((s) => /contentType="audio"|mimeType="audio/.test(s)).length;
  if (audioSets !== srcAudio.length) fail(`${audioSets} audio adaptation sets in manifest.mpd for ${srcAudio.length} source audio tracks`);
  if (srcAudio.length > 1) {
    const def = srcAudio.find((s) => s.isDefault) ?? srcAudio[0];
    if (!sameLanguage(audio[0]?.LANGUAGE, def.language) || audio[0]?.DEFAULT !== 'YES') fail(`first audio rendition is ${audio[0]?.LANGUAGE ?? 'none'} DEFAULT=${audio[0]?.DEFAULT}, the source's default track is ${def.language}`);
    for (const s of srcAudio) if (!audio.some((a) => sameLanguage(a.LANGUAGE, s.language))) fail(`no audio rendition with language ${s.language}`);
  }
  // Sync: each beep of the source's default track, measured from the first video frame, plays at the
  // same moment in the first audio rendition, measured from the top rung's first frame.
  const defIdx = Math.max(0, srcAudio.findIndex((s) => s.isDefault));
  let syncChecked = 0;
  if (o.checks.sync !== false && srcAudio.length && audio[0]?.URI && top && existsSync(join(hlsDir, audio[0].URI))) {
    const srcOrigin = firstPts(o.source, `0:${sv.index}`, false);
    const rungStart = firstPts(top.path, '0:v:0', false);
    const expected = srcOrigin === null ? [] : soundOnsets(o.source, `0:a:${defIdx}`).map((t) => t - srcOrigin).filter((t) => t > 0.05 && t < videoSec - 0.15);
    if (expected.length && rungStart !== null) {
      const rendition = join(hlsDir, audio[0].URI);
      const measured = soundOnsets(rendition, '0:a:0').map((t) => t - rungStart);
      const tol = 1 / rate + 0.003;
      for (const e of expected) {
        syncChecked++;
        const m = measured.reduce<number | null>((best, t) => (best === null || Math.abs(t - e) < Math.abs(best - e) ? t : best), null);
        if (m === null || Math.abs(m - e) > tol) {
          fail(`audio ${audio[0].NAME} out of sync: the source's sound onset at ${e.toFixed(3)} s (from the first video frame) plays at ${m === null ? 'no time' : `${m.toFixed(3)} s`} (tolerance ${tol.toFixed(3)} s)`);
          break;
        }
      }
    }
  }
  for (const a of audio) {
    const p = join(hlsDir, a.URI ?? '');
    if (!a.URI || !existsSync(p)) {
      fail(`audio rendition ${a.NAME} has no playlist`);
      continue;
    }
    const d = decode(p, 'a');
    if (d.code !== 0 || d.errors) fail(`audio ${a.NAME} does not decode cleanly: ${d.errors.split('\n')[0]}`);
    const s = streamOf(p, 'a:0');
    const ch = Number(s?.channels ?? 0);
    if (o.checks.audioChannels ? ch !== o.checks.audioChannels : ch < 1 || ch > 2) fail(`audio ${a.NAME} has ${ch} channels`);
    const rateA = Number(s?.sample_rate ?? 48000);
    // One video frame; an AAC rendition ends on a whole 1024-sample frame, so never tighter than that.
    const tol = Math.max(1 / rate, 1024 / rateA) + 1e-3;
    if (Math.abs(d.durationSec - videoSec) > tol) fail(`audio ${a.NAME} lasts ${d.durationSec.toFixed(3)} s, the video ${videoSec.toFixed(3)} s (tolerance ${tol.toFixed(3)} s)`);
  }

  // Text subtitles become WebVTT renditions.
  const srcSubs = streams.filter((s) => s.type === 'subtitle' && TEXT_SUBS.has(s.codec));
  const subs = master.media.filter((m) => m.TYPE === 'SUBTITLES');
  if (subs.length !== srcSubs.length) fail(`${subs.length} subtitle renditions in master.m3u8 for ${srcSubs.length} source text subtitle tracks`);
  const textSets = sets.filter((s) => /contentType="text"|mimeType="text\/vtt"/.test(s)).length;
  if (textSets !== srcSubs.length) fail(`${textSets} text adaptation sets in manifest.mpd for ${srcSubs.length} source text subtitle tracks`);
  for (const t of subs) {
    const p = join(hlsDir, t.URI ?? '');
    if (!t.URI || !existsSync(p)) {
      fail(`subtitle rendition ${t.NAME} has no playlist`);
      continue;
    }
    const segs = playlistSegments(p).segments.map((s) => join(dirname(p), s));
    const texts = segs.map((s) => (existsSync(s) ? readFileSync(s, 'utf8') : ''));
    if (segs.length === 0 || texts.some((x) => !x.startsWith('WEBVTT') && !x.startsWith('\ufeffWEBVTT'))) fail(`subtitle ${t.NAME}: segments are not WebVTT`);
    if (o.checks.subtitleText && !texts.some((x) => x.includes(o.checks.subtitleText!))) fail(`subtitle ${t.NAME} lacks the cue "${o.checks.subtitleText}"`);
  }

  if (o.checks.notes && !report.source.notes?.some((n) => o.checks.notes!.test(n))) fail(`report.source.notes ${JSON.stringify(report.source.notes ?? [])} do not match ${o.checks.notes}`);

  const rungs = master.variants.map((v) => v.a.RESOLUTION).join(',');
  return { problems, summary: `${rungs}; ${N} frames @ ${report.source.video.fpsRational}; ${audio.length} audio${syncChecked ? ` (${syncChecked} onsets in sync)` : ''}, ${subs.length} subs` };
}

/** Directories named hls/dash anywhere under `out` (outside the engine's private state). */
function published(out: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      if (e === '.mosaic') continue;
      const p = join(d, e);
      if (!statSync(p).isDirectory()) continue;
      if (e === 'hls' || e === 'dash') found.push(p.slice(out.length + 1));
      else walk(p);
    }
  };
  if (existsSync(out)) walk(out);
  return found;
}

/** A refused `mosaic encode`: non-zero, one line of reason, no stack, no internals, nothing published. */
export function verifyRefused(o: { code: number | null; stderr: string; out: string; says?: RegExp }): string[] {
  const problems: string[] = [];
  const lines = o.stderr.split('\n').filter((l) => l.trim() !== '');
  if (o.code === 0) problems.push('exit code 0');
  if (lines.some((l) => /^\s+at /.test(l))) problems.push(`stack trace on stderr: ${oneLine(lines[0] ?? '')}`);
  else if (lines.length !== 1) problems.push(`${lines.length} lines on stderr, not one: ${oneLine(lines.slice(0, 2).join(' | '))}`);
  const reason = lines[0] ?? '';
  if (/Cannot read propert|is not a function|TypeError|ReferenceError|SIGSEGV|SIGKILL|ENOENT|EISDIR|EACCES|ELOOP/.test(reason)) problems.push(`internal error as the reason: ${oneLine(reason)}`);
  if (/\.mosaic\/|\/scratch\//.test(reason)) problems.push(`reason shows a server path: ${oneLine(reason)}`);
  if (o.says && !o.says.test(reason)) problems.push(`reason does not match ${o.says}: ${oneLine(reason)}`);
  const pub = published(o.out);
  if (pub.length) problems.push(`published despite the refusal: ${pub.join(', ')}`);
  return problems;
}
