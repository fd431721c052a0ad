import { readFileSync } from 'node:fs';
import { App, Stack, Stage, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { PIPELINE } from '../../lib/config/pipeline.js';
import { PipelineStack, SYNTH_COMMANDS, SYNTH_IMAGE, SYNTH_INSTALL_COMMANDS } from '../../lib/pipeline/pipeline-stack.js';
import { asArray, iamStatements, newTestApp, resourcesOf } from './infra-app.js';

let app: App;
let stack: PipelineStack;
let template: Template;
let stages: { Name: string; Actions: { Name: string; RunOrder: number; ActionTypeId: { Category: string; Provider: string }; Configuration?: Record<string, any> }[] }[];

beforeAll(() => {
  app = newTestApp();
  stack = new PipelineStack(app, 'Mosaic-Pipeline', { pipelineConfig: PIPELINE, env: PIPELINE.pipeline });
  template = Template.fromStack(stack);
  stages = Object.values(resourcesOf(template, 'AWS::CodePipeline::Pipeline'))[0]!.Properties!.Stages;
});

/** The buildspec of the CodeBuild project an action of the pipeline runs. */
function buildSpecOf(actionName: string): { phases: Record<string, { commands: string[] }> } {
  const action = stages.flatMap((s) => s.Actions).find((a) => a.Name === actionName);
  expect(action, actionName).toBeDefined();
  const projectId = (action!.Configuration!.ProjectName as { Ref: string }).Ref;
  const project = resourcesOf(template, 'AWS::CodeBuild::Project')[projectId]!;
  return JSON.parse(project.Properties!.Source.BuildSpec as string);
}

describe('pipeline stages', () => {
  it('runs Source, Build (synth), UpdatePipeline, Assets, dev, then prod, in that order', () => {
    expect(stages.map((s) => s.Name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'Assets', 'Mosaic-dev', 'Mosaic-prod']);
    expect(stages[1]!.Actions.map((a) => a.Name)).toEqual(['Synth']);
    expect(stages[2]!.Actions.map((a) => a.Name)).toEqual(['SelfMutate']);
    expect(stages[3]!.Actions.length).toBeGreaterThan(1); // one publishing action per asset (functions, layer, media image, UI)
  });

  it('deploys dev (Stateful, then Stateless) and runs the smoke test after it', () => {
    const dev = stages[4]!.Actions.sort((a, b) => a.RunOrder - b.RunOrder);
    expect(dev.map((a) => a.Name)).toEqual(['Stateful.Prepare', 'Stateful.Deploy', 'Stateless.Prepare', 'Stateless.Deploy', 'SmokeTest']);
    expect(dev.at(-1)!.RunOrder).toBeGreaterThan(dev.at(-2)!.RunOrder);
    expect(dev.at(-1)!.ActionTypeId.Provider).toBe('CodeBuild');
  });

  it('waits for a manual approval before any prod deploy action', () => {
    const prod = stages[5]!.Actions;
    const approval = prod.find((a) => a.ActionTypeId.Category === 'Approval');
    expect(approval?.ActionTypeId.Provider).toBe('Manual');
    const deploys = prod.filter((a) => a.ActionTypeId.Provider === 'CloudFormation');
    expect(deploys.map((a) => a.Name)).toEqual(['Stateful.Prepare', 'Stateful.Deploy', 'Stateless.Prepare', 'Stateless.Deploy']);
    for (const d of deploys) expect(d.RunOrder, d.Name).toBeGreaterThan(approval!.RunOrder);
  });

  it('reads the configured repository and branch through the CodeConnections connection', () => {
    expect(stages[0]!.Actions).toHaveLength(1);
    const source = stages[0]!.Actions[0]!;
    expect(source.ActionTypeId).toMatchObject({ Category: 'Source', Provider: 'CodeStarSourceConnection' });
    expect(source.Configuration).toMatchObject({
      ConnectionArn: PIPELINE.connectionArn,
      FullRepositoryId: PIPELINE.repository,
      BranchName: PIPELINE.branch,
    });
  });

  it('synthesises with npm ci, lint, test and cdk synth of every environment on an image with apt chromium', () => {
    const spec = buildSpecOf('Synth');
    expect(spec.phases.install!.commands).toEqual([...SYNTH_INSTALL_COMMANDS]);
    expect(spec.phases.install!.commands.join('\n')).toMatch(/apt-get install -y -qq chromium/);
    const commands = spec.phases.build!.commands;
    expect(commands).toEqual([...SYNTH_COMMANDS]);
    const at = (re: RegExp) => commands.findIndex((c) => re.test(c));
    expect(at(/^npm ci$/)).toBe(0);
    expect(at(/^npm run lint$/)).toBeLessThan(at(/^npm test$/));
    expect(at(/^npm test$/)).toBeLessThan(at(/^npx cdk synth .*-c env=all/));
    expect(commands.at(-1)).toMatch(/-c pipeline=true/);
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: Match.objectLike({ Image: SYNTH_IMAGE }),
      Source: Match.objectLike({ BuildSpec: Match.stringLikeRegexp('npm run lint') }),
    });
  });
});

