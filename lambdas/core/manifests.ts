/**
 * HLS master playlists and DASH MPDs written from the same CMAF segments, plus the small
 * parsers both need. Pure string work: the package function feeds it measured facts.
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

export interface MasterVariant {
  uri: string;
  bandwidth: number;
  averageBandwidth: number;
  width?: number;
  height?: number;
  codecs: string;
  frameRate?: number;
  audioGroup?: string;
}

export interface VariantAttributes {
  uri: string;
  attrs: Record<string, string>;
}

/** Parses the EXT-X-STREAM-INF entries of a master playlist. */
export function parseMasterPlaylist(text: string): VariantAttributes[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const out: VariantAttributes[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith('#EXT-X-STREAM-INF:')) continue;
    const attrs: Record<string, string> = {};
    for (const m of lines[i].slice(18).matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) attrs[m[1]] = m[2].replace(/^"|"$/g, '');
    out.push({ uri: lines[i + 1], attrs });
  }
  return out;
}

export function hlsMasterPlaylist(p: {
  variants: MasterVariant[];
  audio: { uri: string; name: string; channels: number } | null;
}): string {
  const out = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
  if (p.audio) {
    out.push(
      `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="${p.audio.name}",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="${p.audio.channels}",URI="${p.audio.uri}"`,
    );
  }
  for (const v of [...p.variants].sort((a, b) => b.bandwidth - a.bandwidth)) {
    const attrs = [
      `BANDWIDTH=${v.bandwidth}`,
      `AVERAGE-BANDWIDTH=${v.averageBandwidth}`,
      ...(v.width && v.height ? [`RESOLUTION=${v.width}x${v.height}`] : []),
      ...(v.frameRate ? [`FRAME-RATE=${v.frameRate.toFixed(3)}`] : []),
      `CODECS="${v.codecs}"`,
      ...(v.audioGroup ? [`AUDIO="${v.audioGroup}"`] : []),
    ];
    out.push(`#EXT-X-STREAM-INF:${attrs.join(',')}`, v.uri);
  }
  return out.join('\n') + '\n';
}

export interface DashRepresentation {
  id: string;
  kind: 'video' | 'audio';
  bandwidth: number;
  codecs: string;
  width?: number;
  height?: number;
  frameRate?: string;
  audioChannels?: number;
  sampleRate?: number;
  /** Relative to the MPD, e.g. `../hls/r0/`. */
  baseUrl: string;
  initUri: string;
  segments: { uri: string; durationSec: number }[];
}

const TIMESCALE = 1000;

/** A static MPD (isoff-live profile) with explicit SegmentLists pointing at the HLS segments. */
export function dashManifest(p: { durationSec: number; minBufferSec: number; representations: DashRepresentation[] }): string {
  const iso = (s: number) => `PT${s.toFixed(3)}S`;
  const maxSeg = Math.max(...p.representations.flatMap((r) => r.segments.map((s) => s.durationSec)));
  const set = (kind: 'video' | 'audio', id: number) => {
    const reps = p.representations.filter((r) => r.kind === kind);
    if (!reps.length) return [];
    const head =
      kind === 'video'
        ? `  <AdaptationSet id="${id}" contentType="video" mimeType="video/mp4" segmentAlignment="true" startWithSAP="1"${reps[0].frameRate ? ` frameRate="${reps[0].frameRate}"` : ''}>`
        : `  <AdaptationSet id="${id}" contentType="audio" mimeType="audio/mp4" segmentAlignment="true" startWithSAP="1" lang="und">`;
    return [head, ...reps.flatMap(representation), '  </AdaptationSet>'];
  };
  const representation = (r: DashRepresentation) => {
    const dims = r.kind === 'video' ? ` width="${r.width}" height="${r.height}" sar="1:1"` : ` audioSamplingRate="${r.sampleRate}"`;
    let t = 0;
    const timeline = r.segments.map((s) => {
      // Cumulative rounding: the timeline never drifts from the media's real one.
      const start = Math.round(t * TIMESCALE);
      t += s.durationSec;
      return `          <S t="${start}" d="${Math.round(t * TIMESCALE) - start}"/>`;
    });
    return [
      `    <Representation id="${r.id}" bandwidth="${r.bandwidth}" codecs="${r.codecs}"${dims}>`,
      ...(r.kind === 'audio' ? [`      <AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" value="${r.audioChannels}"/>`] : []),
      `      <BaseURL>${r.baseUrl}</BaseURL>`,
      `      <SegmentList timescale="${TIMESCALE}">`,
      `        <Initialization sourceURL="${r.initUri}"/>`,
      '        <SegmentTimeline>',
      ...timeline,
      '        </SegmentTimeline>',
      ...r.segments.map((s) => `        <SegmentURL media="${s.uri}"/>`),
      '      </SegmentList>',
      '    </Representation>',
    ];
  };
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011" type="static" mediaPresentationDuration="${iso(p.durationSec)}" minBufferTime="${iso(p.minBufferSec)}" maxSegmentDuration="${iso(maxSeg)}">`,
    `  <Period id="0" start="PT0S">`,
    ...set('video', 0).map((l) => `  ${l}`),
    ...set('audio', 1).map((l) => `  ${l}`),
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
