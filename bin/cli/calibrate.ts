/**
 * `mosaic calibrate [--out DIR] [--quick] [--codecs h264,hevc,av1,vp9] [--json]`: times short real encodes on this machine and
 * stores the allocator's speed table in the output folder's state (where `mosaic encode` and
 * `mosaic serve` read it); every encode afterwards keeps refining it.
 */
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { VideoCodecSchema } from '../../lambdas/contracts/index.js';
import { resolveMediaTools } from '../../lambdas/runtime/index.js';
import { calibrate, defaultCases } from '../../local/calibrate.js';
import { SqliteJobStore } from '../../local/sqlite-job-store.js';
import { STATE_DIR } from './startup.js';
import { mkdir } from 'node:fs/promises';
import { runtimeConfigFromEnv } from '../environment.js';
import { table } from './tables.js';

export { CALIBRATE_USAGE } from './startup.js';

export async function calibrateCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { out: { type: 'string', default: 'mosaic-out' }, quick: { type: 'boolean', default: false }, codecs: { type: 'string', default: 'h264' }, json: { type: 'boolean', default: false } } });
  // Which codecs' encoders to time (h264 by default; hevc, av1 and vp9 take their presets' settings).
  const codecs = values.codecs.split(',').map((c) => c.trim()).filter(Boolean);
  const bad = codecs.filter((c) => !VideoCodecSchema.safeParse(c).success);
  if (bad.length || !codecs.length) {
    process.stderr.write(`--codecs: unknown codec ${bad.join(', ') || '(none)'}; known: ${VideoCodecSchema.options.join(', ')}\n`);
    return 2;
  }
  const root = resolve(values.out);
  await mkdir(join(root, STATE_DIR), { recursive: true });
  const config = runtimeConfigFromEnv();
  const tools = await resolveMediaTools({ ...config, scratchRoot: config.scratchRoot ?? join(root, STATE_DIR, 'scratch') });
  const jobs = new SqliteJobStore(join(root, STATE_DIR, 'mosaic.db'));
  try {
    let cases = defaultCases(cpus().length, codecs.map((c) => VideoCodecSchema.parse(c)));
    // --quick: no 1080p rungs and no thread-scaling runs (about half the time).
    if (values.quick) cases = cases.filter((c) => c.height <= 720 && c.threads === 1);
    if (!values.json) process.stdout.write(`Calibrating the speed model with ${cases.length} timed encodes (${cpus().length} cores)…\n`);
    const { rows, table: speeds } = await calibrate({
      tools,
      jobs,
      scratchDir: join(root, STATE_DIR, 'scratch', `calibrate-${process.pid}`),
      cases,
      onResult: (r) => !values.json && process.stdout.write(`  ${r.source.width}x${r.source.height}${r.source.clean ? ' clean' : ''} → ${r.width}x${r.height} ${r.codec} ${r.encoderPreset} ${r.threads} thread(s): ${r.seconds.toFixed(2)} s\n`),
    });
    const measured = Object.values(speeds).filter((e) => e.samples > 0);
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ rows, speeds: measured })}\n`);
      return 0;
    }
    process.stdout.write(
      '\n' +
        table(
          ['source', 'rung', 'codec', 'preset', 'threads', 'frames', 'seconds', 'fps', 'model before (s)'],
          rows.map((r) => [`${r.source.width}x${r.source.height}${r.source.clean ? ' clean' : ''}`, `${r.width}x${r.height}`, r.codec, r.encoderPreset, r.threads, r.frames, r.seconds.toFixed(2), (r.frames / r.seconds).toFixed(1), r.predictedBefore.toFixed(2)]),
        ) +
        '\n\n' +
        table(['speed table key', 'fps per vCPU (reference size)', 'samples'], measured.map((e) => [e.key, e.fpsPerVcpu.toFixed(2), e.samples])) +
        `\n\nStored in ${join(root, STATE_DIR, 'mosaic.db')}\n`,
    );
    return 0;
  } finally {
    jobs.close();
  }
}
