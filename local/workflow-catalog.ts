/**
 * Every `state-machines/*.asl.json` as this engine runs it: loaded with the local substitutions
 * (local/asl-runner.ts), listed with its Comment and the media functions it calls. A file that
 * cannot be loaded (a placeholder naming no function, bad JSON) does not stop the engine: it is
 * listed with its error, and a run of it fails with that error.
 */
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NotFoundError, type WorkflowInfo } from '../lambdas/contracts/index.js';
import { loadWorkflow, PLATFORM_FUNCTIONS, type LoadedWorkflow } from './asl-runner.js';

export const STATE_MACHINES_DIR = fileURLToPath(new URL('../state-machines/', import.meta.url));
const SUFFIX = '.asl.json';

export interface CatalogWorkflow {
  name: string;
  file: string;
  info: WorkflowInfo;
  loaded: LoadedWorkflow | null;
  /** Why the file could not be loaded (then `loaded` is null). */
  error: string | null;
}

/** `platforms`: function name → default platform (function.json), as loadWorkflow takes them. */
export function loadWorkflowCatalog(platforms: ReadonlyMap<string, string>, dir = STATE_MACHINES_DIR): Map<string, CatalogWorkflow> {
  const out = new Map<string, CatalogWorkflow>();
  const files = readdirSync(dir).filter((f) => f.endsWith(SUFFIX)).sort();
  for (const f of files) {
    const name = basename(f, SUFFIX);
    const file = join(dir, f);
    try {
      const loaded = loadWorkflow(file, platforms);
      const functions = [...new Set([...loaded.taskFunctions.values()].map((t) => t.fn))].filter((fn) => fn && !PLATFORM_FUNCTIONS.includes(fn)).sort();
      const comment = typeof loaded.definition.Comment === 'string' ? loaded.definition.Comment : '';
      out.set(name, { name, file, loaded, error: null, info: { name, description: comment, functions } });
    } catch (e) {
      const error = (e as Error).message;
      out.set(name, { name, file, loaded: null, error, info: { name, description: `cannot be run here: ${error}`, functions: [] } });
    }
  }
  return out;
}

/** The workflow `name`, loaded; NotFoundError naming the known ones, or the file's load error. */
export function runnableWorkflow(catalog: ReadonlyMap<string, CatalogWorkflow>, name: string): LoadedWorkflow {
  const wf = catalog.get(name);
  if (!wf) throw new NotFoundError(`no workflow "${name}"; known: ${[...catalog.keys()].join(', ') || '(none)'}`, { name, known: [...catalog.keys()] });
  if (!wf.loaded) throw new Error(`workflow "${name}" (${wf.file}) cannot be run: ${wf.error}`);
  return wf.loaded;
}
