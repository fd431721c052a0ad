/**
 * A loopback HTTP server standing in for an AWS JSON-protocol service (EventBridge, Step Functions):
 * it records each request and answers with whatever the test's handler returns.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  /** The operation, from `X-Amz-Target` (e.g. `AWSEvents.PutEvents`). */
  target: string;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

export interface Reply {
  status?: number;
  body: unknown;
}

export interface Loopback {
  endpoint: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startLoopback(contentType: string, handle: (req: RecordedRequest) => Reply): Promise<Loopback> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const recorded: RecordedRequest = { target: String(req.headers['x-amz-target'] ?? ''), headers: req.headers, body: text ? JSON.parse(text) : {} };
      requests.push(recorded);
      let reply: Reply;
      try {
        reply = handle(recorded);
      } catch (e) {
        reply = { status: 500, body: { __type: 'InternalFailure', message: (e as Error).message } };
      }
      res.writeHead(reply.status ?? 200, { 'content-type': contentType });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** Fake credentials for clients that only ever talk to 127.0.0.1. */
export const FAKE_AWS = { region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } } as const;
