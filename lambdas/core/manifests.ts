/**
 * HLS master playlists and DASH MPDs written from the same CMAF segments, plus the small
 * parsers both need. Pure string work: the package function feeds it measured facts.
 *
 * Length: ≈415 lines: the HLS and DASH writers with the parsers and codec-string readers they
 * need; each format's writer and parser stay together so that they agree.
 */

export interface MediaPlaylist {
  initUri: string | null;
  segments: { uri: string; durationSec: number }[];
  targetDuration: number;
}

export function parseMediaPlaylist(text: string): MediaPlaylist {
  if (!text.startsWith('#EXTM3U')) throw new Error('not an HLS playlist (no #EXTM3U header)');
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const segments: MediaPlaylist['segments'] = [];
  let initUri: string | null = null;
  let targetDuration = 0;
  let pending: number | null = null;
  for (const line of lines) {
    if (line.startsWith('#EXT-X-MAP:')) initUri = /URI="([^"]+)"/.exec(line)?.[1] ?? null;
    else if (line.startsWith('#EXT-X-TARGETDURATION:')) targetDuration = Number(line.split(':')[1]);
    else if (line.startsWith('#EXTINF:')) pending = Number.parseFloat(line.slice(8));
    else if (line && !line.startsWith('#') && pending !== null) {
      segments.push({ uri: line, durationSec: pending });
      pending = null;
    }
  }
  return { initUri, segments, targetDuration };
}

/**
 * The media playlist with its last segment's EXTINF set to `durationSec`. ffmpeg's HLS muxer
 * times the last segment by its last packet's start when packets carry no duration (VP9 read
 * from MP4), one frame short of the media; the package function puts the frame back.
 */
export function withLastSegmentDuration(text: string, durationSec: number): string {
  const lines = text.split('\n');
  const last = lines.findLastIndex((l) => l.startsWith('#EXTINF:'));
  if (last < 0) return text;
  lines[last] = `#EXTINF:${durationSec.toFixed(6)},${lines[last].slice(lines[last].indexOf(',') + 1)}`;
  return lines.join('\n');
}

export interface MasterVariant {
  uri: string;
  bandwidth: number;
  averageBandwidth: number;
  width?: number;
  height?: number;
  codecs: string;
  frameRate?: number;
}

export interface VariantAttributes {
  uri: string;
  attrs: Record<string, string>;
}

function parseAttributes(list: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of list.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) attrs[m[1]] = m[2].replace(/^"|"$/g, '');
  return attrs;
}

/** Parses the EXT-X-STREAM-INF entries of a master playlist. */
export function parseMasterPlaylist(text: string): VariantAttributes[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const out: VariantAttributes[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith('#EXT-X-STREAM-INF:')) continue;
    out.push({ uri: lines[i + 1], attrs: parseAttributes(lines[i].slice(18)) });
  }
  return out;
}

/** The attributes of every EXT-X-MEDIA entry (audio and subtitle renditions), in order. */
export function parseMasterMedia(text: string): Record<string, string>[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.startsWith('#EXT-X-MEDIA:'))
    .map((l) => parseAttributes(l.slice(13)));
}

/** One alternative rendition of a master playlist (an audio track or a subtitle track). */
export interface MediaRendition {
  uri: string;
  name: string;
  /** BCP 47. */
  language: string;
  default: boolean;
}
export interface AudioRendition extends MediaRendition {
  channels: number;
}

export const HLS_AUDIO_GROUP = 'audio';
export const HLS_SUBTITLE_GROUP = 'subs';

/** A value for an HLS quoted-string: no double quote, CR or LF may appear in one. */
function quoted(v: string): string {
  // eslint-disable-next-line no-control-regex
  return `"${v.replace(/["\x00-\x1f\x7f]/g, ' ')}"`;
}

