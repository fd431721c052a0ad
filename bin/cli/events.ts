/**
 * `mosaic events put <event.json> [--out DIR] [--json]`: puts one event on the local buses of the
 * engine in DIR (an `aws.*` source on the default bus, anything else on the platform bus), runs
 * every rule it fires — and everything those fire in turn — to the end, and prints each firing and
 * what it did. Exit 0 when done, 2 on bad input (one line saying why).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  formatIssues,
  BusEventSchema,
  DetailTypes,
  FactsAssertedDetailSchema,
  FunctionResultDetailSchema,
  JobAlertDetailSchema,
  JobStatusChangedSchema,
  PresetVersionChangedDetailSchema,
  RuleDetailTypes,
  isPlainObject,
  type BusEvent,
} from '../../lambdas/contracts/index.js';
import { setLogLevel } from '../../lambdas/runtime/observability.js';
import { LocalEngine } from '../../local/engine.js';
import { LocalRuleRuntime, toEnvelope, type FiringReport } from '../../local/rule-runtime.js';
import { parallelismFromEnv, runtimeConfigFromEnv } from '../environment.js';

import { EVENTS_USAGE } from './startup.js';

export { EVENTS_USAGE };

/** Details the platform defines: an event of these types must have its detail's shape. */
const KNOWN_DETAILS = {
  [DetailTypes.JobStatusChanged]: JobStatusChangedSchema,
  [RuleDetailTypes.FunctionResult]: FunctionResultDetailSchema,
  [RuleDetailTypes.FactsAsserted]: FactsAssertedDetailSchema,
  [RuleDetailTypes.PresetVersionChanged]: PresetVersionChangedDetailSchema,
  [RuleDetailTypes.JobAlert]: JobAlertDetailSchema,
} as const;

class InputError extends Error {}

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}
const stdio: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

/** The event of `text`, checked; fields EventBridge assigns are filled in when absent. */
export function parseEventFile(text: string, path: string): BusEvent {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  if (!isPlainObject(json)) throw new InputError(`${path} must hold one event (a JSON object with "source", "detail-type" and "detail")`);
  const parsed = BusEventSchema.safeParse(json);
  if (!parsed.success) throw new InputError(`${path}: ${formatIssues(parsed.error)}`);
  const e = parsed.data;
  const schema = e.source === 'mosaic' ? KNOWN_DETAILS[e['detail-type'] as keyof typeof KNOWN_DETAILS] : undefined;
  if (schema) {
    const d = schema.safeParse(e.detail ?? {});
    if (!d.success) throw new InputError(`${path}: detail of "${e['detail-type']}": ${formatIssues(d.error)}`);
  }
  return { ...toEnvelope({ source: e.source, detailType: e['detail-type'], detail: e.detail ?? {} }), ...e };
}

function describe(r: FiringReport): string {
  const head = `${r.rule} (${r.via === 'rule-engine' ? 'rule engine' : 'direct'}) on "${r.detailType}"${r.subject ? ` for ${r.subject}` : ''}`;
  if (r.duplicate) return `${head}: already fired for this event, nothing done`;
  const actions = r.actions.map((a) => {
    const res = a.result as { status?: string; jobId?: string; reason?: string } | undefined;
    if (a.type === 'start-workflow') return res?.status === 'ignored' ? `start ${a.target}: ignored (${res.reason})` : `start ${a.target}: job ${res?.jobId} ${res?.status}`;
    if (a.type === 'invoke-function') return `invoke ${a.target}: done`;
    if (a.type === 'put-event') return `put "${a.target}"`;
    return `assert ${a.target}`;
  });
  return `${head}: ${actions.join('; ') || 'no actions'}${r.error ? `; FAILED: ${r.error}` : ''}`;
}

export async function eventsCommand(args: string[], io: Io = stdio): Promise<number> {
  const [sub, ...rest] = args;
  try {
    if (sub !== 'put') throw new InputError(`unknown events command "${sub ?? ''}"\nusage:\n${EVENTS_USAGE}`);
    const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { out: { type: 'string', default: 'mosaic-out' }, json: { type: 'boolean', default: false } } });
    if (positionals.length !== 1) throw new InputError(`events put takes one event file\nusage:\n${EVENTS_USAGE}`);
    let text: string;
    try {
      text = readFileSync(positionals[0], 'utf8');
    } catch (e) {
      throw new InputError(`cannot read ${positionals[0]}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const event = parseEventFile(text, positionals[0]);
    return await put(event, resolve(values.out), values.json, io);
  } catch (e) {
    if (e instanceof InputError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`mosaic: ${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  }
}

async function put(event: BusEvent, out: string, json: boolean, io: Io): Promise<number> {
  setLogLevel('SILENT');
  const engine = await LocalEngine.open({ root: out, runtime: runtimeConfigFromEnv(), parallelism: parallelismFromEnv() });
  const firings: FiringReport[] = [];
  const say = (r: FiringReport) => {
    firings.push(r);
    io.out(json ? `${JSON.stringify({ type: 'firing', ...r })}\n` : `fired ${describe(r)}\n`);
  };
  let runtime: LocalRuleRuntime | null = null;
  try {
    runtime = await LocalRuleRuntime.start(engine, { onFiring: say });
    const bus = event.source.startsWith('aws.') ? 'default' : 'platform';
    const matched = runtime.put(event, bus);
    if (!json) io.out(`put "${event['detail-type']}" (${event.source}) on the ${bus} bus: ${matched.length ? `matches ${matched.join(', ')}` : 'matches no rule'}\n`);
    await runtime.idle();
    const jobs = firings.flatMap((f) => f.actions).map((a) => a.result as { status?: string; jobId?: string } | undefined).filter((r) => r?.status === 'started' && r.jobId);
    for (const j of jobs) {
      const job = await engine.jobs.getJob(j!.jobId!);
      if (job) io.out(json ? `${JSON.stringify({ type: 'job', id: job.id, status: job.status, preset: job.spec.preset, error: job.error })}\n` : `job ${job.id}: ${job.status}${job.error ? ` (${job.error.code}: ${job.error.message})` : ''}\n`);
    }
    const failed = firings.filter((f) => f.error);
    if (json) io.out(`${JSON.stringify({ type: 'result', matched, firings: firings.length, failed: failed.length })}\n`);
    return failed.length ? 1 : 0;
  } finally {
    runtime?.close();
    engine.close();
  }
}
