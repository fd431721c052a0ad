/**
 * Locates the VMAF v0.6.1 model for libvmaf 1.x (.pkl plus .pkl.model side by side): an explicit
 * path, else a cached copy, else one download from the Netflix/vmaf repository at a pinned tag,
 * checked by sha256. Offline, it says so and how to point at a local copy.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RuntimeConfig } from './config.js';

const PINNED = 'https://raw.githubusercontent.com/Netflix/vmaf/v1.5.3/model';
const FILES = {
  'vmaf_v0.6.1.pkl': '5bc3153113be986e919d6135c6c4e0506b0d260f6b28407642faf8c4708fba80',
  'vmaf_v0.6.1.pkl.model': 'e5a590c483ebec388aa0c5ecc88aeda354a0e4fcd94b52db0cc4d4c1ba17c29d',
} as const;

export type VmafModel = { path: string; reason: null } | { path: null; reason: string };

let cached: Promise<VmafModel> | null = null;

export function resolveVmafModel(config: RuntimeConfig): Promise<VmafModel> {
  cached ??= locate(config);
  return cached;
}

async function locate(config: RuntimeConfig): Promise<VmafModel> {
  if (config.vmafModelPath) {
    if (!existsSync(config.vmafModelPath)) return { path: null, reason: `MOSAIC_VMAF_MODEL points at a missing file: ${config.vmafModelPath}` };
    if (config.vmafModelPath.endsWith('.pkl') && !existsSync(`${config.vmafModelPath}.model`))
      return { path: null, reason: `${config.vmafModelPath}.model must sit beside ${config.vmafModelPath} (libvmaf 1.x reads both)` };
    return { path: config.vmafModelPath, reason: null };
  }
  const dir = join(config.cacheDir, 'vmaf');
  const target = join(dir, 'vmaf_v0.6.1.pkl');
  if (existsSync(target) && existsSync(`${target}.model`)) return { path: target, reason: null };
  if (!config.allowModelDownload)
    return { path: null, reason: 'no VMAF model: set MOSAIC_VMAF_MODEL=/path/to/vmaf_v0.6.1.pkl (with its .pkl.model beside it)' };
  try {
    await mkdir(dir, { recursive: true });
    for (const [name, sha] of Object.entries(FILES)) {
      const res = await fetch(`${PINNED}/${name}`, { signal: AbortSignal.timeout(15_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status} for ${name}`);
      const body = Buffer.from(await res.arrayBuffer());
      const got = createHash('sha256').update(body).digest('hex');
      if (got !== sha) throw new Error(`${name}: sha256 ${got} is not the pinned ${sha}`);
      await writeFile(`${join(dir, name)}.part`, body);
      await rename(`${join(dir, name)}.part`, join(dir, name));
    }
    return { path: target, reason: null };
  } catch (e) {
    return {
      path: null,
      reason: `VMAF model could not be downloaded (${(e as Error).message}); offline? set MOSAIC_VMAF_MODEL=/path/to/vmaf_v0.6.1.pkl`,
    };
  }
}

/** Verifies a local model against the pinned hashes (used by tests and `mosaic doctor`). */
export async function modelMatchesPinned(pklPath: string): Promise<boolean> {
  const sum = async (p: string) => createHash('sha256').update(await readFile(p)).digest('hex');
  return (await sum(pklPath)) === FILES['vmaf_v0.6.1.pkl'] && (await sum(`${pklPath}.model`)) === FILES['vmaf_v0.6.1.pkl.model'];
}