describe('smoke test', () => {
  it('checks health, then encodes a tiny clip through the API with the key read from API Gateway', () => {
    const spec = buildSpecOf('SmokeTest');
    const commands = spec.phases.build!.commands;
    const at = (re: RegExp) => {
      const i = commands.findIndex((c) => re.test(c));
      expect(i, String(re)).toBeGreaterThanOrEqual(0);
      return i;
    };
    const health = at(/curl -fsS .*"\$\{API_URL\}v1\/health"/);
    const key = at(/aws apigateway get-api-key --api-key "\$API_KEY_ID" --include-value/);
    const upload = at(/POST "\$\{API_URL\}v1\/uploads"/);
    const submit = at(/POST "\$\{API_URL\}v1\/jobs"/);
    const poll = at(/v1\/jobs\/\$JOB.*test "\$STATUS" = SUCCEEDED/);
    expect(health).toBeLessThan(key);
    expect(key).toBeLessThan(upload);
    expect(upload).toBeLessThan(submit);
    expect(submit).toBeLessThan(poll);
    expect(spec.phases.install!.commands.join('\n')).toMatch(/apt-get install .*ffmpeg/);
  });

  it("gets API_URL and API_KEY_ID from the dev stage's CfnOutputs", () => {
    const smoke = stages[4]!.Actions.find((a) => a.Name === 'SmokeTest')!;
    const vars = JSON.parse(smoke.Configuration!.EnvironmentVariables as string) as { name: string; value: string }[];
    const stateless = Stack.of(stack.dev.stateless).artifactId;
    expect(vars.map((v) => v.name)).toEqual(['API_URL', 'API_KEY_ID']);
    expect(vars[0]!.value).toMatch(new RegExp(`^#\\{${stateless}\\.ApiUrl[0-9A-F]{8}\\}$`));
    expect(vars[1]!.value).toMatch(new RegExp(`^#\\{${stateless}\\.ApiApiKeyId[0-9A-F]{8}\\}$`));
    // The outputs exist on the dev stateless stack under those names.
    const outputs = Template.fromStack(stack.dev.stateless).toJSON().Outputs as Record<string, unknown>;
    for (const v of vars) expect(Object.keys(outputs)).toContain(v.value.split('.')[1]!.replace('}', ''));
  });

  it("may read API keys (apigateway:GET) and nothing else of API Gateway", () => {
    const smokeRole = Object.entries(resourcesOf(template, 'AWS::IAM::Policy')).filter(([id]) => /SmokeTest/.test(id));
    expect(smokeRole).toHaveLength(1);
    const statements = smokeRole[0]![1].Properties!.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[];
    const apigw = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('apigateway:')));
    expect(apigw).toHaveLength(1);
    expect(apigw[0]!.Action).toBe('apigateway:GET');
    expect(JSON.stringify(apigw[0]!.Resource)).toMatch(/:apigateway:eu-west-1::\/apikeys\/\*/);
  });
});

