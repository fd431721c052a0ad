/**
 * Matcher throughput: 100 realistic rules (the shipped rules' patterns plus generated ones: S3
 * uploads with prefixes, case-insensitive suffixes and sizes, job and step status events, numeric
 * ranges, anything-but, $or, wildcards, cidr) against 100,000 realistic events from a seeded PRNG.
 * Every rule is evaluated on every event; the figure is pattern evaluations per second after a
 * warm-up (best of the timed passes). Target: at least 1,000,000 evaluations/s.
 *
 *   npm run bench -- rules [--rules N] [--events N] [--passes N] [--seed N]
 */
import { parseArgs } from 'node:util';
import { cpus } from 'node:os';
import { LOCAL_RULE_SUBSTITUTIONS, type EventPattern } from '../lambdas/contracts/index.js';
import { compilePattern } from '../lambdas/core/event-pattern/index.js';
import { evaluate } from '../lambdas/core/rules/index.js';
import { loadRules } from '../local/rules-loader.js';
import { prng } from './util.js';

const TARGET_EVALS_PER_SEC = 1_000_000;


const BUCKETS = [LOCAL_RULE_SUBSTITUTIONS.SourceBucket, 'mosaic-prod-sources-123456789012-eu-west-1', 'partner-drop-zone', 'archive-ingest', 'qa-uploads'];
const FOLDERS = ['default', 'draft', 'hdr', 'archive', 'partner-a', 'partner-b', 'trailers', 'promos'];
const EXTENSIONS = ['mov', 'MOV', 'mp4', 'MP4', 'Mp4', 'mkv', 'webm', 'mxf', 'avi', 'wav', 'mp3', 'FLAC', 'm4a', 'txt', 'json', 'srt', 'jpg'];
const FUNCTIONS = ['inspect', 'plan', 'encode-video', 'encode-audio', 'assemble', 'measure-quality', 'package', 'thumbnails', 'publish', 'normalize-audio'];
const JOB_STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'];
const STEP_STATUSES = ['RUNNING', 'SUCCEEDED', 'CACHED', 'FAILED', 'ABANDONED'];
const ERROR_CODES = ['Mosaic.InputInvalid', 'Mosaic.Transient', 'Mosaic.ResourceExhausted', 'Runtime.OutOfMemory', 'States.Timeout'];
const PRESETS = ['default', 'draft', 'hdr'];

