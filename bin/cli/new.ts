/**
 * `mosaic new function|workflow|rule-workflow NAME`: plans the files (bin/cli/generators/*), prints
 * the plan with `--dry-run`, else writes them all or none. Exit 1 for a bad name or files that
 * exist (without --force), 2 for a usage error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { planFunction } from './generators/function.js';
import { GeneratorError, nameProblem, type PlannedFile } from './generators/plan.js';
import { planRuleWorkflow } from './generators/rule-workflow.js';
import { planWorkflow, WORKFLOW_TEMPLATES, type WorkflowTemplate } from './generators/workflow.js';
import { writePlan } from './generators/write.js';
import { NEW_USAGE } from './startup.js';

const usage = (message: string) => Object.assign(new Error(message), { usage: true });

/** The repository root: MOSAIC_ROOT (bin/ reads the environment), else the working folder. */
function repoRoot(): string {
  const root = resolve(process.env.MOSAIC_ROOT ?? process.cwd());
  if (!existsSync(resolve(root, 'lambdas', 'functions')) || !existsSync(resolve(root, 'state-machines')))
    throw new GeneratorError(`${root} is not a Mosaic repository (no lambdas/functions/ and state-machines/): run mosaic new at its root`);
  return root;
}

export async function newCommand(args: string[]): Promise<number> {
  const [kind, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      'dry-run': { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      fargate: { type: 'boolean', default: false },
      description: { type: 'string' },
      from: { type: 'string' },
    },
  });
  if (kind !== 'function' && kind !== 'workflow' && kind !== 'rule-workflow') throw usage(`new takes function, workflow or rule-workflow, not "${kind ?? ''}"\n  ${NEW_USAGE}`);
  if (positionals.length !== 1) throw usage(`new ${kind} takes exactly one NAME`);
  const name = positionals[0];
  if (kind !== 'function' && (values.fargate || values.description !== undefined)) throw usage('--fargate and --description apply to new function only');
  if (kind !== 'workflow' && values.from !== undefined) throw usage('--from applies to new workflow only');
  const problem = nameProblem(name);
  if (problem) {
    process.stderr.write(`mosaic: ${problem}\n`);
    return 1;
  }
  try {
    const root = repoRoot();
    let files: PlannedFile[];
    if (kind === 'function') files = planFunction(name, { fargate: values.fargate, description: values.description });
    else if (kind === 'workflow') {
      const from = (values.from ?? 'blank') as WorkflowTemplate;
      if (!WORKFLOW_TEMPLATES.includes(from)) throw usage(`--from is ${WORKFLOW_TEMPLATES.join(' or ')}, not "${values.from}"`);
      files = planWorkflow(name, { from, ...(from === 'encode' ? { encodeAsl: readFileSync(resolve(root, 'state-machines', 'encode.asl.json'), 'utf8') } : {}) });
    } else files = planRuleWorkflow(name);
    if (values['dry-run']) {
      process.stdout.write(`mosaic new ${kind} ${name} would write (dry run, nothing written):\n`);
      for (const f of files) process.stdout.write(`  ${f.path}  ${existsSync(resolve(root, f.path)) ? '(exists) ' : ''}${f.summary}\n`);
      return 0;
    }
    const written = writePlan(root, files, { force: values.force });
    process.stdout.write(`mosaic new ${kind} ${name}: wrote\n${written.map((p) => `  ${p}\n`).join('')}`);
    const tests = files.filter((f) => f.path.startsWith('test/')).map((f) => f.path);
    process.stdout.write(`next: npx vitest run ${tests.join(' ')} && npm run lint\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof GeneratorError)) throw e;
    process.stderr.write(`mosaic: ${e.message}\n`);
    return 1;
  }
}