function mediaTag(type: 'AUDIO' | 'SUBTITLES', group: string, r: MediaRendition, isDefault: boolean, extra: string[]): string {
  return `#EXT-X-MEDIA:${[
    `TYPE=${type}`,
    `GROUP-ID=${quoted(group)}`,
    `LANGUAGE=${quoted(r.language)}`,
    `NAME=${quoted(r.name)}`,
    `DEFAULT=${isDefault ? 'YES' : 'NO'}`,
    'AUTOSELECT=YES',
    ...extra,
    `URI=${quoted(r.uri)}`,
  ].join(',')}`;
}

/**
 * The master playlist: one audio group and one subtitle group (every video variant names both),
 * renditions in the order given (the default first). At most one rendition per group is
 * DEFAULT=YES: the first one marked default.
 */
export function hlsMasterPlaylist(p: { variants: MasterVariant[]; audio: AudioRendition[]; subtitles?: MediaRendition[] }): string {
  const out = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
  const subtitles = p.subtitles ?? [];
  const firstDefault = (list: MediaRendition[]) => list.findIndex((r) => r.default);
  const audioDefault = firstDefault(p.audio);
  p.audio.forEach((a, i) => out.push(mediaTag('AUDIO', HLS_AUDIO_GROUP, a, i === audioDefault, [`CHANNELS="${a.channels}"`])));
  const textDefault = firstDefault(subtitles);
  subtitles.forEach((t, i) => out.push(mediaTag('SUBTITLES', HLS_SUBTITLE_GROUP, t, i === textDefault, [])));
  for (const v of [...p.variants].sort((a, b) => b.bandwidth - a.bandwidth)) {
    const attrs = [
      `BANDWIDTH=${v.bandwidth}`,
      `AVERAGE-BANDWIDTH=${v.averageBandwidth}`,
      ...(v.width && v.height ? [`RESOLUTION=${v.width}x${v.height}`] : []),
      ...(v.frameRate ? [`FRAME-RATE=${v.frameRate.toFixed(3)}`] : []),
      `CODECS="${v.codecs}"`,
      ...(p.audio.length ? [`AUDIO="${HLS_AUDIO_GROUP}"`] : []),
      ...(subtitles.length ? [`SUBTITLES="${HLS_SUBTITLE_GROUP}"`] : []),
    ];
    out.push(`#EXT-X-STREAM-INF:${attrs.join(',')}`, v.uri);
  }
  return out.join('\n') + '\n';
}

/** A subtitle media playlist of one WebVTT file covering the whole presentation. */
export function hlsSubtitlePlaylist(p: { uri: string; durationSec: number }): string {
  return [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    `#EXT-X-TARGETDURATION:${Math.max(1, Math.ceil(p.durationSec))}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    `#EXTINF:${p.durationSec.toFixed(3)},`,
    p.uri,
    '#EXT-X-ENDLIST',
    '',
  ].join('\n');
}

export interface DashRepresentation {
  id: string;
  kind: 'video' | 'audio' | 'text';
  bandwidth: number;
  /** RFC 6381 (none for WebVTT). */
  codecs?: string;
  width?: number;
  height?: number;
  frameRate?: string;
  audioChannels?: number;
  sampleRate?: number;
  /** Audio and text: BCP 47 language, menu label, and whether this is the default track. */
  language?: string;
  label?: string;
  default?: boolean;
  /** Relative to the MPD, e.g. `../hls/r0/`; for text the WebVTT file itself. */
  baseUrl: string;
  /** Segmented media only (video, audio). */
  initUri?: string;
  segments: { uri: string; durationSec: number }[];
}

const TIMESCALE = 1000;
const ROLE_SCHEME = 'urn:mpeg:dash:role:2011';

const xml = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A static MPD (isoff-live profile): the video rungs in one AdaptationSet with explicit
 * SegmentLists over the HLS segments; one AdaptationSet per audio track (`lang`, Role main for
 * the default, alternate otherwise) and per text track (`text/vtt`, the file as BaseURL).
 */