function generatedPatterns(n: number, rnd: () => number): EventPattern[] {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const some = <T>(xs: readonly T[], k: number) => [...new Set(Array.from({ length: k }, () => pick(xs)))];
  const makers: (() => EventPattern)[] = [
    // S3 uploads: bucket, folder prefix, case-insensitive suffixes, a size range.
    () => ({ source: ['aws.s3'], 'detail-type': ['Object Created'], detail: { bucket: { name: [pick(BUCKETS)] }, object: { key: [{ prefix: `inbox/${pick(FOLDERS)}/` }] } } }),
    () => ({ source: ['aws.s3'], 'detail-type': ['Object Created'], detail: { object: { key: some(EXTENSIONS, 3).map((e) => ({ suffix: { 'equals-ignore-case': `.${e.toLowerCase()}` } })), size: [{ numeric: ['>', 1024, '<=', 5e9] }] } } }),
    () => ({ source: ['aws.s3'], detail: { object: { key: [{ wildcard: `inbox/${pick(FOLDERS)}/*.${pick(EXTENSIONS)}` }] }, reason: ['PutObject', 'CompleteMultipartUpload'] } }),
    () => ({ source: ['aws.s3'], 'detail-type': ['Object Created'], detail: { bucket: { name: [{ 'anything-but': { prefix: 'qa-' } }] }, object: { key: [{ 'anything-but': { suffix: '.json' } }] } } }),
    () => ({ source: ['aws.s3'], detail: { 'source-ip-address': [{ cidr: `10.${Math.floor(rnd() * 4)}.0.0/16` }], object: { size: [{ numeric: ['>=', 1e6] }] } } }),
    // Job and step events on the platform bus.
    () => ({ source: ['mosaic'], 'detail-type': ['Job Status Changed'], detail: { status: some(JOB_STATUSES, 2) } }),
    () => ({ source: ['mosaic'], 'detail-type': ['Job Status Changed'], detail: { status: ['FAILED'], error: { code: some(ERROR_CODES, 2) } } }),
    () => ({ source: ['mosaic'], 'detail-type': ['Job Status Changed'], detail: { status: [{ 'anything-but': ['QUEUED', 'RUNNING'] }], preset: [pick(PRESETS)] } }),
    () => ({ source: ['mosaic'], 'detail-type': ['Step Status Changed'], detail: { function: some(FUNCTIONS, 2), status: [pick(STEP_STATUSES)] } }),
    () => ({ source: ['mosaic'], 'detail-type': ['Step Status Changed'], detail: { status: ['SUCCEEDED'], durationMs: [{ numeric: ['>', Math.floor(rnd() * 60_000)] }] } }),
    () => ({ source: ['mosaic'], 'detail-type': ['Step Progress'], detail: { function: [pick(FUNCTIONS)], fraction: [{ numeric: ['>=', 0.5, '<', 1] }] } }),
    () => ({ source: ['mosaic'], 'detail-type': ['Step Progress'], detail: { speed: [{ numeric: ['<', 0.5] }], fps: [{ exists: true }] } }),
    () => ({ source: ['mosaic'], 'detail-type': ['Function Result'], detail: { function: [pick(FUNCTIONS)], status: ['SUCCEEDED'], result: { bytes: [{ numeric: ['>', 1e6] }] } } }),
    () => ({ source: ['mosaic'], $or: [{ 'detail-type': ['Job Status Changed'], detail: { status: ['FAILED'] } }, { 'detail-type': ['Step Status Changed'], detail: { status: ['FAILED', 'ABANDONED'] } }] }),
    () => ({ source: ['mosaic'], detail: { jobId: [{ wildcard: `up-${Math.floor(rnd() * 16).toString(16)}*` }], $or: [{ stepId: [{ prefix: 'encode-' }] }, { function: ['package', 'publish'] }] } }),
    () => ({ source: [{ 'equals-ignore-case': 'MOSAIC' }], 'detail-type': [{ prefix: 'Step ' }], detail: { function: [{ 'anything-but': { wildcard: 'encode-*' } }] } }),
  ];
  return Array.from({ length: n }, (_, i) => makers[i % makers.length]());
}

function events(n: number, rnd: () => number): unknown[] {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const hex = (len: number) => Array.from({ length: len }, () => Math.floor(rnd() * 16).toString(16)).join('');
  const envelope = (source: string, detailType: string, detail: Record<string, unknown>, resources: string[] = []) => ({
    version: '0',
    id: `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`,
    'detail-type': detailType,
    source,
    account: '123456789012',
    time: '2025-06-01T12:00:00Z',
    region: 'eu-west-1',
    resources,
    detail,
  });
  const jobId = () => `up-${hex(32)}`;
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const r = rnd();
    if (r < 0.3) {
      const bucket = pick(BUCKETS);
      const key = rnd() < 0.8 ? `inbox/${pick(FOLDERS)}/${hex(6)} take ${Math.floor(rnd() * 9)}.${pick(EXTENSIONS)}` : `.mosaic/work/${jobId()}/chunk-${Math.floor(rnd() * 40)}.mp4`;
      out.push(
        envelope('aws.s3', 'Object Created', {
          version: '0',
          bucket: { name: bucket },
          object: { key, size: Math.floor(rnd() * 2e9), etag: hex(32), 'version-id': hex(32), sequencer: hex(16) },
          'request-id': hex(16).toUpperCase(),
          requester: '123456789012',
          'source-ip-address': `10.${Math.floor(rnd() * 8)}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}`,
          reason: rnd() < 0.9 ? 'PutObject' : 'CompleteMultipartUpload',
        }, [`arn:aws:s3:::${bucket}`]),
      );
    } else if (r < 0.55) {
      out.push(envelope('mosaic', 'Step Progress', { jobId: jobId(), stepId: `encode-${Math.floor(rnd() * 7)}-${Math.floor(rnd() * 30)}`, function: pick(FUNCTIONS), fraction: rnd(), fps: 20 + rnd() * 200, speed: rnd() * 4 }));
    } else if (r < 0.75) {
      const status = pick(STEP_STATUSES);
      out.push(envelope('mosaic', 'Step Status Changed', { jobId: jobId(), stepId: `${pick(FUNCTIONS)}-${Math.floor(rnd() * 30)}`, function: pick(FUNCTIONS), status, durationMs: status === 'RUNNING' ? null : Math.floor(rnd() * 120_000), error: status === 'FAILED' ? pick(ERROR_CODES) : null }));
    } else if (r < 0.9) {
      const status = pick(JOB_STATUSES);
      out.push(envelope('mosaic', 'Job Status Changed', { jobId: jobId(), status, preset: pick(PRESETS), presetVersion: 1 + Math.floor(rnd() * 3), sourceKey: `inbox/${hex(6)}.mov`, error: status === 'FAILED' ? { code: pick(ERROR_CODES), message: 'failed' } : null }));
    } else {
      out.push(envelope('mosaic', 'Function Result', { function: pick(FUNCTIONS), jobId: jobId(), status: rnd() < 0.9 ? 'SUCCEEDED' : 'FAILED', result: { key: `${jobId()}/out.mp4`, bytes: Math.floor(rnd() * 5e7), durationSec: rnd() * 600 } }));
    }
  }
  return out;
}

