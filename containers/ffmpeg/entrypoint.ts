/**
 * Container entry point (bundled to dist/entrypoint.mjs by bundle.ts): runs the media function
 * named by MOSAIC_FUNCTION for a Step Functions `ecs:runTask.waitForTaskToken` task.
 * Exit 0 once the outcome has been reported (success or failure: the workflow learns it from
 * Step Functions); exit 1 only when nothing could be reported.
 */
import { runTask } from './run-task.js';

// ECS sends SIGTERM before stopping a task (a Fargate Spot interruption, a stopped execution;
// SIGKILL follows after the container's stop timeout): cancel and report Mosaic.Interrupted.
const stop = new AbortController();
process.once('SIGTERM', () => stop.abort());

runTask(process.env, { stop: stop.signal }).then(
  (outcome) => {
    process.stderr.write(`mosaic task ${outcome.status}${outcome.error ? ` (${outcome.error})` : ''}\n`);
    process.exit(0);
  },
  (e: unknown) => {
    process.stderr.write(`mosaic task could not report its outcome: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\n`);
    process.exit(1);
  },
);
