import { App, Stack, Stage, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENTS, selectEnvironments } from '../../lib/config/environments.js';
import { MosaicStage } from '../../lib/mosaic-stage.js';
import { asArray, buildStage, FAST_CONTEXT, iamStatements, type BuiltStage } from './infra-app.js';

let built: BuiltStage[];
beforeAll(() => {
  built = ['dev', 'prod'].map((env) => buildStage(env));
});

describe('IAM', () => {
  it('has no statement with a * in any action (every policy and inline policy, both stacks, both environments)', () => {
    let checked = 0;
    for (const s of built) {
      for (const template of [s.stateful, s.stateless]) {
        for (const { where, statement } of iamStatements(template)) {
          for (const action of asArray<string>(statement.Action)) {
            expect(action, `${s.config.name} ${where}`).not.toContain('*');
            checked++;
          }
          expect(statement.NotAction, where).toBeUndefined();
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
  });
});

describe('cdk-nag AwsSolutionsChecks', () => {
  it('reports no unacknowledged finding for dev or prod', () => {
    for (const s of built) {
      const report = new AwsSolutionsChecks(s.app).validateScope(s.app);
      expect(report.violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
      expect(report.success).toBe(true);
      for (const stack of [s.stage.stateful, s.stage.stateless]) {
        expect(Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
      }
    }
  });

  it('acknowledges findings with a written reason on the resources themselves, never on a stack or stage', () => {
    for (const s of built) {
      const acks: { path: string; id: string; reason: string }[] = [];
      for (const c of s.app.node.findAll()) {
        for (const m of c.node.metadata.filter((e) => e.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)) {
          for (const [id, reason] of Object.entries(m.data as Record<string, unknown>)) {
            if (!/AwsSolutions-/.test(id)) continue;
            acks.push({ path: c.node.path, id, reason: JSON.stringify(reason) });
            expect(Stack.isStack(c) || Stage.isStage(c), `${id} acknowledged on ${c.node.path}`).toBe(false);
          }
        }
      }
      expect(acks.length).toBeGreaterThan(0);
      for (const a of acks) expect(a.reason.length, `${a.path} ${a.id}`).toBeGreaterThan(40);
    }
  });

  it('fails synth on an unacknowledged finding', () => {
    const app = new App({ context: FAST_CONTEXT, builtinCloudFormationValidation: false });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const stage = new Stage(app, 'Bad');
    new s3.Bucket(new Stack(stage, 'Open'), 'NoSsl');
    expect(() => app.synth()).toThrow(/AwsSolutions-S10/);
  });
});

describe('environments', () => {
  it('selects one environment, or all of them, and names the known ones for an unknown name', () => {
    expect(selectEnvironments('dev').map((e) => e.name)).toEqual(['dev']);
    expect(selectEnvironments('all').map((e) => e.name)).toEqual(Object.keys(ENVIRONMENTS));
    expect(() => selectEnvironments('staging')).toThrow('unknown environment "staging"; known: dev, prod');
  });

  it('builds both stages side by side in one app (cdk synth -c env=all)', () => {
    const app = new App({ context: FAST_CONTEXT, builtinCloudFormationValidation: false });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    for (const config of selectEnvironments('all')) new MosaicStage(app, `Mosaic-${config.name}`, { config });
    const assembly = app.synth();
    expect(assembly.stacksRecursively.map((s) => s.stackName).sort()).toEqual([
      'Mosaic-dev-Stateful', 'Mosaic-dev-Stateless', 'Mosaic-prod-Stateful', 'Mosaic-prod-Stateless',
    ]);
  });
});
