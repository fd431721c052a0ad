/**
 * Scratch folders carry the pid of the process that made them (`mosaic-scratch-<pid>-<fn>-XXXXXX`),
 * so a later start can tell the leftovers of a run that died (kill -9, OOM, power loss) from the
 * folders of processes still at work, and remove only the former.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

export const SCRATCH_DIR_PREFIX = 'mosaic-scratch-';

/** mkdtemp prefix of this process's scratch folders for function `fn`. */
export function scratchDirPrefix(fn: string, pid = process.pid): string {
  return `${SCRATCH_DIR_PREFIX}${pid}-${fn}-`;
}

/** The pid in a scratch folder's name, or null for any other name. */
export function scratchDirPid(name: string): number | null {
  const m = /^mosaic-scratch-(\d+)-/.exec(name);
  return m ? Number(m[1]) : null;
}

/** Whether a process with this pid exists (signal 0 probes without signalling; EPERM: it exists, not ours). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the scratch folders under `root` whose process is gone; this process's and live
 * processes' are left alone, and so is everything not named like a scratch folder. Returns the
 * names removed.
 */
export async function removeDeadScratch(root: string, alive: (pid: number) => boolean = pidAlive): Promise<string[]> {
  const removed: string[] = [];
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const pid = scratchDirPid(e.name);
    if (pid === null || pid === process.pid || alive(pid)) continue;
    await rm(join(root, e.name), { recursive: true, force: true });
    removed.push(e.name);
  }
  return removed;
}
