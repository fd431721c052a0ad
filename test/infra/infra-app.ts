/**
 * Builds the Mosaic CDK app for template assertions: no esbuild bundling, no asset staging and no
 * built-in CloudFormation validation (slow, and not what these tests check), cdk-nag on.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ENVIRONMENTS, type EnvironmentConfig } from '../../lib/config/environments.js';
import { MosaicStage, type MosaicStageProps } from '../../lib/mosaic-stage.js';
import { PATHS } from '../../lib/paths.js';
import { FunctionConfigSchema, type FunctionConfig } from '../../lambdas/contracts/function-config.js';

export const FAST_CONTEXT = { 'aws:cdk:bundling-stacks': [], 'aws:cdk:disable-asset-staging': true };

export function newTestApp(): App {
  const app = new App({ context: FAST_CONTEXT, builtinCloudFormationValidation: false });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}

export interface BuiltStage {
  app: App;
  stage: MosaicStage;
  config: EnvironmentConfig;
  stateful: Template;
  stateless: Template;
}

export function buildStage(envName: string, props: Omit<MosaicStageProps, 'config'> = {}): BuiltStage {
  const app = newTestApp();
  const config = ENVIRONMENTS[envName]!;
  const stage = new MosaicStage(app, `Mosaic-${envName}`, { ...props, config });
  return { app, stage, config, stateful: Template.fromStack(stage.stateful), stateless: Template.fromStack(stage.stateless) };
}

/** The function.json files of `lambdas/functions`, read independently of lib/. */
export function functionConfigs(dir: string = PATHS.functionsDir): FunctionConfig[] {
  return readdirNames(dir).map((name) => FunctionConfigSchema.parse(JSON.parse(readFileSync(join(dir, name, 'function.json'), 'utf8'))));
}

function readdirNames(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'function.json')))
    .map((d) => d.name)
    .sort();
}

export type Resources = Record<string, { Type: string; Properties?: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string }>;

export function resourcesOf(template: Template, type?: string): Resources {
  const all = template.toJSON().Resources as Resources;
  return Object.fromEntries(Object.entries(all).filter(([, r]) => !type || r.Type === type));
}

/** The Lambda function resource whose MOSAIC_FUNCTION is `name`. */
export function lambdaFor(template: Template, name: string): [string, Resources[string]] {
  // The base function of each function.json (not the allocator's size variants of it).
  const found = Object.entries(resourcesOf(template, 'AWS::Lambda::Function')).filter(
    ([, r]) => r.Properties?.Environment?.Variables?.MOSAIC_FUNCTION === name && !r.Properties?.Environment?.Variables?.MOSAIC_ALLOCATED_SIZE_MIB,
  );
  if (found.length !== 1) throw new Error(`expected one Lambda with MOSAIC_FUNCTION=${name}, found ${found.length}`);
  return found[0]!;
}

/** Every IAM statement of the template: AWS::IAM::Policy, managed policies and roles' inline policies. */
export function iamStatements(template: Template): { where: string; statement: Record<string, any> }[] {
  const out: { where: string; statement: Record<string, any> }[] = [];
  for (const [id, r] of Object.entries(resourcesOf(template))) {
    const docs: unknown[] = [];
    if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') docs.push(r.Properties?.PolicyDocument);
    if (r.Type === 'AWS::IAM::Role' || r.Type === 'AWS::IAM::User' || r.Type === 'AWS::IAM::Group')
      for (const p of (r.Properties?.Policies as { PolicyDocument: unknown }[] | undefined) ?? []) docs.push(p.PolicyDocument);
    for (const doc of docs) for (const statement of (doc as { Statement: Record<string, any>[] }).Statement) out.push({ where: id, statement });
  }
  return out;
}

export const asArray = <T,>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
