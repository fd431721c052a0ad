/**
 * Loopback stand-ins for the AWS APIs Mosaic's handlers call that have no emulator here:
 * EventBridge (PutEvents, JSON 1.1), Step Functions (StartExecution, StopExecution,
 * DescribeExecution, SendTaskSuccess/Failure/Heartbeat, JSON 1.0) and Lambda's Invoke (REST-JSON).
 * One HTTP server on 127.0.0.1; every call is recorded, and each operation is answered by a
 * handler the world installs (errors as `{ __type }` bodies with `x-amzn-errortype`, as AWS does).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ServiceCall {
  /** `AWSEvents.PutEvents`, `AWSStepFunctions.StartExecution`, `Lambda.Invoke`. */
  target: string;
  op: string;
  body: Record<string, unknown>;
  at: number;
}

export class AwsApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export type OperationHandler = (body: Record<string, any>) => Promise<unknown> | unknown;

export interface LambdaInvokeHandler {
  (functionName: string, payload: unknown, invocationType: string): Promise<{ result?: unknown; error?: { errorType: string; errorMessage: string } }>;
}

export interface Services {
  endpoint: string;
  calls: ServiceCall[];
  of(op: string): ServiceCall[];
  close(): Promise<void>;
}

const readBody = async (req: IncomingMessage): Promise<string> => {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
};

export async function startServices(o: { operations: Record<string, OperationHandler>; invoke: LambdaInvokeHandler }): Promise<Services> {
  const calls: ServiceCall[] = [];
  const server: Server = createServer(async (req, res) => {
    const text = await readBody(req);
    const lambda = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(req.url ?? '');
    if (lambda) {
      const name = decodeURIComponent(lambda[1]!);
      const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
      calls.push({ target: 'Lambda.Invoke', op: 'Invoke', body: { FunctionName: name, InvocationType: type, Payload: text }, at: Date.now() });
      try {
        const payload = text ? JSON.parse(text) : {};
        if (type === 'Event') {
          void o.invoke(name, payload, type);
          res.writeHead(202).end();
          return;
        }
        const a = await o.invoke(name, payload, type);
        res.writeHead(200, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST', ...(a.error ? { 'x-amz-function-error': 'Unhandled' } : {}) });
        res.end(JSON.stringify(a.error ? { ...a.error, trace: [] } : (a.result ?? null)));
      } catch (e) {
        const err = e instanceof AwsApiError ? e : new AwsApiError('ServiceException', (e as Error).message, 500);
        res.writeHead(err.status, { 'content-type': 'application/json', 'x-amzn-errortype': err.type }).end(JSON.stringify({ Type: 'User', message: err.message }));
      }
      return;
    }
    const target = String(req.headers['x-amz-target'] ?? '');
    const op = target.split('.').pop() ?? '';
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    calls.push({ target, op, body, at: Date.now() });
    const json = target.startsWith('AWSEvents.') ? 'application/x-amz-json-1.1' : 'application/x-amz-json-1.0';
    try {
      const handler = o.operations[op];
      if (!handler) throw new AwsApiError('UnknownOperationException', `${target} is not served by this harness`);
      const answer = await handler(body);
      res.writeHead(200, { 'content-type': json }).end(JSON.stringify(answer ?? {}));
    } catch (e) {
      const err = e instanceof AwsApiError ? e : new AwsApiError('InternalFailure', (e as Error).message, 500);
      res.writeHead(err.status, { 'content-type': json, 'x-amzn-errortype': err.type }).end(JSON.stringify({ __type: err.type, message: err.message }));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    of: (op) => calls.filter((c) => c.op === op),
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A loopback webhook receiver: records every POST (headers and raw body) and answers 200. */
export interface WebhookReceiver {
  url: string;
  received: { headers: Record<string, string | string[] | undefined>; body: string; at: number }[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: WebhookReceiver['received'] = [];
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    received.push({ headers: req.headers, body, at: Date.now() });
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/mosaic`,
    received,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
