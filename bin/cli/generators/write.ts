/**
 * The one writer of generated files: all or nothing. Every file goes to a temporary file beside
 * its target, then each is renamed into place; on any failure what was written is removed (and
 * folders it created). An existing file is never replaced unless `force`.
 */
import { existsSync, mkdirSync, renameSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GeneratorError, type PlannedFile } from './plan.js';

export class FilesExistError extends GeneratorError {
  constructor(readonly files: string[]) {
    super(`refusing to overwrite ${files.join(', ')} (use --force to replace ${files.length === 1 ? 'it' : 'them'})`);
  }
}

export const existingFiles = (root: string, files: PlannedFile[]) => files.filter((f) => existsSync(join(root, f.path))).map((f) => f.path);

export function writePlan(root: string, files: PlannedFile[], o: { force?: boolean } = {}): string[] {
  const taken = existingFiles(root, files);
  if (taken.length && !o.force) throw new FilesExistError(taken);
  const createdDirs: string[] = [];
  const temps: string[] = [];
  const placed: string[] = [];
  const mkdirs = (dir: string) => {
    if (existsSync(dir)) return;
    mkdirs(dirname(dir));
    mkdirSync(dir);
    createdDirs.push(dir);
  };
  try {
    const staged = files.map((f) => {
      const target = join(root, f.path);
      mkdirs(dirname(target));
      const temp = join(dirname(target), `.${f.path.split('/').pop()}.${process.pid}.${Date.now()}.tmp`);
      writeFileSync(temp, f.content, { flag: 'wx' });
      temps.push(temp);
      return { temp, target };
    });
    for (const { temp, target } of staged) {
      renameSync(temp, target);
      temps.splice(temps.indexOf(temp), 1);
      placed.push(target);
    }
    return files.map((f) => f.path);
  } catch (e) {
    for (const t of [...temps, ...placed]) rmSync(t, { force: true });
    for (const d of createdDirs.reverse()) {
      try {
        rmdirSync(d);
      } catch {
        /* not empty: leave it */
      }
    }
    throw e;
  }
}
