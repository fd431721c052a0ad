/**
 * Every `state-machines/*.asl.json` is a workflow: one Workflow (state machine `mosaic-<env>-<name>`,
 * its own log group, least-privilege role) per file, read from the folder at synth. A file that
 * is not a workflow fails the synth naming it.
 *
 * Not a construct of its own on purpose: each Workflow is made directly in the given scope with
 * the id `<PascalName>` (`Encode`, `Measure`, …), so the encode workflow keeps the construct path
 * (and logical ids) it had before other workflows existed; CloudFormation cannot replace a
 * state machine with a fixed name in place.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { KEBAB_NAME } from '../../lambdas/contracts/rules-api.js';
import type { EnvironmentConfig } from '../config/environments.js';
import { PATHS } from '../paths.js';
import type { MediaFunctions } from './media-functions.js';
import { Workflow } from './workflow.js';

export const STATE_MACHINES_DIR = join(PATHS.root, 'state-machines');
const ASL_SUFFIX = '.asl.json';

/** `<name>` → `state-machines/<name>.asl.json` of a folder, sorted by name; a bad file name fails naming it. */
export function workflowFiles(dir: string = STATE_MACHINES_DIR): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of readdirSync(dir).filter((n) => n.endsWith(ASL_SUFFIX)).sort()) {
    const name = file.slice(0, -ASL_SUFFIX.length);
    if (!KEBAB_NAME.test(name)) throw new Error(`state-machines/${file}: a workflow's file name must be <kebab-case name>${ASL_SUFFIX} (it names the workflow and its state machine)`);
    out.set(name, join(dir, file));
  }
  return out;
}

export const pascalWorkflowName = (name: string): string => name.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());

export interface WorkflowsProps {
  config: EnvironmentConfig;
  functions: MediaFunctions;
  /** Folder of `*.asl.json` (default: the repository's `state-machines/`). */
  dir?: string;
  /** Files standing in for some of the folder's (name → file), e.g. a test's encode definition. */
  files?: Record<string, string>;
  /** Platform Lambdas definitions call by `${<Name>FunctionArn}` (e.g. `Allocator`). */
  platformFunctions?: Record<string, lambda.IFunction>;
  /** `${DerivativeBucket}` of the definitions (Distributed Maps' items and results). */
  derivativeBucketName?: string;
}

export class Workflows {
  /** By workflow name, sorted. */
  readonly byName: ReadonlyMap<string, Workflow>;

  constructor(scope: Construct, props: WorkflowsProps) {
    const files = workflowFiles(props.dir ?? STATE_MACHINES_DIR);
    for (const [name, file] of Object.entries(props.files ?? {})) files.set(name, file);
    if (!files.has('encode')) throw new Error(`${props.dir ?? STATE_MACHINES_DIR}: no encode${ASL_SUFFIX} (the encode workflow every upload runs)`);
    const byName = new Map<string, Workflow>();
    for (const name of [...files.keys()].sort()) {
      byName.set(name, new Workflow(scope, pascalWorkflowName(name), {
        config: props.config,
        functions: props.functions,
        name,
        definitionFile: files.get(name)!,
        ...(props.platformFunctions ? { platformFunctions: props.platformFunctions } : {}),
        ...(props.derivativeBucketName ? { derivativeBucketName: props.derivativeBucketName } : {}),
      }));
    }
    this.byName = byName;
  }

  get encode(): Workflow {
    return this.byName.get('encode')!;
  }

  get all(): Workflow[] {
    return [...this.byName.values()];
  }

  /** Workflow name → its state machine. */
  stateMachines(): Record<string, sfn.StateMachine> {
    return Object.fromEntries(this.all.map((w) => [w.name, w.stateMachine]));
  }
}
