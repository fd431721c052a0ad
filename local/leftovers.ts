/**
 * What runs that died (kill -9, power loss) leave behind, removed at the next start of the
 * engine: scratch folders of processes that are gone (lambdas/runtime/scratch-dirs.ts), partial
 * uploads of such processes, and `.mosaic/work/<id>/` of runs nobody will resume — no job on
 * record (previews, single invocations) or a job already SUCCEEDED or CANCELLED. Work of QUEUED
 * and RUNNING jobs (resumed from it) and of FAILED ones (a retry reuses it) stays.
 */
import { readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { WORK_ROOT } from '../lambdas/contracts/index.js';
import type { JobRepository } from '../lambdas/ports.js';
import { pidAlive, removeDeadScratch } from '../lambdas/runtime/scratch-dirs.js';

export interface Leftovers {
  scratch: string[];
  uploads: string[];
  work: string[];
}

/** Name of a partial upload of this process: `<pid>-<random>`, so a later start can tell whose it was. */
export const uploadTempName = (random: string): string => `${process.pid}-${random}`;

/**
 * `stateDir` is the engine's `<root>/.mosaic`: the private prefix of the blob store rooted at
 * `<root>`, so the work of job `<id>` is the folder of key `workPrefix(id)` (contracts/job-keys).
 */
export async function removeLeftovers(o: { stateDir: string; scratchRoot: string; jobs: Pick<JobRepository, 'getJob'>; alive?: (pid: number) => boolean }): Promise<Leftovers> {
  const alive = o.alive ?? pidAlive;
  const scratch = await removeDeadScratch(o.scratchRoot, alive);
  const uploads: string[] = [];
  const uploadDir = join(o.stateDir, 'uploads-tmp');
  for (const name of await readdir(uploadDir).catch(() => [] as string[])) {
    const pid = Number(/^(\d+)-/.exec(name)?.[1] ?? NaN);
    if (!Number.isInteger(pid) || pid === process.pid || alive(pid)) continue;
    await rm(join(uploadDir, name), { force: true });
    uploads.push(name);
  }
  const work: string[] = [];
  const workDir = join(dirname(o.stateDir), WORK_ROOT);
  for (const e of await readdir(workDir, { withFileTypes: true }).catch(() => [])) {
    if (!e.isDirectory()) continue;
    const job = await o.jobs.getJob(e.name);
    if (job && job.status !== 'SUCCEEDED' && job.status !== 'CANCELLED') continue;
    await rm(join(workDir, e.name), { recursive: true, force: true });
    work.push(e.name);
  }
  return { scratch, uploads, work };
}
