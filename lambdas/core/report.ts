/** Builds report.json from the results the workflow gathered. */
import type { JobError, JobReport, PublishInput, WorkflowErrorOutput } from '../contracts/index.js';

/** A Catch's `Cause` is our message locally and a JSON error envelope on Lambda. */
export function jobErrorFrom(error: WorkflowErrorOutput | undefined): JobError {
  if (!error) return { code: 'Mosaic.Unknown', message: 'the workflow failed without an error' };
  let message = error.Cause ?? error.Error;
  try {
    const parsed = JSON.parse(message) as { errorMessage?: string };
    if (parsed && typeof parsed.errorMessage === 'string') message = parsed.errorMessage;
  } catch {
    /* plain text cause */
  }
  return { code: error.Error, message };
}

export function buildReport(input: PublishInput, createdAt: string): JobReport {
  const quality = new Map((input.quality ?? []).map((q) => [q.rungId, q]));
  const assembled = new Map((input.assembled ?? []).map((a) => [a.rungId, a]));
  const packaged = new Map((input.package?.renditions ?? []).map((r) => [r.id, r]));
  const rel = (key: string | null | undefined) => (key ? key.slice(input.outputPrefix.length) : null);
  const vmafReason = (input.quality ?? []).find((q) => q.vmafUnavailableReason)?.vmafUnavailableReason ?? null;
  return {
    jobId: input.jobId,
    status: input.status,
    createdAt,
    source: input.media ?? null,
    preset: input.plan?.preset ?? null,
    rungs: (input.plan?.rungs ?? []).map((r) => {
      const a = assembled.get(r.id);
      const q = quality.get(r.id);
      const p = packaged.get(r.id);
      return {
        id: r.id,
        width: r.width,
        height: r.height,
        targetBitrateKbps: r.bitrateKbps,
        bitrateKbps: a?.bitrateKbps ?? 0,
        bytes: p?.bytes ?? a?.bytes ?? 0,
        frames: a?.frames ?? 0,
        durationSec: a?.durationSec ?? 0,
        codecs: p?.codecs ?? null,
        psnr: q?.psnr ?? null,
        ssim: q?.ssim ?? null,
        vmaf: q?.vmaf ?? null,
        playlist: rel(p?.playlistKey),
      };
    }),
    audio: input.audio ? { codecs: input.audio.codecs, bitrateKbps: input.plan?.audio?.bitrateKbps ?? 0, durationSec: input.audio.durationSec } : null,
    outputs: {
      hls: rel(input.package?.hlsMasterKey),
      dash: rel(input.package?.dashManifestKey),
      poster: rel(input.thumbnails?.posterKey),
      sprite: rel(input.thumbnails?.spriteKey),
      thumbnailsVtt: rel(input.thumbnails?.vttKey),
    },
    vmafUnavailableReason: vmafReason,
    error: input.status === 'FAILED' ? jobErrorFrom(input.error) : null,
  };
}
