/** A job as the API shows it: the record plus its steps, output links, quality and webhook deliveries. */
import { liveProgress, plannedSteps } from '../../core/job-progress.js';
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
import type { BlobStore, JobHistory, StepLog, UploadTarget } from '../../ports.js';

export interface JobViewDeps {
  /** Steps (progress, timings) and history (webhook deliveries). */
  jobs: StepLog & JobHistory;
  blobs: BlobStore;
  uploads: UploadTarget;
  /** Parsed reports by `<jobId>:<version>` (a report never changes while the job's version stays). */
  reports?: ReportCache;
}

/** A small LRU of parsed report.json files: polling a finished job should not re-read and re-parse it. */
export class ReportCache {
  private readonly map = new Map<string, JobReport | null>();
  constructor(private readonly max = 1000) {}
  async get(key: string, load: () => Promise<JobReport | null>): Promise<JobReport | null> {
    if (this.map.has(key)) {
      const v = this.map.get(key)!;
      this.map.delete(key);
      this.map.set(key, v);
      return v;
    }
    const v = await load();
    this.map.set(key, v);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
    return v;
  }
}

const toPercent = (fraction: number) => Math.round(Math.min(1, Math.max(0, fraction)) * 1000) / 10;
const percent = (job: JobRecord) => toPercent(job.status === 'SUCCEEDED' ? 1 : job.progress);

export function jobSummary(job: JobRecord): JobSummary {
  return {
    id: job.id,
    status: job.status,
    workflow: job.workflow?.name ?? 'encode',
    preset: job.spec.preset,
    sourceKey: job.spec.source.key,
    progress: { percent: percent(job), etaSec: job.etaSec },
    error: job.error,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    startedAt: job.startedAt,
    endedAt: job.endedAt,
    cost: { estimatedUsd: job.cost?.estimatedUsd ?? null, actualUsd: job.cost?.actualUsd ?? null },
    tags: job.spec.tags,
  };
}

export async function jobView(deps: JobViewDeps, job: JobRecord): Promise<JobView> {
  const [steps, report, deliveries] = await Promise.all([
    deps.jobs.listSteps(job.id),
    job.status === 'SUCCEEDED' && job.reportKey ? cachedReport(deps, job.id, job.version, job.reportKey) : Promise.resolve(null),
    job.spec.webhook ? webhookDeliveries(deps.jobs, job.id) : Promise.resolve([]),
  ]);
  // Live: a view of the steps, the same on both engines.
  const live = liveProgress(job, steps, Date.now());
  const link = async (rel: string | null | undefined) => {
    if (!rel) return null;
    const key = `${job.outputPrefix}${rel}`;
    return { key, url: await deps.uploads.downloadUrl(key) };
  };
  const o = report?.outputs;
  const [hls, dash, poster, sprite, thumbnailsVtt, reportLink] = await Promise.all([
    link(o?.hls),
    link(o?.dash),
    link(o?.poster),
    link(o?.sprite),
    link(o?.thumbnailsVtt),
    job.reportKey ? deps.uploads.downloadUrl(job.reportKey).then((url) => ({ key: job.reportKey!, url })) : null,
  ]);
  return {
    id: job.id,
    status: job.status,
    workflow: job.workflow?.name ?? 'encode',
    spec: job.spec,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    startedAt: job.startedAt,
    endedAt: job.endedAt,
    progress: { percent: toPercent(live.fraction), etaSec: live.etaSec },
    error: job.error,
    planned: plannedSteps(steps),
    steps: steps.map((s) => ({
      jobId: s.jobId, stepId: s.stepId, function: s.function, attempt: s.attempt, status: s.status, startedAt: s.startedAt,
      endedAt: s.endedAt, durationMs: s.durationMs, error: s.error, costUsd: s.costUsd, fraction: s.fraction,
      platform: s.platform ?? null, size: s.size ?? null,
    })),
    outputs: { hls, dash, poster, sprite, thumbnailsVtt, report: reportLink },
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
    ladderSearch: report?.perTitle ?? null,
    cost: {
      estimatedUsd: job.cost?.estimatedUsd ?? null,
      actualUsd: job.cost?.actualUsd ?? null,
      region: job.cost?.region ?? null,
      pricesTakenOn: job.cost?.pricesTakenOn ?? null,
      // Records written before the breakdown existed have none.
      breakdown: job.cost?.breakdown ?? [],
    },
    webhook: job.spec.webhook ? { url: job.spec.webhook.url, deliveries } : null,
  };
}

function cachedReport(deps: JobViewDeps, jobId: string, version: number, key: string): Promise<JobReport | null> {
  return deps.reports ? deps.reports.get(`${jobId}:${version}`, () => readReport(deps.blobs, key)) : readReport(deps.blobs, key);
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

async function webhookDeliveries(jobs: JobHistory, jobId: string): Promise<WebhookAttempt[]> {
  const events = await jobs.listEvents(jobId);
  return events.filter((e) => e.detailType === WEBHOOK_DELIVERY_DETAIL_TYPE).flatMap((e) => {
    const a = WebhookAttemptSchema.safeParse(e.detail);
    return a.success ? [a.data] : [];
  });
}
