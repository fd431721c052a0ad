/** A job as the API shows it: the record plus its steps, output links, quality and webhook deliveries. */
import {
  JobReportSchema,
  WEBHOOK_DELIVERY_DETAIL_TYPE,
  WebhookAttemptSchema,
  type JobRecord,
  type JobReport,
  type JobSummary,
  type JobView,
  type WebhookAttempt,
} from '../../contracts/index.js';
import type { BlobStore, JobStore, UploadTarget } from '../../ports.js';

export interface JobViewDeps {
  jobs: JobStore;
  blobs: BlobStore;
  uploads: UploadTarget;
}

const percent = (job: JobRecord) => Math.round(Math.min(1, Math.max(0, job.status === 'SUCCEEDED' ? 1 : job.progress)) * 1000) / 10;

export function jobSummary(job: JobRecord): JobSummary {
  return {
    id: job.id,
    status: job.status,
    preset: job.spec.preset,
    sourceKey: job.spec.source.key,
    progress: { percent: percent(job), etaSec: job.etaSec },
    error: job.error,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    tags: job.spec.tags,
  };
}

export async function jobView(deps: JobViewDeps, job: JobRecord): Promise<JobView> {
  const [steps, report, deliveries] = await Promise.all([
    deps.jobs.listSteps(job.id),
    job.status === 'SUCCEEDED' && job.reportKey ? readReport(deps.blobs, job.reportKey) : Promise.resolve(null),
    job.spec.webhook ? webhookDeliveries(deps.jobs, job.id) : Promise.resolve([]),
  ]);
  const link = async (rel: string | null | undefined) => {
    if (!rel) return null;
    const key = `${job.outputPrefix}${rel}`;
    return { key, url: await deps.uploads.downloadUrl(key) };
  };
  const o = report?.outputs;
  return {
    id: job.id,
    status: job.status,
    spec: job.spec,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    startedAt: job.startedAt,
    endedAt: job.endedAt,
    progress: { percent: percent(job), etaSec: job.status === 'SUCCEEDED' ? 0 : job.etaSec },
    error: job.error,
    steps,
    outputs: {
      hls: await link(o?.hls),
      dash: await link(o?.dash),
      poster: await link(o?.poster),
      sprite: await link(o?.sprite),
      thumbnailsVtt: await link(o?.thumbnailsVtt),
      report: job.reportKey ? { key: job.reportKey, url: await deps.uploads.downloadUrl(job.reportKey) } : null,
    },
    renditions: (report?.rungs ?? []).map((r) => ({
      id: r.id,
      width: r.width,
      height: r.height,
      bitrateKbps: r.bitrateKbps,
      bytes: r.bytes,
      psnr: r.psnr,
      ssim: r.ssim,
      vmaf: r.vmaf,
    })),
    vmafUnavailableReason: report?.vmafUnavailableReason ?? null,
    cost: {
      estimatedUsd: job.cost?.estimatedUsd ?? null,
      actualUsd: job.cost?.actualUsd ?? null,
      region: job.cost?.region ?? null,
      pricesTakenOn: job.cost?.pricesTakenOn ?? null,
    },
    webhook: job.spec.webhook ? { url: job.spec.webhook.url, deliveries } : null,
  };
}

async function readReport(blobs: BlobStore, key: string): Promise<JobReport | null> {
  try {
    const parsed = JobReportSchema.safeParse(JSON.parse((await blobs.getBytes(key)).toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    // A report that went missing leaves the job without links, not the request without an answer.
    return null;
  }
}

async function webhookDeliveries(jobs: JobStore, jobId: string): Promise<WebhookAttempt[]> {
  const events = await jobs.listEvents(jobId);
  return events.filter((e) => e.detailType === WEBHOOK_DELIVERY_DETAIL_TYPE).flatMap((e) => {
    const a = WebhookAttemptSchema.safeParse(e.detail);
    return a.success ? [a.data] : [];
  });
}
