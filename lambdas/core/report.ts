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
  // The audio Map's results come in the plan's order; matched by key all the same.
  const encodedAudio = new Map((input.audio ?? []).map((a) => [a.key, a]));
  const audioTracks = (input.plan?.audioTasks ?? []).flatMap((task, n) => {
    const listed = input.plan!.package.audio[n];
    const result = encodedAudio.get(task.output.key);
    if (!listed || !result) return [];
    const source = input.media?.audioTracks.find((t) => t.index === task.track);
    return [{
      id: listed.id,
      language: listed.language,
      name: listed.name,
      default: listed.default,
      sourceTrack: task.track,
      sourceChannels: source?.channels ?? (n === 0 ? input.media?.audio?.channels ?? task.channels : task.channels),
      channels: task.channels,
      codecs: result.codecs,
      bitrateKbps: task.bitrateKbps,
      durationSec: result.durationSec,
      playlist: rel(packaged.get(listed.id)?.playlistKey),
    }];
  });
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
    encoding: input.plan ? { timing: input.plan.timing, rungs: input.plan.rungs } : null,
    perTitle: input.plan?.perTitle ?? null,
    derivedFrom: null,
    audio: audioTracks[0] ? { codecs: audioTracks[0].codecs, bitrateKbps: audioTracks[0].bitrateKbps, durationSec: audioTracks[0].durationSec } : null,
    audioTracks,
    // Those Package wrote (a source track ffmpeg could not read is skipped, with a note).
    subtitles: (input.plan?.package.subtitles ?? []).flatMap((t) => {
      const p = packaged.get(t.id);
      if (!p) return [];
      return {
        id: t.id,
        language: t.language,
        name: t.name,
        default: t.default,
        from: t.from.kind,
        playlist: rel(p?.playlistKey),
        vtt: rel(p?.vttKey),
      };
    }),
    notes: [...new Set([...(input.media?.notes ?? []), ...(input.package?.notes ?? [])])],
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
