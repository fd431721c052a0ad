/**
 * report.json of a derived job (measure, repackage), without I/O: the report of job `of` as
 * the starting point, with what the derived run changed. A measure job scores the renditions of
 * job `of` again, so its report carries the new scores and points at no files (the renditions
 * stay under job `of`'s prefix, which its own relative paths cannot name); a repackage job's
 * report points at the segments and manifests it wrote. `encoding` is kept (with the new
 * segment length for repackage), so a repackaged job can be worked from again.
 */
import { InputInvalidError, type JobReport, type PublishDerivedInput } from '../contracts/index.js';

const round = (x: number, digits: number) => Number(x.toFixed(digits));
const shown = (x: number | null, digits: number) => (x === null ? 'none' : x.toFixed(digits));

/** `r0: VMAF 93.1 → 94.0 (job j1)` when a score moved at the precision reports show it. */
function moved(rungId: string, metric: string, before: number | null, after: number | null, digits: number, of: string): string | null {
  if (before === null && after === null) return null;
  if (before !== null && after !== null && round(before, digits) === round(after, digits)) return null;
  return `${rungId}: ${metric} ${shown(before, digits)} → ${shown(after, digits)} (job ${of})`;
}

function common(input: PublishDerivedInput, createdAt: string): JobReport {
  return {
    ...input.original,
    jobId: input.jobId,
    status: 'SUCCEEDED',
    createdAt,
    derivedFrom: { jobId: input.of.jobId, workflow: input.workflow },
    error: null,
  };
}

const NO_OUTPUTS: JobReport['outputs'] = { hls: null, dash: null, poster: null, sprite: null, thumbnailsVtt: null };
const unique = (notes: string[]) => [...new Set(notes)];

/** The report of a `measure` run: job `of`'s report with the scores measured now. */
export function measuredReport(input: PublishDerivedInput, createdAt: string): JobReport {
  if (!input.quality?.length) throw new InputInvalidError('publish-derived: a measure run must hand over its quality results');
  const of = input.of.jobId;
  const base = common(input, createdAt);
  const quality = new Map(input.quality.map((q) => [q.rungId, q]));
  const notes: string[] = [];
  const rungs = base.rungs.map((r) => {
    const q = quality.get(r.id);
    if (!q) return { ...r, psnr: null, ssim: null, vmaf: null, playlist: null };
    for (const n of [moved(r.id, 'VMAF', r.vmaf, q.vmaf, 1, of), moved(r.id, 'PSNR', r.psnr, q.psnr, 2, of)]) if (n) notes.push(n);
    return { ...r, psnr: q.psnr, ssim: q.ssim, vmaf: q.vmaf, playlist: null };
  });
  return {
    ...base,
    rungs,
    // The files are job `of`'s: this job's paths (relative to its own prefix) cannot name them.
    audioTracks: base.audioTracks.map((a) => ({ ...a, playlist: null })),
    subtitles: base.subtitles.map((t) => ({ ...t, playlist: null, vtt: null })),
    outputs: NO_OUTPUTS,
    vmafUnavailableReason: input.quality.find((q) => q.vmafUnavailableReason)?.vmafUnavailableReason ?? null,
    notes: unique([...base.notes, `renditions are those of job ${of}`, ...notes]),
  };
}

/** The report of a `repackage` run: job `of`'s renditions, in the segments and manifests written now. */
export function repackagedReport(input: PublishDerivedInput, createdAt: string): JobReport {
  const pkg = input.package;
  if (!pkg) throw new InputInvalidError('publish-derived: a repackage run must hand over its package result');
  const of = input.of.jobId;
  const base = common(input, createdAt);
  const rel = (key: string | null | undefined) => (key ? (key.startsWith(input.outputPrefix) ? key.slice(input.outputPrefix.length) : key) : null);
  const packaged = new Map(pkg.renditions.map((r) => [r.id, r]));
  const segmentSeconds = input.segmentSeconds ?? base.encoding?.timing.segmentSeconds ?? null;
  const seconds = segmentSeconds === null ? 'new' : `${round(segmentSeconds, 3)}`;
  return {
    ...base,
    rungs: base.rungs.map((r) => {
      const p = packaged.get(r.id);
      return p ? { ...r, playlist: rel(p.playlistKey), codecs: p.codecs, bytes: p.bytes } : { ...r, playlist: null };
    }),
    audioTracks: base.audioTracks.map((a) => ({ ...a, playlist: rel(packaged.get(a.id)?.playlistKey) })),
    // Those Package wrote (as in an encode's report).
    subtitles: base.subtitles.flatMap((t) => {
      const p = packaged.get(t.id);
      return p ? [{ ...t, playlist: rel(p.playlistKey), vtt: rel(p.vttKey) }] : [];
    }),
    outputs: { ...NO_OUTPUTS, hls: rel(pkg.hlsMasterKey), dash: rel(pkg.dashManifestKey) },
    encoding: base.encoding && segmentSeconds !== null ? { ...base.encoding, timing: { ...base.encoding.timing, segmentSeconds } } : base.encoding,
    notes: unique([...base.notes, `segments of ${seconds} s repackaged from job ${of}; thumbnails stay with job ${of}`, ...pkg.notes]),
  };
}

/** The report.json of derived run `input.workflow`. */
export function buildDerivedReport(input: PublishDerivedInput, createdAt: string): JobReport {
  return input.workflow === 'measure' ? measuredReport(input, createdAt) : repackagedReport(input, createdAt);
}
