/** Paths of the code and data the stacks refer to. `lib/` points at them; it never imports them. */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const PATHS = {
  root: PROJECT_ROOT,
  lockFile: join(PROJECT_ROOT, 'package-lock.json'),
  functionsDir: join(PROJECT_ROOT, 'lambdas', 'functions'),
  /** Entry of every media function's Lambda: picks the function by MOSAIC_FUNCTION. */
  lambdaBootstrap: join(PROJECT_ROOT, 'lambdas', 'bootstrap', 'lambda-function.ts'),
  /** Entry of the allocator's Lambda (the encode workflow's Allocate state). */
  allocatorEntry: join(PROJECT_ROOT, 'lambdas', 'bootstrap', 'allocator.ts'),
  /** Entry of the upload trigger's Lambda: wires `lambdas/platform/upload-trigger` to AWS. */
  uploadTriggerEntry: join(PROJECT_ROOT, 'lambdas', 'bootstrap', 'upload-trigger.ts'),
  /** Entry of the Jobs API's Lambda (API Gateway proxy integration → the Hono app). */
  apiEntry: join(PROJECT_ROOT, 'lambdas', 'bootstrap', 'api.ts'),
  /** Entry of the webhook Lambda (`Job Status Changed` → signed POSTs to the job's webhook). */
  jobEventsEntry: join(PROJECT_ROOT, 'lambdas', 'bootstrap', 'job-events.ts'),
  /** Docker build context of the Fargate image (run `npx tsx containers/ffmpeg/bundle.ts` first). */
  mediaContainer: join(PROJECT_ROOT, 'containers', 'ffmpeg'),
  encodeWorkflow: join(PROJECT_ROOT, 'state-machines', 'encode.asl.json'),
  ffmpegBinary: join(PROJECT_ROOT, 'node_modules', '@ffmpeg-installer', 'linux-x64', 'ffmpeg'),
  ffprobeBinary: join(PROJECT_ROOT, 'node_modules', '@ffprobe-installer', 'linux-x64', 'ffprobe'),
} as const;
