/**
 * Upload trigger — the encode workflow's starter: S3 `Object Created` (via EventBridge) under
 * `inbox/` with a video suffix, or what a rule hands the workflow (an upload or a re-encode, see
 * core/workflow-start.ts) → a job record and one execution of the encode workflow. Thin: parse → core → ports → result.
 * Duplicate deliveries of one object version name the same job and execution, so they start
 * one workflow; every delivery returns that job. The AWS wiring lives in
 * `lambdas/bootstrap/upload-trigger.ts`.
 */
import { DetailTypes, EncodeWorkflowInputSchema, EVENT_SOURCE, type JobRecord } from '../../contracts/index.js';
import { outputPrefix } from '../../contracts/job-keys.js';
import { uploadWorkflowInput, type UploadWorkflowOptions } from '../../core/upload-trigger.js';
import { planWorkflowStart } from '../../core/workflow-start.js';
import type { EventBus, JobStore, WorkflowEngine } from '../../ports.js';
import { logger } from '../../runtime/index.js';

export const ENCODE_WORKFLOW = 'encode';

export interface UploadTriggerDeps {
  jobs: JobStore;
  events: EventBus;
  workflows: WorkflowEngine;
  workflow: UploadWorkflowOptions;
}

export type UploadTriggerResult =
  | { status: 'ignored'; reason: string; key?: string }
  | { status: 'started'; job: JobRecord; executionId: string; duplicate: boolean };

export function createUploadTriggerHandler(deps: UploadTriggerDeps): (event: unknown) => Promise<UploadTriggerResult> {
  return async (event) => {
    const plan = planWorkflowStart(event);
    if (plan.action === 'ignore') {
      logger.info('upload ignored', { reason: plan.reason, bucket: plan.bucket, key: plan.key });
      return { status: 'ignored', reason: plan.reason, ...(plan.key ? { key: plan.key } : {}) };
    }
    const log = logger.createChild({ persistentKeys: { jobId: plan.jobId } });
    // Checked first, so a contract mismatch fails at the trigger (before any record), not inside the workflow.
    const input = EncodeWorkflowInputSchema.parse(uploadWorkflowInput(plan.jobId, plan.spec, deps.workflow));

    // The job record first (conditional create): a second delivery finds it and goes on.
    let job: JobRecord;
    let duplicate = false;
    try {
      job = await deps.jobs.createJob({ id: plan.jobId, spec: plan.spec, sourceHash: null, outputPrefix: outputPrefix(plan.jobId) });
    } catch (e) {
      const existing = await deps.jobs.getJob(plan.jobId);
      if (!existing) throw e;
      job = existing;
      duplicate = true;
    }
    if (!duplicate) {
      // The first entry of the job's history, as on the local engine.
      const queued = { jobId: job.id, status: 'QUEUED' as const };
      await deps.jobs.appendEvent(job.id, DetailTypes.JobStatusChanged, queued);
      await deps.events.put({ source: EVENT_SOURCE, detailType: DetailTypes.JobStatusChanged, detail: queued });
    }

    // The execution is named by the job id: Step Functions refuses a second one of that name.
    let executionId: string;
    try {
      executionId = (await deps.workflows.start(ENCODE_WORKFLOW, input, plan.jobId)).executionId;
    } catch (e) {
      if ((e as { name?: string }).name !== 'ExecutionAlreadyExists') throw e;
      executionId = plan.jobId;
      duplicate = true;
    }
    log.info(duplicate ? 'upload already has its job' : 'job started for upload', { bucket: plan.bucket, key: plan.key, preset: plan.spec.preset, executionId });
    return { status: 'started', job, executionId, duplicate };
  };
}
