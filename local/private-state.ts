/**
 * `<out>/.mosaic/` holds the databases (jobs, metrics), the API key and the signing secrets: the folder is 0700
 * and those files 0600, for new installs and (chmod at every start) for existing ones made
 * before this rule. The database file is created 0600 before SQLite opens it, so its -wal and
 * -shm files (SQLite gives them the database's mode) start private too.
 */
import { chmod, mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
/** Files of `.mosaic/` that only the owner may read. */
export const PRIVATE_FILES = [
  'mosaic.db', 'mosaic.db-wal', 'mosaic.db-shm', 'metrics.db', 'metrics.db-wal', 'metrics.db-shm', 'api-key', 'webhook-secret', 'link-secret',
] as const;
/** SQLite files the engine opens: created empty (0600) first, so their -wal and -shm start private. */
const DATABASES = ['mosaic.db', 'metrics.db'] as const;

/** Creates `<stateDir>` (0700) and the empty database file (0600) if missing; tightens the modes of what exists. */
export async function securePrivateState(stateDir: string): Promise<void> {
  await mkdir(stateDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  await chmod(stateDir, PRIVATE_DIR_MODE);
  // An empty file is an empty SQLite database; 'a' leaves an existing one as it is.
  for (const db of DATABASES) await (await open(join(stateDir, db), 'a', PRIVATE_FILE_MODE)).close();
  for (const f of PRIVATE_FILES)
    await chmod(join(stateDir, f), PRIVATE_FILE_MODE).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
}