export async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { rules: { type: 'string', default: '100' }, events: { type: 'string', default: '100000' }, passes: { type: 'string', default: '3' }, seed: { type: 'string', default: '42' } },
  });
  const ruleCount = Number(values.rules);
  const eventCount = Number(values.events);
  const passes = Math.max(1, Number(values.passes));
  const rnd = prng(Number(values.seed));

  const shipped = loadRules({ substitutions: LOCAL_RULE_SUBSTITUTIONS });
  const patterns = [...shipped.rules.map((r) => r.on), ...generatedPatterns(Math.max(0, ruleCount - shipped.rules.length), rnd)].slice(0, ruleCount);
  const compileStart = performance.now();
  const matchers = patterns.map((p) => compilePattern(p));
  const compileMs = performance.now() - compileStart;
  const evs = events(eventCount, rnd);

  const pass = (list: unknown[]): number => {
    let matches = 0;
    for (const e of list) for (let r = 0; r < matchers.length; r++) if (matchers[r](e)) matches++;
    return matches;
  };

  console.log(`rules benchmark: ${matchers.length} rules (${shipped.rules.length} shipped + ${matchers.length - shipped.rules.length} generated) × ${evs.length.toLocaleString('en')} events, seed ${values.seed}`);
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; compiled the ${matchers.length} patterns in ${compileMs.toFixed(1)} ms`);
  pass(evs.slice(0, Math.min(evs.length, 20_000))); // warm-up: let V8 optimise the closures
  let best = Infinity;
  let matches = 0;
  for (let i = 0; i < passes; i++) {
    const t0 = performance.now();
    matches = pass(evs);
    const ms = performance.now() - t0;
    best = Math.min(best, ms);
    console.log(`  pass ${i + 1}: ${ms.toFixed(0)} ms`);
  }
  const evaluations = matchers.length * evs.length;
  const perSec = evaluations / (best / 1000);
  console.log(`pattern evaluations: ${evaluations.toLocaleString('en')} in ${best.toFixed(0)} ms (best pass)`);
  console.log(`throughput: ${Math.round(perSec).toLocaleString('en')} evaluations/s, ${((best * 1e6) / evaluations).toFixed(1)} ns/eval, ${Math.round(evs.length / (best / 1000)).toLocaleString('en')} events/s through all ${matchers.length} rules`);
  console.log(`matches: ${matches.toLocaleString('en')} (${((matches / evaluations) * 100).toFixed(2)}% of evaluations; ${(matches / evs.length).toFixed(2)} rules per event)`);

  // For scale: the whole rule-engine step (match, `if` over facts, planned actions) on the shipped rules.
  const sample = evs.slice(0, Math.min(evs.length, 20_000));
  const t1 = performance.now();
  let firings = 0;
  for (const e of sample) firings += evaluate(shipped, e).length;
  const evaluateMs = performance.now() - t1;
  console.log(`evaluate() with the ${shipped.rules.length} shipped rules: ${Math.round(sample.length / (evaluateMs / 1000)).toLocaleString('en')} events/s (${firings} firings in ${sample.length.toLocaleString('en')} events)`);

  const ok = perSec >= TARGET_EVALS_PER_SEC;
  console.log(`${ok ? 'PASS' : 'FAIL'}: ${Math.round(perSec).toLocaleString('en')} evaluations/s ${ok ? '≥' : '<'} target ${TARGET_EVALS_PER_SEC.toLocaleString('en')}`);
  return ok ? 0 : 1;
}
