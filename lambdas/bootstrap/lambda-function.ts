/**
 * The Lambda entry point of every media function: CDK points each function's NodejsFunction at
 * this file with MOSAIC_FUNCTION=<name>. It loads `lambdas/functions/<name>/handler.ts`, builds
 * the AWS RuntimeDeps once per warm container and invokes the function under the runtime.
 *
 * Errors leave with their Mosaic.* `name` intact: the Lambda runtime reports `error.name` as the
 * error type, which is what Step Functions Retry/Catch match on.
 */
import { enableTracing, type MediaFunction, type RuntimeDeps } from '../runtime/index.js';
import { awsRuntimeDeps } from './aws-deps.js';
import type { Env } from './env.js';

export type AnyMediaFunction = MediaFunction<{ jobId: string; itemId?: string }, unknown>;

export const FUNCTION_NAME = /^[a-z][a-z0-9-]*$/;

/** Loads a media function by folder name. esbuild bundles every `functions/* /handler.ts` for this import. */
export async function loadMediaFunction(name: string): Promise<AnyMediaFunction> {
  if (!FUNCTION_NAME.test(name)) throw new Error(`MOSAIC_FUNCTION must name a media function (${FUNCTION_NAME}), got "${name}"`);
  let mod: { default?: AnyMediaFunction };
  try {
    mod = (await import(`../functions/${name}/handler.ts`)) as { default?: AnyMediaFunction };
  } catch (e) {
    throw new Error(`cannot load media function "${name}": ${(e as Error).message}`, { cause: e });
  }
  if (mod.default?.name !== name) throw new Error(`lambdas/functions/${name}/handler.ts must default-export the function named "${name}"`);
  return mod.default;
}

/** A handler bound to an environment; `handler` below is the one bound to `process.env`. */
export function createLambdaHandler(env: Env = process.env): (event: unknown) => Promise<unknown> {
  // X-Ray subsegments per function run, in Lambda only (see runtime/observability.ts).
  if (env.AWS_LAMBDA_FUNCTION_NAME) enableTracing();
  let fn: Promise<AnyMediaFunction> | null = null;
  let deps: Promise<RuntimeDeps> | null = null;
  return async (event: unknown) => {
    // Cached across warm invocations; a failed attempt is retried on the next invocation.
    fn ??= loadMediaFunction(env.MOSAIC_FUNCTION?.trim() ?? '').catch((e: unknown) => {
      fn = null;
      throw e;
    });
    deps ??= awsRuntimeDeps(env).catch((e: unknown) => {
      deps = null;
      throw e;
    });
    const [f, d] = await Promise.all([fn, deps]);
    return f.invoke(event, d);
  };
}

export const handler = createLambdaHandler();