describe('security', () => {
  it('encrypts artifacts with a cross-account KMS key that rotates', () => {
    const keys = resourcesOf(template, 'AWS::KMS::Key');
    expect(Object.keys(keys)).toHaveLength(1);
    expect(Object.values(keys)[0]!.Properties!.EnableKeyRotation).toBe(true);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) })] },
    });
    template.resourceCountIs('AWS::KMS::Alias', 1);
  });

  it('has no IAM statement with the action * or service:*, nor NotAction', () => {
    let checked = 0;
    for (const { where, statement } of iamStatements(template)) {
      for (const action of asArray<string>(statement.Action)) {
        expect(action, where).not.toBe('*');
        expect(action, where).not.toMatch(/^[a-z0-9-]+:\*$/);
        checked++;
      }
      expect(statement.NotAction, where).toBeUndefined();
    }
    expect(checked).toBeGreaterThan(30);
  });

  it('reports no unacknowledged cdk-nag AwsSolutions finding (pipeline stack and its stages)', () => {
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(report.violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
    expect(Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
  });

  it('acknowledges findings with a written reason on the constructs themselves, never on a stack or stage', () => {
    const acks: { path: string; id: string; reason: string }[] = [];
    for (const c of stack.node.findAll()) {
      if (c !== stack && Stage.isStage(Stage.of(c)) && Stage.of(c) !== Stage.of(stack)) continue; // the dev/prod stages: security.test.ts
      for (const m of c.node.metadata.filter((e) => e.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)) {
        for (const [id, reason] of Object.entries(m.data as Record<string, unknown>)) {
          if (!/AwsSolutions-/.test(id)) continue;
          acks.push({ path: c.node.path, id, reason: JSON.stringify(reason) });
          expect(Stack.isStack(c) || Stage.isStage(c), `${id} acknowledged on ${c.node.path}`).toBe(false);
        }
      }
    }
    expect(acks.map((a) => a.id.replace(/^Annotation::/, ''))).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-CB5', 'AwsSolutions-IAM5[Action::s3:GetObject*]']));
    for (const a of acks) expect(a.reason.length, `${a.path} ${a.id}`).toBeGreaterThan(40);
  });

  it('is only in the app with -c pipeline=true', async () => {
    const src = readFileSync(new URL('../../bin/mosaic-app.ts', import.meta.url), 'utf8');
    expect(src).toMatch(/tryGetContext\('pipeline'\)[^\n]*=== 'true'/);
    expect(src).toMatch(/new PipelineStack\(app, 'Mosaic-Pipeline'/);
  });
});

describe('.github/workflows/ci.yml', () => {
  const text = readFileSync(new URL('../../.github/workflows/ci.yml', import.meta.url), 'utf8');
  const lines = text.split('\n');

  it('is well-formed YAML of the shape GitHub expects (spaces only, a pull_request trigger, one job with steps)', () => {
    expect(text).not.toMatch(/\t/);
    // Every non-comment line is a key, a list item, or a continuation of a block scalar.
    let inBlock = -1;
    for (const [i, line] of lines.entries()) {
      if (!line.trim() || line.trim().startsWith('#')) continue;
      const indent = line.length - line.trimStart().length;
      if (inBlock >= 0 && indent > inBlock) continue;
      inBlock = -1;
      expect(line, `line ${i + 1}`).toMatch(/^\s*(- )?[A-Za-z_][\w.-]*:( .*)?$|^\s*- .+$/);
      expect(indent % 2, `line ${i + 1} indentation`).toBe(0);
      if (/: [|>]-?$/.test(line)) inBlock = indent;
    }
    expect(lines).toContain('on:');
    expect(lines).toContain('  pull_request:');
    expect(lines).toContain('jobs:');
    expect(text).toMatch(/^ {4}runs-on: ubuntu-latest$/m);
  });

  it('names lint, test, synth and diff steps, in that order, with chromium installed before the tests', () => {
    const names = lines.map((l) => /^ {6}- name: (.+)$/.exec(l)?.[1]).filter((n): n is string => !!n);
    for (const n of ['lint', 'install chromium', 'test', 'synth', 'configure aws credentials', 'diff']) expect(names).toContain(n);
    const order = ['lint', 'install chromium', 'test', 'synth', 'configure aws credentials', 'diff'].map((n) => names.indexOf(n));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(text).toContain('run: npm run lint');
    expect(text).toContain('sudo apt-get install -y chromium');
    expect(text).toContain('run: npm test');
    expect(text).toContain('run: npm run synth');
    expect(text).toMatch(/run: npx cdk diff -c env=dev/);
  });

  it('assumes the OIDC role from a repository variable and skips the diff when it is unset', () => {
    expect(text).toMatch(/id-token: write/);
    expect(text).toMatch(/uses: aws-actions\/configure-aws-credentials@v\d+$/m);
    expect(text).toMatch(/role-to-assume: \$\{\{ vars\.AWS_DIFF_ROLE_ARN \}\}/);
    const guarded = lines.filter((l) => /^ {8}if: env\.AWS_DIFF_ROLE_ARN != ''$/.test(l));
    expect(guarded).toHaveLength(2); // credentials and diff
    // Actions pinned by major version.
    for (const m of text.matchAll(/uses: (\S+)/g)) expect(m[1]).toMatch(/@v\d+$/);
  });
});