export function dashManifest(p: { durationSec: number; minBufferSec: number; representations: DashRepresentation[] }): string {
  const iso = (s: number) => `PT${s.toFixed(3)}S`;
  const maxSeg = Math.max(...p.representations.flatMap((r) => r.segments.map((s) => s.durationSec)));
  const video = p.representations.filter((r) => r.kind === 'video');
  const sets: string[][] = [];
  // One video AdaptationSet per codec (avc1, hvc1, av01, vp09): a player switches within a set
  // only, and picks the set whose codec it decodes.
  const families = [...new Set(video.map((r) => codecFamily(r.codecs)))];
  for (const family of families) {
    const reps = video.filter((r) => codecFamily(r.codecs) === family);
    sets.push([
      `<AdaptationSet id="${sets.length}" contentType="video" mimeType="video/mp4" segmentAlignment="true" startWithSAP="1"${reps[0].frameRate ? ` frameRate="${reps[0].frameRate}"` : ''}>`,
      ...reps.flatMap(representation),
      '</AdaptationSet>',
    ]);
  }
  const labelled = (r: DashRepresentation, role: string) => [
    `  <Role schemeIdUri="${ROLE_SCHEME}" value="${role}"/>`,
    ...(r.label ? [`  <Label>${xml(r.label)}</Label>`] : []),
  ];
  for (const r of p.representations.filter((x) => x.kind === 'audio'))
    sets.push([
      `<AdaptationSet id="${sets.length}" contentType="audio" mimeType="audio/mp4" segmentAlignment="true" startWithSAP="1" lang="${xml(r.language ?? 'und')}">`,
      ...labelled(r, r.default ? 'main' : 'alternate'),
      ...representation(r),
      '</AdaptationSet>',
    ]);
  for (const r of p.representations.filter((x) => x.kind === 'text'))
    sets.push([
      `<AdaptationSet id="${sets.length}" contentType="text" mimeType="text/vtt" lang="${xml(r.language ?? 'und')}">`,
      ...labelled(r, 'subtitle'),
      `  <Representation id="${xml(r.id)}" bandwidth="${r.bandwidth}">`,
      `    <BaseURL>${xml(r.baseUrl)}</BaseURL>`,
      '  </Representation>',
      '</AdaptationSet>',
    ]);
  function representation(r: DashRepresentation): string[] {
    const dims = r.kind === 'video' ? ` width="${r.width}" height="${r.height}" sar="1:1"` : ` audioSamplingRate="${r.sampleRate}"`;
    let t = 0;
    const timeline = r.segments.map((s) => {
      // Cumulative rounding: the timeline never drifts from the media's real one.
      const start = Math.round(t * TIMESCALE);
      t += s.durationSec;
      return `        <S t="${start}" d="${Math.round(t * TIMESCALE) - start}"/>`;
    });
    return [
      `  <Representation id="${xml(r.id)}" bandwidth="${r.bandwidth}" codecs="${r.codecs}"${dims}>`,
      ...(r.kind === 'audio' ? [`    <AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" value="${r.audioChannels}"/>`] : []),
      `    <BaseURL>${xml(r.baseUrl)}</BaseURL>`,
      `    <SegmentList timescale="${TIMESCALE}">`,
      `      <Initialization sourceURL="${r.initUri}"/>`,
      '      <SegmentTimeline>',
      ...timeline,
      '      </SegmentTimeline>',
      ...r.segments.map((s) => `      <SegmentURL media="${s.uri}"/>`),
      '    </SegmentList>',
      '  </Representation>',
    ];
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011" type="static" mediaPresentationDuration="${iso(p.durationSec)}" minBufferTime="${iso(p.minBufferSec)}" maxSegmentDuration="${iso(maxSeg)}">`,
    `  <Period id="0" start="PT0S">`,
    ...sets.flat().map((l) => `    ${l}`),
    '  </Period>',
    '</MPD>',
    '',
  ].join('\n');
}

/** Minimal MPD reader for tests and the CLI: Representation ids, sizes, bandwidths. */
export function parseDashRepresentations(mpd: string): { id: string; width?: number; height?: number; bandwidth: number; segments: number }[] {
  const reps: { id: string; width?: number; height?: number; bandwidth: number; segments: number }[] = [];
  for (const m of mpd.matchAll(/<Representation ([^>]*)>([\s\S]*?)<\/Representation>/g)) {
    const attr = (n: string) => new RegExp(`\\b${n}="([^"]*)"`).exec(m[1])?.[1];
    reps.push({
      id: attr('id') ?? '',
      width: attr('width') ? Number(attr('width')) : undefined,
      height: attr('height') ? Number(attr('height')) : undefined,
      bandwidth: Number(attr('bandwidth')),
      segments: (m[2].match(/<SegmentURL /g) ?? []).length,
    });
  }
  return reps;
}

