/**
 * One definition of each mapping (issue 11): zod issue formatting, the version-conflict check,
 * the API upload key layout and the job status rules each live in one module, and every user asks
 * it. Each mapping is tested where it lives, through the users on both engines where they differ,
 * and the sources are scanned for copies written again.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  apiUploadKey,
  formatIssues,
  isCancellable,
  isRetryable,
  isTerminalStatus,
  isVersionConflict,
  issueEntries,
  JOB_STATUSES,
  JobStatusSchema,
  VersionConflictError,
} from '../../../lambdas/contracts/index.js';
import { S3UploadTarget } from '../../../lambdas/adapters/aws/s3-upload-target.js';
import { cancelRefusal, retryRefusal } from '../../../lambdas/core/job-lifecycle.js';
import { allocatorPolicyFromEnv } from '../../../lambdas/core/workflow-input.js';
import { LocalFileLinks } from '../../../local/file-links.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

describe('zod issues: contracts/zod-issues.ts', () => {
  const Schema = z.object({ ladder: z.array(z.object({ height: z.number() })), name: z.string() });
  const error = Schema.safeParse({ ladder: [{ height: 'tall' }], name: 1 }).error!;

  it('one line, or `{ path, message, code }` under a prefix; `(root)` names the value itself', () => {
    expect(formatIssues(error)).toMatch(/^ladder\.0\.height: .+; name: .+$/);
    expect(formatIssues(z.string().safeParse(1).error!)).toMatch(/^\(root\): /);
    expect(issueEntries(error, ['body', 'input'])).toEqual([
      { path: 'body.input.ladder.0.height', message: expect.any(String), code: 'invalid_type' },
      { path: 'body.input.name', message: expect.any(String), code: 'invalid_type' },
    ]);
  });

  it("is what the allocator policy's environment check says (a root-level problem included)", () => {
    expect(() => allocatorPolicyFromEnv({ MOSAIC_SERVICE_QUOTAS: '[1]' })).toThrow(/^environment variable MOSAIC_SERVICE_QUOTAS is invalid: \(root\): /);
  });
});

describe('version conflicts: isVersionConflict beside VersionConflictError', () => {
  it('knows the error by its name (an adapter bundle may hold another copy of the class)', () => {
    expect(isVersionConflict(new VersionConflictError('job changed'))).toBe(true);
    expect(isVersionConflict(Object.assign(new Error('x'), { name: 'VersionConflict' }))).toBe(true);
    expect(isVersionConflict(new Error('ConditionalCheckFailed'))).toBe(false);
    expect(isVersionConflict(null)).toBe(false);
    expect(isVersionConflict(undefined)).toBe(false);
  });
});

describe('API upload keys: apiUploadKey on both engines', () => {
  const LAYOUT = /^uploads\/[0-9a-z]+-[0-9a-f]{12}\/my_clip__1_.mov$/;
  it('is `uploads/<time36>-<nonce>/<safe file name>`', () => {
    expect(apiUploadKey('my clip (1).mov', 36 ** 3, 'abcdef012345')).toBe('uploads/1000-abcdef012345/my_clip__1_.mov');
    expect(apiUploadKey('..hidden', 0, 'aa')).toBe('uploads/0-aa/_hidden');
    expect(apiUploadKey('ü', 0, 'aa')).toBe('uploads/0-aa/_');
  });

  it('is the key the local file links and the S3 upload target hand out', async () => {
    const request = { filename: 'my clip (1).mov', bytes: 10, contentType: 'video/quicktime' };
    const local = new LocalFileLinks({ maxUploadBytes: 100, secret: 's'.repeat(32), baseUrl: () => 'http://localhost' });
    expect((await local.createUpload(request)).key).toMatch(LAYOUT);
    const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
    const s3 = new S3UploadTarget({ client, sourceBucket: 'src', derivativeBucket: 'out', maxUploadBytes: 100 });
    expect((await s3.createUpload(request)).key).toMatch(LAYOUT);
    client.destroy();
  });
});

describe('job status rules: contracts/job-statuses.ts', () => {
  it('are the statuses of the schema, and what the lifecycle allows', () => {
    expect(JobStatusSchema.options).toEqual([...JOB_STATUSES]);
    for (const status of JOB_STATUSES) {
      const job = { id: 'j', status };
      expect(isRetryable(status), status).toBe(retryRefusal(job) === null);
      // A CANCELLED job's cancel is answered as it is: not refused, yet nothing to offer.
      if (status !== 'CANCELLED') expect(isCancellable(status), status).toBe(cancelRefusal(job) === null);
    }
    expect(JOB_STATUSES.filter(isTerminalStatus)).toEqual(['SUCCEEDED', 'FAILED', 'CANCELLED']);
    expect(JOB_STATUSES.filter(isCancellable)).toEqual(['QUEUED', 'RUNNING']);
    expect(JOB_STATUSES.filter(isRetryable)).toEqual(['FAILED', 'CANCELLED']);
  });
});

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist') continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(path));
    else if (/\.(ts|tsx)$/.test(e.name)) out.push(path);
  }
  return out;
}

describe('no copy written again', () => {
  const copies: { what: string; pattern: RegExp; dirs: string[]; home: string }[] = [
    { what: 'zod issue formatting', pattern: /\bi\.path(\.map\(String\))?\.join\('\.'\)|\.\.\.i\.path(\.map\(.*?\))?\]\.join\('\.'\)/, dirs: ['lambdas', 'local', 'lib', 'bin'], home: 'lambdas/contracts/zod-issues.ts' },
    { what: 'the VersionConflict check', pattern: /['"]VersionConflict['"]/, dirs: ['lambdas', 'local', 'lib', 'bin'], home: 'lambdas/contracts/errors.ts' },
    { what: 'the upload key layout', pattern: /API_UPLOAD_PREFIX\}\$\{/, dirs: ['lambdas', 'local', 'lib', 'bin'], home: 'lambdas/contracts/api.ts' },
    {
      what: "the UI's job status rules",
      pattern: /\[\s*'SUCCEEDED',\s*'FAILED',\s*'CANCELLED'\s*\]|'FAILED'\s*\|\|[^;\n]*'CANCELLED'|'QUEUED'\s*\|\|[^;\n]*'RUNNING'|'RUNNING'\s*\|\|[^;\n]*'QUEUED'/,
      dirs: ['ui/src'],
      home: 'lambdas/contracts/job-statuses.ts',
    },
  ];
  for (const c of copies)
    it(`${c.what}: only in ${c.home}`, () => {
      const found = c.dirs.flatMap(sources).filter((f) => f !== c.home && c.pattern.test(readFileSync(join(ROOT, f), 'utf8')));
      expect(found).toEqual([]);
    });
});
