/**
 * `npm run lint` step: every `state-machines/*.asl.json` is a workflow both engines can run: its
 * `${…}` placeholders name media functions (or the platform's values), and once substituted it
 * passes asl-validator. Prints `<file>: <message>` for each problem and exits 1.
 * Usage: tsx bin/check-workflows.ts [state-machines-dir]
 */
import { relative } from 'node:path';
import aslValidator from 'asl-validator';
import { defaultPlatforms } from '../local/function-registry.js';
import { loadWorkflowCatalog, STATE_MACHINES_DIR } from '../local/workflow-catalog.js';

const dir = process.argv[2] ?? STATE_MACHINES_DIR;
const problems: string[] = [];
const catalog = loadWorkflowCatalog(defaultPlatforms(), dir);
for (const wf of catalog.values()) {
  const file = relative(process.cwd(), wf.file);
  if (!wf.loaded) {
    // The load error names the absolute path already; say it once, relative.
    problems.push(`${file}: ${wf.error!.replace(`${wf.file} `, '')}`);
    continue;
  }
  // As deployed (Distributed Maps with ItemReader/ResultWriter) and as this engine runs it.
  const errors = [wf.loaded.deployed ?? wf.loaded.definition, wf.loaded.definition].flatMap((d) => aslValidator(d as never).errors as Record<string, unknown>[]);
  // asl-validator reports schema errors as { path, message } and linter ones as { "Error code", Message }.
  for (const e of errors) {
    const where = e.path ?? e.instancePath;
    problems.push(`${file}: ${where ? `${String(where)}: ` : ''}${String(e.message ?? e.Message ?? JSON.stringify(e))}`);
  }
}
if (problems.length) {
  for (const p of problems) process.stderr.write(`${p}\n`);
  process.stderr.write(`workflows: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n`);
  process.exitCode = 1;
} else process.stdout.write(`workflows: ${catalog.size} state machines valid (${[...catalog.keys()].join(', ')})\n`);