export interface DashAdaptationSet {
  contentType: string;
  mimeType: string;
  lang: string | null;
  role: string | null;
  label: string | null;
  representations: { id: string; baseUrl: string | null }[];
}

/** Minimal MPD reader for tests: every AdaptationSet with its language, role, label and Representations. */
export function parseDashAdaptationSets(mpd: string): DashAdaptationSet[] {
  const unxml = (v: string) => v.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return [...mpd.matchAll(/<AdaptationSet ([^>]*)>([\s\S]*?)<\/AdaptationSet>/g)].map((m) => {
    const attr = (n: string, from = m[1]) => new RegExp(`\\b${n}="([^"]*)"`).exec(from)?.[1] ?? null;
    return {
      contentType: attr('contentType') ?? '',
      mimeType: attr('mimeType') ?? '',
      lang: attr('lang'),
      role: /<Role [^>]*value="([^"]*)"/.exec(m[2])?.[1] ?? null,
      label: ((l) => (l ? unxml(l) : null))(/<Label>([^<]*)<\/Label>/.exec(m[2])?.[1]),
      representations: [...m[2].matchAll(/<Representation ([^>]*)>([\s\S]*?)<\/Representation>/g)].map((r) => ({
        id: attr('id', r[1]) ?? '',
        baseUrl: ((b) => (b ? unxml(b) : null))(/<BaseURL>([^<]*)<\/BaseURL>/.exec(r[2])?.[1]),
      })),
    };
  });
}

/** The sample-entry part of a codec string (`avc1`, `hvc1`, `av01`, `vp09`); hev1 counts as hvc1. */
export function codecFamily(codecs: string | undefined): string {
  const f = (codecs ?? '').split('.')[0];
  return f === 'hev1' ? 'hvc1' : f === 'avc3' ? 'avc1' : f;
}

/** RFC 6381 codec string from an MP4's avcC box: avc1.PPCCLL. */
export function avcCodecString(mp4: Uint8Array): string | null {
  const needle = [0x61, 0x76, 0x63, 0x43]; // 'avcC'
  for (let i = 0; i + 8 < mp4.length; i++) {
    if (mp4[i] === needle[0] && mp4[i + 1] === needle[1] && mp4[i + 2] === needle[2] && mp4[i + 3] === needle[3]) {
      const hex = (b: number) => b.toString(16).padStart(2, '0');
      // avcC payload: configurationVersion, profile, compatibility, level
      return `avc1.${hex(mp4[i + 5])}${hex(mp4[i + 6])}${hex(mp4[i + 7])}`;
    }
  }
  return null;
}

/**
 * The payload of the first box of type `fourcc` in an MP4 (an init segment's sample entry holds
 * one codec configuration box): the bytes after its 8-byte header, or null. The box's size field
 * must be sane (≥ 8 + `minPayload`, within the file), so a chance match in other data is skipped.
 */
function boxPayload(mp4: Uint8Array, fourcc: string, minPayload: number): Uint8Array | null {
  const c = [...fourcc].map((ch) => ch.charCodeAt(0));
  for (let i = 4; i + 4 + minPayload <= mp4.length; i++) {
    if (mp4[i] !== c[0] || mp4[i + 1] !== c[1] || mp4[i + 2] !== c[2] || mp4[i + 3] !== c[3]) continue;
    const size = ((mp4[i - 4] << 24) | (mp4[i - 3] << 16) | (mp4[i - 2] << 8) | mp4[i - 1]) >>> 0;
    if (size < 8 + minPayload || i - 4 + size > mp4.length) continue;
    return mp4.subarray(i + 4, i - 4 + size);
  }
  return null;
}

