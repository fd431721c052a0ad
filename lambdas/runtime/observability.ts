/** One Powertools logger, metrics and tracer for every function in the process. */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { METRICS_NAMESPACE } from '../contracts/index.js';

export const logger = new Logger({ serviceName: 'mosaic' });
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'mosaic' });
export const tracer = new Tracer({ serviceName: 'mosaic' });

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
export function setLogLevel(level: LogLevel): void {
  logger.setLogLevel(level);
}

/** Runs `fn` in an X-Ray subsegment when tracing is on (in Lambda), plainly otherwise. */
export async function traced<T>(name: string, fn: () => Promise<T>): Promise<T> {
  if (!tracer.isTracingEnabled()) return fn();
  const parent = tracer.getSegment();
  const sub = parent?.addNewSubsegment(name);
  if (sub) tracer.setSegment(sub);
  try {
    return await fn();
  } catch (e) {
    sub?.addError(e as Error);
    throw e;
  } finally {
    sub?.close();
    if (parent) tracer.setSegment(parent);
  }
}
