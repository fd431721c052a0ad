/**
 * `mosaic serve`: the Jobs API on this machine, running jobs on the embedded engine.
 *
 *   mosaic serve [--port 8787] [--host 127.0.0.1] [--out DIR] [--max-upload-mb N] [--max-jobs N] [--allow-private-webhooks] [--json] [--verbose]
 *
 * On first start it creates an API key, a webhook signing secret and a URL signing secret under
 * `<out>/.mosaic/` (mode 0600) and prints the key and the webhook secret; at every start it prints a
 * new one-time sign-in URL for the web UI (served at `/`; valid 10 minutes). Jobs a previous server
 * left unfinished resume. SIGINT/SIGTERM stop it gracefully: running jobs are suspended and
 * resume on the next start.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { setLogLevel } from '../../lambdas/runtime/observability.js';
import { startLocalApiServer } from '../../local/api-server.js';
import { LocalEngine, STATE_DIR } from '../../local/engine.js';
import { InboxWatcher } from '../../local/inbox-watcher.js';
import { LocalRuleRuntime } from '../../local/rule-runtime.js';
import { parallelismFromEnv, runtimeConfigFromEnv } from '../environment.js';

export { SERVE_USAGE } from './startup.js';

/** Reads a secret file, or creates it (0600) with a new random value; a concurrent creator wins the race. */
export function loadOrCreateSecret(path: string, prefix: string): { value: string; created: boolean } {
  try {
    return { value: readFileSync(path, 'utf8').trim(), created: false };
  } catch {
    const value = `${prefix}${randomBytes(24).toString('base64url')}`;
    try {
      writeFileSync(path, `${value}\n`, { mode: 0o600, flag: 'wx' });
      return { value, created: true };
    } catch {
      return { value: readFileSync(path, 'utf8').trim(), created: false };
    }
  }
}

function positiveInt(v: string | undefined, name: string, min = 0): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw Object.assign(new Error(`--${name} must be an integer ≥ ${min}`), { usage: true });
  return n;
}

export async function serve(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      port: { type: 'string', default: '8787' },
      host: { type: 'string', default: '127.0.0.1' },
      out: { type: 'string', default: 'mosaic-out' },
      'max-upload-mb': { type: 'string' },
      'max-jobs': { type: 'string' },
      // Webhooks to loopback, private and link-local addresses (a receiver on this machine or LAN).
      'allow-private-webhooks': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    },
  });
  if (positionals.length) throw Object.assign(new Error('serve takes no positional arguments'), { usage: true });
  const port = positiveInt(values.port, 'port')!;
  if (port > 65535) throw Object.assign(new Error('--port must be at most 65535'), { usage: true });
  const maxUploadMb = positiveInt(values['max-upload-mb'], 'max-upload-mb', 1);
  const maxJobs = positiveInt(values['max-jobs'], 'max-jobs', 1);
  setLogLevel(values.verbose ? 'INFO' : 'SILENT');

  const out = resolve(values.out);
  const state = join(out, STATE_DIR);
  mkdirSync(state, { recursive: true, mode: 0o700 });
  const apiKey = loadOrCreateSecret(join(state, 'api-key'), 'mk_');
  const webhookSecret = loadOrCreateSecret(join(state, 'webhook-secret'), 'whsec_');
  const linkSecret = loadOrCreateSecret(join(state, 'link-secret'), '');

  const engine = await LocalEngine.open({ root: out, runtime: runtimeConfigFromEnv(), parallelism: parallelismFromEnv() });
  const server = await startLocalApiServer({
    engine,
    apiKey: apiKey.value,
    webhookSecret: webhookSecret.value,
    linkSecret: linkSecret.value,
    host: values.host,
    port,
    ...(maxUploadMb ? { maxUploadBytes: maxUploadMb * 1024 * 1024 } : {}),
    ...(maxJobs ? { maxConcurrentJobs: maxJobs } : {}),
    allowPrivateWebhooks: values['allow-private-webhooks'],
    ui: 'eager',
  }).catch((e: NodeJS.ErrnoException) => {
    engine.close();
    throw e.code === 'EADDRINUSE' ? new Error(`port ${port} on ${values.host} is in use; pick another with --port`) : e;
  });

  // Rules on the local buses; a file dropped under <out>/inbox/ is an S3 upload (ingest rules).
  // Jobs rules start share the API's bounded queue. In --json mode the first line stays the
  // `listening` one: firings before it are held back.
  let held: string[] | null = [];
  const rules = await LocalRuleRuntime.start(engine, {
    submitJob: (spec, jobId) => server.control.submit(spec, { jobId }),
    startWorkflowJob: (name, request, jobId) => server.control.startWorkflow(name, request, { jobId }),
    onFiring: (r) => {
      const line = `${JSON.stringify({ type: 'firing', ...r })}\n`;
      if (values.json) held ? held.push(line) : process.stdout.write(line);
      else if (r.error) process.stderr.write(`mosaic: rule ${r.rule} failed: ${r.error}\n`);
    },
  });
  const inbox = await InboxWatcher.start({ root: out, onEvent: (event) => void rules.put(event, 'default') });

  const signInUrl = server.signInUrl();
  if (values.json)
    process.stdout.write(
      `${JSON.stringify({ type: 'listening', url: server.url, port: server.port, signInUrl, apiKey: apiKey.value, apiKeyFile: join(state, 'api-key'), webhookSecret: webhookSecret.value, out, recovered: server.recovered })}\n`,
    );
  else {
    process.stdout.write(`Mosaic API listening on ${server.url}  (docs ${server.url}/docs, ${engine.parallelism} workers, outputs in ${out})\n`);
    process.stdout.write(`  web UI:         ${signInUrl}  (one-time sign-in link, valid 10 minutes; or open ${server.url}/ and paste the API key)\n`);
    process.stdout.write(`  API key:        ${apiKey.value}${apiKey.created ? '  (new; ' : '  ('}stored in ${join(state, 'api-key')})\n`);
    process.stdout.write(`  webhook secret: ${webhookSecret.value}  (verify Mosaic-Signature with it)\n`);
    process.stdout.write(`  try: curl -H "x-api-key: ${apiKey.value}" ${server.url}/v1/jobs\n`);
    process.stdout.write(`  inbox:          drop media under ${inbox.dir} (inbox/<preset>/… picks a preset); ${rules.rules.rules.length} rules\n`);
    if (server.recovered.length) process.stdout.write(`  resuming ${server.recovered.length} unfinished job(s): ${server.recovered.join(', ')}\n`);
    if (!engine.vmaf.path) process.stdout.write(`  VMAF unavailable: ${engine.vmaf.reason}\n`);
  }
  for (const line of held) process.stdout.write(line);
  held = null;

  return new Promise<number>((done) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      if (!values.json) process.stdout.write(`\n${signal}: stopping; running jobs will resume on the next start\n`);
      inbox.close();
      rules.close();
      server
        .close()
        .then(() => engine.close())
        .then(
          () => done(0),
          (e: Error) => {
            process.stderr.write(`mosaic: stopping failed: ${e.message}\n`);
            done(1);
          },
        );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}
