/**
 * Runs a deployed media function synchronously (Lambda Invoke, RequestResponse) and gives its
 * result back as the function returned it, or its error as the same typed error it threw: the
 * runtime reports `error.name` as the Lambda error type, so `Mosaic.InputInvalid` comes back as
 * an InputInvalidError (the API's 400), `Mosaic.Transient` as a TransientError, and so on.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import {
  CancelledError,
  ErrorNames,
  InputInvalidError,
  NotFoundError,
  ResourceExhaustedError,
  TransientError,
} from '../../contracts/index.js';

export interface LambdaInvokerOptions {
  client: LambdaClient;
  /** Media function name → ARN of its deployed Lambda (the base function, not a size variant). */
  functionArns: Record<string, string>;
}

/** What a Lambda function error looks like in the Invoke response payload. */
interface LambdaErrorPayload {
  errorType?: unknown;
  errorMessage?: unknown;
}

const TYPED: Record<string, new (message: string) => Error> = {
  [ErrorNames.InputInvalid]: InputInvalidError,
  [ErrorNames.Transient]: TransientError,
  [ErrorNames.ResourceExhausted]: ResourceExhaustedError,
  [ErrorNames.Cancelled]: CancelledError,
};

/** The error a function error payload stands for: a typed Mosaic error when it names one. */
export function functionError(functionName: string, payloadText: string): Error {
  let parsed: LambdaErrorPayload = {};
  try {
    parsed = JSON.parse(payloadText) as LambdaErrorPayload;
  } catch {
    // Not JSON (a crash before the runtime could answer): the text is the message.
  }
  const type = typeof parsed?.errorType === 'string' ? parsed.errorType : 'Lambda.Unhandled';
  const message = typeof parsed?.errorMessage === 'string' ? parsed.errorMessage : payloadText.slice(0, 1000) || `${functionName} failed`;
  const Typed = TYPED[type];
  if (Typed) return new Typed(message);
  const err = new Error(`${functionName}: ${message}`);
  // e.g. Sandbox.Timedout, Runtime.ExitError: kept as the name, so logs say what happened; the API answers 500.
  err.name = type;
  return err;
}

export class LambdaInvoker {
  private readonly client: LambdaClient;
  private readonly arns: Record<string, string>;

  constructor(opts: LambdaInvokerOptions) {
    this.client = opts.client;
    this.arns = opts.functionArns;
  }

  names(): string[] {
    return Object.keys(this.arns).sort();
  }

  has(name: string): boolean {
    return Object.hasOwn(this.arns, name);
  }

  async invoke(name: string, input: unknown): Promise<unknown> {
    if (!this.has(name)) throw new NotFoundError(`no media function "${name}"`, { known: this.names() });
    const res = await this.client.send(
      new InvokeCommand({ FunctionName: this.arns[name], InvocationType: 'RequestResponse', Payload: new TextEncoder().encode(JSON.stringify(input ?? {})) }),
    );
    const text = res.Payload ? new TextDecoder().decode(res.Payload) : '';
    if (res.FunctionError) throw functionError(name, text);
    return text ? JSON.parse(text) : null;
  }
}
