/**
 * A function's secrets through ctx.config.secret(NAME): locally from a secrets file (KEY=value
 * lines), on AWS resolved at cold start from MOSAIC_SECRET_REFS (the Parameters and Secrets
 * extension on Lambda, ECS-injected values on Fargate). A missing secret fails the invocation with
 * Mosaic.InputInvalid naming it, and no message carries a value.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { extensionSecretFetcher, resolveFunctionSecrets } from '../../../lambdas/bootstrap/function-secrets.js';
import { defineMediaFunction, type MediaTools, type RuntimeConfig, type RuntimeDeps } from '../../../lambdas/runtime/index.js';
import type { ResultCache } from '../../../lambdas/ports.js';
import { InProcessEventBus } from '../../../local/event-bus.js';
import { FsBlobStore } from '../../../local/fs-blob-store.js';
import { parseSecretsFile, readSecretsFile } from '../../../local/secrets-file.js';

const root = mkdtempSync(join(tmpdir(), 'mosaic-secrets-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const signer = defineMediaFunction({
  name: 'signer',
  version: 1,
  cacheable: false,
  input: z.object({ jobId: z.string(), itemId: z.string().optional(), secret: z.string() }),
  output: z.object({ length: z.number(), startsWith: z.string() }),
  async run(input, ctx) {
    const value = ctx.config.secret(input.secret);
    return { length: value.length, startsWith: value.slice(0, 3) };
  },
});

function depsWith(secrets: RuntimeConfig['secrets']): RuntimeDeps {
  const config: RuntimeConfig = { searchPath: [], cacheDir: root, allowModelDownload: false, scratchRoot: root, ffmpegTimeoutMs: 10_000, secrets };
  return {
    blobs: new FsBlobStore(join(root, 'blobs')),
    cache: {} as ResultCache,
    events: new InProcessEventBus(),
    speedTable: async () => ({}),
    config,
    tools: {} as MediaTools,
    vmafModelPath: null,
  };
}

describe('function secrets', () => {
  it('a function reads a secret of the local secrets file through ctx.config.secret', async () => {
    const file = join(root, 'secrets.env');
    writeFileSync(file, '# function secrets\nWEBHOOK_TOKEN=tok-12345\nexport QUOTED="abc def"\n\n');
    const secrets = readSecretsFile(file, true);
    expect(secrets).toEqual({ WEBHOOK_TOKEN: 'tok-12345', QUOTED: 'abc def' });
    await expect(signer.invoke({ jobId: 'j1', secret: 'WEBHOOK_TOKEN' }, depsWith(secrets))).resolves.toEqual({ length: 9, startsWith: 'tok' });
  });

  it('a missing secret fails the invocation with Mosaic.InputInvalid naming it, never printing values', async () => {
    const err = (await signer.invoke({ jobId: 'j1', secret: 'API_KEY' }, depsWith({ WEBHOOK_TOKEN: 'tok-12345' })).catch((e: unknown) => e)) as Error;
    expect(err.name).toBe('Mosaic.InputInvalid');
    expect(err.message).toContain('secret "API_KEY" is not set');
    expect(err.message).toContain('secrets.env');
    expect(err.message).not.toContain('tok-12345');
    // Without any secrets file, the same.
    const none = (await signer.invoke({ jobId: 'j1', secret: 'API_KEY' }, depsWith(undefined)).catch((e: unknown) => e)) as Error;
    expect(none.name).toBe('Mosaic.InputInvalid');
  });

  it('the secrets file: a missing default file is no secrets, a missing MOSAIC_SECRETS_FILE and a bad line are errors without values', () => {
    expect(readSecretsFile(join(root, 'nope.env'))).toEqual({});
    expect(() => readSecretsFile(join(root, 'nope.env'), true)).toThrow(/MOSAIC_SECRETS_FILE .*nope\.env does not exist/);
    expect(() => parseSecretsFile('GOOD=1\nnot a line with s3cret\n', 'f.env')).toThrow(/^f\.env:2: expected NAME=value$/);
  });

  it('on Lambda: MOSAIC_SECRET_REFS resolved through the Parameters and Secrets extension (SSM, Secrets Manager with a JSON key)', async () => {
    const urls: string[] = [];
    const fetchImpl = (async (url: string, init: { headers: Record<string, string> }) => {
      urls.push(url);
      expect(init.headers['X-Aws-Parameters-Secrets-Token']).toBe('session');
      const body = url.includes('/systemsmanager/') ? { Parameter: { Value: 'from-ssm' } } : { SecretString: JSON.stringify({ apiKey: 'from-sm' }) };
      return new Response(JSON.stringify(body), { status: 200 });
    }) as unknown as typeof fetch;
    const env = {
      AWS_SESSION_TOKEN: 'session',
      MOSAIC_SECRET_REFS: JSON.stringify({ TOKEN: { ssm: '/mosaic/token' }, API_KEY: { secretsManager: 'arn:aws:secretsmanager:eu-west-1:1:secret:x-AbCdEf', key: 'apiKey' } }),
    };
    expect(await resolveFunctionSecrets(env, extensionSecretFetcher(env, fetchImpl))).toEqual({ TOKEN: 'from-ssm', API_KEY: 'from-sm' });
    expect(urls.sort()).toEqual([
      'http://localhost:2773/secretsmanager/get?secretId=arn%3Aaws%3Asecretsmanager%3Aeu-west-1%3A1%3Asecret%3Ax-AbCdEf',
      'http://localhost:2773/systemsmanager/parameters/get?name=%2Fmosaic%2Ftoken&withDecryption=true',
    ]);
    expect(await resolveFunctionSecrets({})).toEqual({});
  });

  it('on Fargate: values ECS injected are taken and removed from the environment; a failed read names the secret only', async () => {
    const env: Record<string, string | undefined> = { MOSAIC_SECRET_REFS: JSON.stringify({ TOKEN: { ssm: '/mosaic/token' } }), MOSAIC_SECRET_VALUE_TOKEN: 'injected' };
    expect(await resolveFunctionSecrets(env, async () => 'unused')).toEqual({ TOKEN: 'injected' });
    expect(env.MOSAIC_SECRET_VALUE_TOKEN).toBeUndefined();
    const failing = { MOSAIC_SECRET_REFS: JSON.stringify({ TOKEN: { ssm: '/mosaic/token' } }) };
    await expect(resolveFunctionSecrets(failing, async () => { throw new Error('the extension answered 400'); })).rejects.toThrow(/secret TOKEN \(SSM parameter \/mosaic\/token\) could not be read/);
  });
});
