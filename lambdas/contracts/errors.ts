/**
 * Typed errors. Their `name` is the Step Functions error name, so ASL Retry/Catch
 * match them directly on AWS and in the local runner alike.
 */
export const ErrorNames = {
  InputInvalid: 'Mosaic.InputInvalid',
  Transient: 'Mosaic.Transient',
  ResourceExhausted: 'Mosaic.ResourceExhausted',
  Cancelled: 'Mosaic.Cancelled',
} as const;
export type MosaicErrorName = (typeof ErrorNames)[keyof typeof ErrorNames];

export abstract class MosaicError extends Error {
  abstract override readonly name: MosaicErrorName;
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** The request or the source is wrong; retrying cannot help. */
export class InputInvalidError extends MosaicError {
  override readonly name = ErrorNames.InputInvalid;
}

/** Something that may work on a second try (I/O hiccup, killed process). */
export class TransientError extends MosaicError {
  override readonly name = ErrorNames.Transient;
}

/** Ran out of memory, disk or time: retry with a bigger size. */
export class ResourceExhaustedError extends MosaicError {
  override readonly name = ErrorNames.ResourceExhausted;
}

export class CancelledError extends MosaicError {
  override readonly name = ErrorNames.Cancelled;
}

export function isMosaicError(e: unknown): e is MosaicError {
  return e instanceof MosaicError;
}

/** The `{ Error, Cause }` object Step Functions hands to a Catch. */
export interface WorkflowErrorOutput {
  Error: string;
  Cause?: string;
}

/**
 * A conditional write found the record changed since it was read (job, step or document): the
 * caller reads again and decides again. Not a Mosaic error: it never leaves the platform.
 */
export class VersionConflictError extends Error {
  override readonly name = 'VersionConflict';
}

/** Whether `e` is a VersionConflictError, by name (adapters and bundles may each hold their own copy of the class). */
export const isVersionConflict = (e: unknown): boolean => (e as Error | null)?.name === 'VersionConflict';
