/**
 * The container's task logic: run one media function under the runtime for a Step Functions
 * `waitForTaskToken` task, and report the outcome to Step Functions (SendTaskSuccess with the
 * same JSON a Lambda would return, or SendTaskFailure with the Mosaic.* error name) while
 * sending heartbeats. Kept apart from entrypoint.ts so tests run it in-process.
 *
 *   MOSAIC_FUNCTION        media function (folder under lambdas/functions/)
 *   MOSAIC_INPUT           the task input, JSON
 *   MOSAIC_INPUT_KEY       or the key of an object holding it (a large input: an override holds 8 KiB)
 *   MOSAIC_TASK_TOKEN      the task token from `$$.Task.Token`
 *   MOSAIC_HEARTBEAT_SEC   heartbeat period, default 60 (the state's HeartbeatSeconds must be larger)
 *   + everything awsRuntimeDeps reads (buckets, table, bus, ffmpeg, VMAF model, endpoints)
 */
import {
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { InputInvalidError, TransientError } from '../../lambdas/contracts/index.js';
import { clientConfig } from '../../lambdas/bootstrap/aws-clients.js';
import { awsRuntimeDeps } from '../../lambdas/bootstrap/aws-deps.js';
import { numberEnv, requireEnv, type Env } from '../../lambdas/bootstrap/env.js';
import { loadMediaFunction } from '../../lambdas/bootstrap/lambda-function.js';
import { logger, toMosaicError, type RuntimeDeps } from '../../lambdas/runtime/index.js';

/** Step Functions limits for SendTaskFailure. */
export const MAX_ERROR_CHARS = 256;
export const MAX_CAUSE_CHARS = 32_768;
export const DEFAULT_HEARTBEAT_SEC = 60;
/**
 * What a container stopped by ECS reports (SIGTERM: a Fargate Spot interruption, above all):
 * the workflow's Fargate states retry it on a new task. Only this chunk (its own Map child)
 * runs again; finished chunks are kept.
 */
export const INTERRUPTED_ERROR = 'Mosaic.Interrupted';

/** Heartbeat answers meaning nobody waits for this task any more: stop working on it. */
const TASK_GONE = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

export interface TaskOutcome {
  status: 'succeeded' | 'failed';
  /** Error name reported with SendTaskFailure. */
  error?: string;
  heartbeats: number;
}

export interface RunTaskOptions {
  /** Defaults to a client configured from `env` (region, MOSAIC_AWS_ENDPOINT_SFN, credentials). */
  sfn?: SFNClient;
  /** Defaults to awsRuntimeDeps(env). */
  deps?: (env: Env) => Promise<RuntimeDeps>;
  /**
   * Aborted when the container is being stopped (SIGTERM from ECS, e.g. a Fargate Spot
   * interruption): the function is cancelled and the task reported as Mosaic.Interrupted, so the
   * workflow retries it at once instead of waiting for the heartbeat to time out.
   */
  stop?: AbortSignal;
}

function parseInput(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputInvalidError(`${where} is not valid JSON: ${(e as Error).message}`);
  }
}

export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = '… [truncated]';
  return text.slice(0, max - marker.length) + marker;
}

/**
 * Runs the task and reports its outcome. Resolves once Step Functions has been told either way;
 * rejects only when the outcome could not be reported (or there is no task token to report to).
 */
export async function runTask(env: Env, opts: RunTaskOptions = {}): Promise<TaskOutcome> {
  const taskToken = requireEnv(env, 'MOSAIC_TASK_TOKEN');
  const sfn = opts.sfn ?? new SFNClient(clientConfig(env, 'sfn'));
  const name = env.MOSAIC_FUNCTION?.trim() ?? '';
  const log = logger.createChild({ persistentKeys: { function: name, platform: 'fargate' } });

  const controller = new AbortController();
  const onStop = (): void => controller.abort();
  opts.stop?.addEventListener('abort', onStop, { once: true });
  let heartbeats = 0;
  let heartbeatInFlight: Promise<void> | null = null;
  const beat = (): void => {
    if (heartbeatInFlight) return;
    heartbeatInFlight = sfn
      .send(new SendTaskHeartbeatCommand({ taskToken }))
      .then(() => void heartbeats++)
      .catch((e: Error) => {
        if (TASK_GONE.has(e.name)) {
          log.warn('task no longer awaited: stopping', { error: e.name, message: e.message });
          controller.abort();
        } else log.warn('heartbeat failed', { error: e.name, message: e.message });
      })
      .finally(() => void (heartbeatInFlight = null));
  };

  let outcome: { ok: true; output: string } | { ok: false; error: string; cause: string };
  let timer: NodeJS.Timeout | undefined;
  try {
    const periodMs = numberEnv(env, 'MOSAIC_HEARTBEAT_SEC', DEFAULT_HEARTBEAT_SEC) * 1000;
    const inputKey = env.MOSAIC_INPUT_KEY?.trim();
    let input = inputKey ? undefined : parseInput(env.MOSAIC_INPUT ?? '', 'MOSAIC_INPUT');
    timer = setInterval(beat, periodMs);
    const fn = await loadMediaFunction(name);
    const deps = await (opts.deps ?? awsRuntimeDeps)(env);
    // A large input comes by reference (an override holds 8 KiB): the object Plan wrote.
    if (inputKey) input = parseInput((await deps.blobs.getBytes(inputKey)).toString('utf8'), inputKey);
    const result = await fn.invoke(input, { ...deps, signal: controller.signal });
    outcome = { ok: true, output: JSON.stringify(result ?? null) };
  } catch (e) {
    // Function errors arrive typed by the runtime; anything else (config, loading) keeps its name.
    const err = opts.stop?.aborted
      ? Object.assign(new Error(`container stopped while the task ran (ECS SIGTERM, e.g. a Fargate Spot interruption): ${e instanceof Error ? e.message : String(e)}`), { name: INTERRUPTED_ERROR })
      : e instanceof Error
        ? e
        : toMosaicError(e);
    outcome = { ok: false, error: err.name || 'Error', cause: err.message };
  } finally {
    opts.stop?.removeEventListener('abort', onStop);
    clearInterval(timer);
    await heartbeatInFlight;
  }

  if (outcome.ok) {
    try {
      await sfn.send(new SendTaskSuccessCommand({ taskToken, output: outcome.output }));
      log.info('reported success', { heartbeats });
      return { status: 'succeeded', heartbeats };
    } catch (e) {
      // E.g. an output over Step Functions' payload limit: tell the workflow instead of leaving it waiting.
      const err = e as Error;
      if (TASK_GONE.has(err.name)) throw err;
      const failure = new TransientError(`could not report the result (${err.name}: ${err.message})`);
      outcome = { ok: false, error: failure.name, cause: failure.message };
    }
  }
  await sfn.send(
    new SendTaskFailureCommand({ taskToken, error: truncate(outcome.error, MAX_ERROR_CHARS), cause: truncate(outcome.cause, MAX_CAUSE_CHARS) }),
  );
  log.info('reported failure', { error: outcome.error, heartbeats });
  return { status: 'failed', error: outcome.error, heartbeats };
}