const hex2 = (b: number) => b.toString(16).padStart(2, '0');
const dec2 = (n: number) => String(n).padStart(2, '0');

/**
 * RFC 6381 / ISO/IEC 14496-15 Annex E codec string from an MP4's hvcC box:
 * `hvc1.<profile space A|B|C><profile idc>.<compatibility flags, bit-reversed, hex>.<L|H><level idc>.<constraint bytes>`
 * (trailing zero constraint bytes left out), e.g. `hvc1.1.6.L93.B0`. `hev1` when the sample entry is.
 */
export function hevcCodecString(mp4: Uint8Array): string | null {
  const c = boxPayload(mp4, 'hvcC', 13);
  if (!c) return null;
  const space = c[1] >> 6;
  const tier = (c[1] >> 5) & 1;
  const profile = c[1] & 0x1f;
  const compat = ((c[2] << 24) | (c[3] << 16) | (c[4] << 8) | c[5]) >>> 0;
  let reversed = 0;
  for (let b = 0; b < 32; b++) if (compat & (1 << b)) reversed |= 1 << (31 - b);
  const constraints = [...c.subarray(6, 12)];
  while (constraints.length && constraints[constraints.length - 1] === 0) constraints.pop();
  const entry = boxPayload(mp4, 'hev1', 0) && !boxPayload(mp4, 'hvc1', 0) ? 'hev1' : 'hvc1';
  return [
    entry,
    `${['', 'A', 'B', 'C'][space]}${profile}`,
    (reversed >>> 0).toString(16).toUpperCase(),
    `${tier ? 'H' : 'L'}${c[12]}`,
    ...constraints.map((b) => hex2(b).toUpperCase()),
  ].join('.');
}

/**
 * AV1 codec string (AV1 Codec ISO Media File Format Binding, "Codecs Parameter String") from an
 * MP4's av1C box: `av01.<profile>.<level, 2 digits><M|H tier>.<bit depth, 2 digits>`, e.g. `av01.0.04M.08`.
 */
export function av1CodecString(mp4: Uint8Array): string | null {
  const c = boxPayload(mp4, 'av1C', 4);
  if (!c || c[0] !== 0x81) return null; // marker 1, version 1
  const profile = c[1] >> 5;
  const level = c[1] & 0x1f;
  const tier = c[2] >> 7;
  const highBitdepth = (c[2] >> 6) & 1;
  const twelveBit = (c[2] >> 5) & 1;
  const bitDepth = highBitdepth ? (profile === 2 && twelveBit ? 12 : 10) : 8;
  return `av01.${profile}.${dec2(level)}${tier ? 'H' : 'M'}.${dec2(bitDepth)}`;
}

/**
 * VP9 codec string (VP Codec ISO Media File Format Binding) from an MP4's vpcC box (version 1):
 * `vp09.<profile>.<level>.<bit depth>`, two digits each, e.g. `vp09.00.10.08`.
 */
export function vp9CodecString(mp4: Uint8Array): string | null {
  const c = boxPayload(mp4, 'vpcC', 8);
  if (!c || c[0] !== 1) return null; // FullBox version 1
  return `vp09.${dec2(c[4])}.${dec2(c[5])}.${dec2(c[6] >> 4)}`;
}

/** The codec string of an init segment's video, whichever codec it is (H.264, HEVC, AV1, VP9), or null. */
export function videoCodecString(mp4: Uint8Array): string | null {
  return avcCodecString(mp4) ?? hevcCodecString(mp4) ?? av1CodecString(mp4) ?? vp9CodecString(mp4);
}

/** Peak and average bitrate over segments, in bits per second. */
export function segmentBandwidth(segments: { durationSec: number; bytes: number }[]): { peak: number; average: number } {
  let peak = 0;
  let bytes = 0;
  let dur = 0;
  for (const s of segments) {
    if (s.durationSec > 0) peak = Math.max(peak, (s.bytes * 8) / s.durationSec);
    bytes += s.bytes;
    dur += s.durationSec;
  }
  return { peak: Math.ceil(peak), average: Math.ceil(dur > 0 ? (bytes * 8) / dur : 0) };
}
