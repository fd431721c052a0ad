/**
 * What the first bytes of a source say before any demuxer runs: playlists, concat lists and
 * still images are refused by name (the demuxer allow-list would refuse them too, with a vaguer
 * reason). And what `idet` concluded about field order.
 */

/** A reason to refuse the source, or null when its head looks like it may be media. */
export function sniffRefusal(head: Buffer): string | null {
  const text = head.toString('latin1').replace(/^\uFEFF|^\xEF\xBB\xBF/, '').trimStart();
  if (/^#EXTM3U/i.test(text) || /^#EXT-X-/i.test(text))
    return 'source is an HLS playlist (.m3u8), not media: upload the media file itself';
  if (/^ffconcat version/i.test(text) || /^file\s+['"]?[^\n]+\n/i.test(text))
    return 'source is an ffmpeg concat list, not media: upload the media file itself';
  if (/^<\?xml[^>]*>\s*<MPD/i.test(text) || /^<MPD[\s>]/i.test(text))
    return 'source is a DASH manifest (.mpd), not media: upload the media file itself';
  if (/^\[playlist\]|^<\?wpl|^<smil/i.test(text)) return 'source is a playlist, not media: upload the media file itself';
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'source is a still image (PNG), not video: Mosaic encodes video sources';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'source is a still image (JPEG), not video: Mosaic encodes video sources';
  if (/^(BM|II\*\0|MM\0\*)/.test(text) || /^RIFF....WEBP/s.test(text)) return 'source is a still image, not video: Mosaic encodes video sources';
  return null;
}

/**
 * `idet`'s multi-frame verdict. Sharp synthetic patterns fool it into reporting some interlacing,
 * so a source counts as interlaced only when interlaced frames outnumber progressive ones 2:1.
 */
export function parseFieldDetection(stderr: string): 'tff' | 'bff' | 'progressive' | undefined {
  const m = /Multi frame detection:\s*TFF:\s*(\d+)\s*BFF:\s*(\d+)\s*Progressive:\s*(\d+)/.exec(stderr);
  if (!m) return undefined;
  const [tff, bff, progressive] = m.slice(1).map(Number);
  if (tff + bff <= 2 * progressive) return 'progressive';
  return tff >= bff ? 'tff' : 'bff';
}
