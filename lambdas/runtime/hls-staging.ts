/**
 * Staging an fMP4 HLS rendition as one local file: the media playlist is read, every file it
 * names (the init segment, then the media segments in order) is fetched from the playlist's
 * folder and appended to one file. An init segment followed by its moof/mdat fragments is a
 * valid fragmented MP4, so ffmpeg reads the result like the rendition mp4 it was cut from.
 *
 * A playlist is data from storage, not a trusted path list: every URI must be a plain file name
 * beside the playlist (no folder, no `..`, no scheme), so staging never reads outside the
 * rendition's folder.
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InputInvalidError } from '../contracts/index.js';
import { parseMediaPlaylist, type MediaPlaylist } from '../core/manifests.js';
import type { BlobStore } from '../ports.js';

/** What a function's `stage` maps a name to: an object key, or an HLS media playlist to stage as one mp4. */
export type StageRef = string | { hls: string };

/** The object whose etag stands for a staged input in the result-cache key. */
export const stageRefKey = (ref: StageRef): string => (typeof ref === 'string' ? ref : ref.hls);

/** A URI a playlist may name: a sibling file. */
const SIBLING_FILE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Tags whose presence means the segments cannot simply be concatenated. */
const UNSUPPORTED_TAGS: [RegExp, string][] = [
  [/^#EXT-X-BYTERANGE:/, 'byte-range segments'],
  [/^#EXT-X-KEY:(?!.*METHOD=NONE)/, 'encrypted segments'],
  [/^#EXT-X-DISCONTINUITY\b/, 'discontinuities'],
];

/** The playlist's files in the order to concatenate them, or InputInvalidError naming `key`. */
export function hlsRenditionFiles(text: string, key: string): string[] {
  let playlist: MediaPlaylist;
  try {
    playlist = parseMediaPlaylist(text);
  } catch (e) {
    throw new InputInvalidError(`HLS playlist ${key}: ${(e as Error).message}`, { key });
  }
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (lines.some((l) => l.startsWith('#EXT-X-STREAM-INF:'))) throw new InputInvalidError(`HLS playlist ${key} is a master playlist, not a media playlist`, { key });
  for (const [tag, what] of UNSUPPORTED_TAGS)
    if (lines.some((l) => tag.test(l))) throw new InputInvalidError(`HLS playlist ${key} uses ${what}; only plain fMP4 renditions can be staged`, { key });
  if (lines.filter((l) => l.startsWith('#EXT-X-MAP:')).length > 1 || /#EXT-X-MAP:[^\n]*BYTERANGE/.test(text))
    throw new InputInvalidError(`HLS playlist ${key} has more than one init segment or a byte-range one; only plain fMP4 renditions can be staged`, { key });
  if (!playlist.initUri) throw new InputInvalidError(`HLS playlist ${key} names no init segment (#EXT-X-MAP): not an fMP4 rendition`, { key });
  if (playlist.segments.length === 0) throw new InputInvalidError(`HLS playlist ${key} lists no media segments`, { key });
  const files = [playlist.initUri, ...playlist.segments.map((s) => s.uri)];
  const bad = files.find((u) => !SIBLING_FILE.test(u) || u.includes('..'));
  if (bad !== undefined) throw new InputInvalidError(`HLS playlist ${key} names ${JSON.stringify(bad)}; its segments must be plain file names beside it`, { key, uri: bad });
  return files;
}

/** The folder (key prefix, ending in `/` or empty) of an object key. */
const folderOf = (key: string) => key.slice(0, key.lastIndexOf('/') + 1);

/**
 * Downloads the rendition behind media playlist `key` and concatenates init + segments into
 * `dest`. A missing playlist or segment is an InputInvalidError, as for plain inputs.
 */
export async function stageHlsRendition(blobs: BlobStore, key: string, dest: string, fn: string): Promise<void> {
  if (!(await blobs.head(key))) throw new InputInvalidError(`${fn}: HLS playlist not found: ${key}`, { key });
  const files = hlsRenditionFiles((await blobs.getBytes(key)).toString('utf8'), key);
  const folder = folderOf(key);
  const parts = `${dest}.parts`;
  await mkdir(parts, { recursive: true });
  await mkdir(dirname(dest), { recursive: true });
  const out = await open(dest, 'w');
  try {
    for (const [n, uri] of files.entries()) {
      const part = join(parts, `${n}`);
      await blobs.download(`${folder}${uri}`, part);
      for await (const chunk of createReadStream(part)) await out.write(chunk as Buffer);
      await rm(part, { force: true });
    }
  } finally {
    await out.close();
    await rm(parts, { recursive: true, force: true });
  }
}
