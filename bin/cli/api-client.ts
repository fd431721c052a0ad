/** A small client of the Jobs API for the CLI's `--api URL` mode. */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ApiErrorBody, JobView, UploadTicket } from '../../lambdas/contracts/index.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody | null,
    fallback: string,
  ) {
    super(body?.error ? `${body.error.message} (${body.error.code}, HTTP ${status})` : fallback);
  }
}

export class JobsApiClient {
  readonly base: string;
  constructor(
    base: string,
    private readonly key: string,
  ) {
    this.base = base.replace(/\/+$/, '');
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: { 'x-api-key': this.key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new Error(`cannot reach the Mosaic API at ${this.base}: ${(e as Error).message}`);
    }
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    if (!res.ok) throw new ApiError(res.status, parsed as ApiErrorBody | null, `HTTP ${res.status} from ${method} ${path}`);
    return parsed as T;
  }

  /** Asks for an upload URL and PUTs the file there; returns the source key. */
  async uploadFile(path: string): Promise<string> {
    const size = (await stat(path)).size;
    const ticket = await this.call<UploadTicket>('POST', '/v1/uploads', { filename: basename(path), bytes: size, contentType: 'application/octet-stream' });
    const res = await fetch(ticket.url, { method: ticket.method, headers: ticket.headers, body: await readFile(path) });
    if (!res.ok) throw new Error(`upload of ${path} failed: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
    return ticket.key;
  }

  job(id: string): Promise<JobView> {
    return this.call<JobView>('GET', `/v1/jobs/${encodeURIComponent(id)}`);
  }
}
