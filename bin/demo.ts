/**
 * `npm run demo`: makes a 20 s 720p clip with ffmpeg's lavfi sources (test pattern + tone) and
 * encodes it with `mosaic encode` on the embedded engine.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveMediaTools } from '../lambdas/runtime/binaries.js';
import { runtimeConfigFromEnv } from './environment.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = resolve(root, 'mosaic-out');
mkdirSync(out, { recursive: true });
const clip = join(out, 'demo-source.mp4');
const config = runtimeConfigFromEnv();
const tools = await resolveMediaTools({ ...config, scratchRoot: out });
if (!existsSync(clip)) {
  console.log(`Making a 20 s test clip with ${tools.ffmpeg} ...`);
  const r = spawnSync(tools.ffmpeg, [
    '-hide_banner', '-v', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=24',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', '20', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-g', '48', '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-b:a', '128k', clip,
  ], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
// Beside a checkout with the shared test assets, use their VMAF model instead of downloading one.
const sharedModel = resolve(root, '../shared/vmaf/vmaf_v0.6.1.pkl');
const env = { ...process.env, ...(!process.env.MOSAIC_VMAF_MODEL && existsSync(sharedModel) ? { MOSAIC_VMAF_MODEL: sharedModel } : {}) };
const r = spawnSync(process.execPath, [join(root, 'bin/mosaic.js'), 'encode', clip, '--out', out], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
