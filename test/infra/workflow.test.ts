import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../../lib/config/environments.js';
import { MosaicStage } from '../../lib/mosaic-stage.js';
import { PATHS } from '../../lib/paths.js';
import { LAMBDA_MEMORY_LADDER_MIB } from '../../lambdas/contracts/allocation.js';
import { asArray, buildStage, functionConfigs, iamStatements, lambdaFor, newTestApp, resourcesOf, type BuiltStage } from './infra-app.js';

const aslText = readFileSync(PATHS.encodeWorkflow, 'utf8');
const placeholders = [...new Set([...aslText.matchAll(/\$\{([A-Za-z][A-Za-z0-9_]*)\}/g)].map((m) => m[1]!))].sort();
const configs = functionConfigs();
const pascal = (name: string) => name.split('-').map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
const byPascal = new Map(configs.map((c) => [pascal(c.name), c]));

let dev: BuiltStage;
let sm: { Properties: Record<string, any> };
const tmpDirs: string[] = [];
/** The state machine named `mosaic-<env>-<name>` of a template: [logical id, resource]. */
function machineOf(t: { toJSON(): unknown }, name: string, env = 'dev'): [string, { Properties: Record<string, any> }] {
  const found = Object.entries(resourcesOf(t as never, 'AWS::StepFunctions::StateMachine')).filter(([, r]) => r.Properties?.StateMachineName === `mosaic-${env}-${name}`);
  expect(found, name).toHaveLength(1);
  return found[0] as [string, { Properties: Record<string, any> }];
}

let smId: string;
beforeAll(() => {
  dev = buildStage('dev');
  [smId, sm] = machineOf(dev.stateless, 'encode');
});
afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

type State = Record<string, any>;
function taskStates(states: Record<string, State>): [string, State][] {
  return Object.entries(states).flatMap(([name, s]) => [
    ...(s.Type === 'Task' ? [[name, s] as [string, State]] : []),
    ...asArray<State>(s.Branches).flatMap((b) => taskStates(b.States)),
    ...(s.ItemProcessor ? taskStates(s.ItemProcessor.States) : []),
    ...(s.Iterator ? taskStates(s.Iterator.States) : []),
  ]);
}

function taskDefinitionFor(name: string): string {
  const found = Object.entries(resourcesOf(dev.stateless, 'AWS::ECS::TaskDefinition')).filter(([, t]) =>
    t.Properties!.ContainerDefinitions[0].Environment.some((e: { Name: string; Value: string }) => e.Name === 'MOSAIC_FUNCTION' && e.Value === name));
  expect(found, `task definition of ${name}`).toHaveLength(1);
  return found[0]![0];
}

/** The derivative bucket's name as the stateless stack knows it (fixed per environment, account and region). */
const derivativeBucket = { 'Fn::Join': ['', ['mosaic-dev-derivatives-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }]] };

const roleStatements = (roleRef: string) =>
  iamStatements(dev.stateless).filter(({ where }) => asArray(resourcesOf(dev.stateless)[where]!.Properties?.Roles).some((r: any) => r.Ref === roleRef));

describe('encode workflow', () => {
  it('is a STANDARD state machine from the ASL text, with ALL logging (no execution data) and X-Ray', () => {
    expect(sm.Properties.StateMachineType).toBe('STANDARD');
    expect(sm.Properties.DefinitionString).toBe(aslText);
    expect(sm.Properties.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
    expect(sm.Properties.TracingConfiguration).toEqual({ Enabled: true });
  });

  it('substitutes exactly the placeholders of the ASL, each with the right resource or value', () => {
    const subs = sm.Properties.DefinitionSubstitutions as Record<string, any>;
    expect(Object.keys(subs).sort()).toEqual(placeholders);
    for (const name of placeholders) {
      const m = /^(.+?)(FunctionArn|TaskDefinitionArn|DefaultPlatform)$/.exec(name);
      if (name === 'AllocatorFunctionArn') {
        const [allocator] = Object.entries(resourcesOf(dev.stateless, 'AWS::Lambda::Function')).find(([, r]) => r.Properties?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'mosaic-allocator')!;
        expect(subs[name]).toEqual({ 'Fn::GetAtt': [allocator, 'Arn'] });
        continue;
      }
      if (m) {
        const config = byPascal.get(m[1]!);
        expect(config, name).toBeDefined();
        if (m[2] === 'FunctionArn') expect(subs[name]).toEqual({ 'Fn::GetAtt': [lambdaFor(dev.stateless, config!.name)[0], 'Arn'] });
        if (m[2] === 'TaskDefinitionArn') expect(subs[name]).toEqual({ Ref: taskDefinitionFor(config!.name) });
        if (m[2] === 'DefaultPlatform') expect(subs[name]).toBe(config!.defaultPlatform);
        continue;
      }
      const [cluster] = Object.keys(resourcesOf(dev.stateless, 'AWS::ECS::Cluster'));
      const subnets = Object.keys(resourcesOf(dev.stateless, 'AWS::EC2::Subnet')).sort();
      const [sg] = Object.keys(resourcesOf(dev.stateless, 'AWS::EC2::SecurityGroup'));
      const expected: Record<string, unknown> = {
        ClusterArn: { 'Fn::GetAtt': [cluster, 'Arn'] },
        FargateSubnet1: { Ref: subnets[0] },
        FargateSubnet2: { Ref: subnets[1] },
        FargateSecurityGroup: { 'Fn::GetAtt': [sg, 'GroupId'] },
        DerivativeBucket: derivativeBucket,
      };
      expect(expected, `unexpected placeholder ${name}`).toHaveProperty(name);
      expect(subs[name]).toEqual(expected[name]);
    }
  });

  it('references every media function as a Lambda task, and only known functions and task definitions', () => {
    const tasks = taskStates(JSON.parse(aslText).States);
    const lambdaTargets = new Set<string>();
    const fargateTargets = new Set<string>();
    for (const [name, t] of tasks) {
      const lambda = /^\$\{(.+)FunctionArn\}$/.exec(t.Resource);
      if (lambda) {
        lambdaTargets.add(lambda[1]!);
        continue;
      }
      if (t.Resource === 'arn:aws:states:::lambda:invoke') {
        // The allocator's Lambda size for this task, named at run time: a chunk's encode-video, a sample's analyze-title.
        expect(t.Parameters, name).toEqual({ 'FunctionName.$': '$.allocation.target', 'Payload.$': '$.allocation.task' });
        lambdaTargets.add(name === 'AnalyzeSample' ? 'AnalyzeTitle' : 'EncodeVideo');
        continue;
      }
      expect(t.Resource, name).toBe('arn:aws:states:::ecs:runTask.waitForTaskToken');
      expect(t.Parameters.Cluster, name).toBe('${ClusterArn}');
      // On-demand Fargate, or (chunk encodes) the capacity provider the allocation names.
      if (name === 'EncodeVideoChunkOnFargate') {
        expect(t.Parameters.LaunchType, name).toBeUndefined();
        expect(t.Parameters.CapacityProviderStrategy, name).toEqual([{ 'CapacityProvider.$': '$.allocation.ecs.capacityProvider', Weight: 1 }]);
      } else expect(t.Parameters.LaunchType, name).toBe('FARGATE');
      // A Spot interruption (the container reports Mosaic.Interrupted) runs the task again.
      expect(t.Retry[0], name).toMatchObject({ ErrorEquals: ['Mosaic.Interrupted'], MaxAttempts: expect.any(Number) });
      expect(t.Retry[0].MaxAttempts, name).toBeGreaterThanOrEqual(2);
      const td = /^\$\{(.+)TaskDefinitionArn\}$/.exec(t.Parameters.TaskDefinition);
      expect(td, `${name} TaskDefinition`).not.toBeNull();
      fargateTargets.add(td![1]!);
      const override = t.Parameters.Overrides.ContainerOverrides[0];
      expect(override.Name).toBe('media');
      // The package task by reference (its tracks and subtitles could outgrow the 8 KiB override), the others inline.
      const input = name === 'PackageOnFargate' ? 'MOSAIC_INPUT_KEY' : 'MOSAIC_INPUT';
      expect(override.Environment.map((e: { Name: string }) => e.Name).sort(), name).toEqual(['MOSAIC_FUNCTION', input, 'MOSAIC_TASK_TOKEN']);
      expect(t.Parameters.NetworkConfiguration.AwsvpcConfiguration).toMatchObject({ Subnets: ['${FargateSubnet1}', '${FargateSubnet2}'], SecurityGroups: ['${FargateSecurityGroup}'] });
    }
    // Every media function runs in this workflow, or in another workflow, or is one a rule invokes (a rule-based workflow).
    const otherWorkflowFunctions = new Set(
      readdirSync(join(PATHS.root, 'state-machines'))
        .filter((f) => f.endsWith('.asl.json') && f !== 'encode.asl.json')
        .flatMap((f) => [...readFileSync(join(PATHS.root, 'state-machines', f), 'utf8').matchAll(/\$\{([A-Za-z0-9]+?)(FunctionArn|TaskDefinitionArn)\}/g)].map((m) => m[1]!)),
    );
    const ruleFunctions = new Set(
      readdirSync(join(PATHS.root, 'rules'))
        .filter((f) => f.endsWith('.json'))
        .flatMap((f) => (JSON.parse(readFileSync(join(PATHS.root, 'rules', f), 'utf8')).then as { type: string; function?: string }[]).filter((a) => a.type === 'invoke-function').map((a) => a.function!)),
    );
    const elsewhere = (c: { name: string }) => ruleFunctions.has(c.name) || otherWorkflowFunctions.has(pascal(c.name));
    const expected = configs.filter((c) => !elsewhere(c) || lambdaTargets.has(pascal(c.name))).map((c) => pascal(c.name));
    expect([...lambdaTargets].sort()).toEqual([...expected, 'Allocator'].sort());
    for (const c of configs) expect(lambdaTargets.has(pascal(c.name)) || elsewhere(c), c.name).toBe(true);
    for (const f of fargateTargets) expect(byPascal.get(f)?.platforms, f).toContain('fargate');
  });

  it('lets the role invoke exactly the workflow functions and run exactly its task definitions', () => {
    const roleRef = sm.Properties.RoleArn['Fn::GetAtt'][0] as string;
    const statements = roleStatements(roleRef).map((s) => s.statement);
    const actions = (action: string) => statements.filter((s) => asArray(s.Action).includes(action));

    const invoke = actions('lambda:InvokeFunction');
    expect(invoke).toHaveLength(1);
    const fnArns = placeholders.filter((p) => p.endsWith('FunctionArn')).map((p) => sm.Properties.DefinitionSubstitutions[p]);
    // …and every size variant of encode-video and analyze-title the allocator may name (the dynamic lambda:invoke states).
    const variantArns = Object.entries(resourcesOf(dev.stateless, 'AWS::Lambda::Function'))
      .filter(([, r]) => ['encode-video', 'analyze-title'].includes(r.Properties?.Environment?.Variables?.MOSAIC_FUNCTION))
      .filter(([, r]) => (LAMBDA_MEMORY_LADDER_MIB as readonly number[]).includes(r.Properties!.MemorySize))
      .map(([id]) => ({ 'Fn::GetAtt': [id, 'Arn'] }));
    expect(variantArns).toHaveLength(2 * LAMBDA_MEMORY_LADDER_MIB.length);
    expect(asArray(invoke[0]!.Resource)).toEqual(expect.arrayContaining([...fnArns, ...variantArns]));
    expect(asArray(invoke[0]!.Resource)).toHaveLength(fnArns.length + variantArns.length);

    const taskDefs = placeholders.filter((p) => p.endsWith('TaskDefinitionArn')).map((p) => sm.Properties.DefinitionSubstitutions[p]);
    const runTask = actions('ecs:RunTask');
    if (taskDefs.length === 0) {
      expect(runTask).toHaveLength(0);
      return;
    }
    expect(runTask).toHaveLength(1);
    expect(asArray(runTask[0]!.Resource)).toEqual(expect.arrayContaining(taskDefs));
    expect(asArray(runTask[0]!.Resource)).toHaveLength(taskDefs.length);
    expect(runTask[0]!.Condition).toEqual({ ArnEquals: { 'ecs:cluster': sm.Properties.DefinitionSubstitutions.ClusterArn } });

    const tds = taskDefs.map((ref: { Ref: string }) => resourcesOf(dev.stateless)[ref.Ref]!.Properties!);
    const passRole = actions('iam:PassRole');
    expect(passRole).toHaveLength(1);
    expect(asArray(passRole[0]!.Resource)).toEqual(expect.arrayContaining(tds.flatMap((t) => [t.TaskRoleArn, t.ExecutionRoleArn])));
    expect(passRole[0]!.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
    expect(actions('ecs:StopTask')).toHaveLength(1);
    expect(actions('ecs:DescribeTasks')).toHaveLength(1);

    // Each task role can report its result to this state machine (and to the other workflows that run it).
    for (const t of tds) {
      const taskRoleStatements = roleStatements(t.TaskRoleArn['Fn::GetAtt'][0]).map((s) => s.statement);
      expect(taskRoleStatements).toContainEqual(expect.objectContaining({
        Action: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
        Resource: { Ref: smId },
      }));
    }
  });

  it('fails synth naming an unknown placeholder, a task definition of a Lambda-only function, or an unsupported Task resource', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mosaic-asl-'));
    tmpDirs.push(dir);
    const synthWith = (definition: object) => {
      const file = join(dir, `${Math.random().toString(36).slice(2)}.asl.json`);
      writeFileSync(file, JSON.stringify(definition));
      return () => new MosaicStage(newTestApp(), 'Mosaic-dev', { config: ENVIRONMENTS.dev!, encodeDefinitionFile: file });
    };
    const task = (resource: string, extra: object = {}) => ({ StartAt: 'A', States: { A: { Type: 'Task', Resource: resource, End: true, ...extra } } });
    expect(synthWith(task('${PlanFunctionArn}', { Parameters: { bucket: '${BogusThing}' } }))).toThrow(/placeholder \$\{BogusThing\} is unknown/);
    expect(synthWith(task('${TranscodeFunctionArn}'))).toThrow(/\$\{TranscodeFunctionArn\} names no media function "Transcode"/);
    expect(synthWith(task('arn:aws:states:::ecs:runTask.waitForTaskToken', { Parameters: { TaskDefinition: '${InspectTaskDefinitionArn}' } }))).toThrow(
      /\$\{InspectTaskDefinitionArn\} names "inspect", which has no Fargate task definition/,
    );
    expect(synthWith(task('arn:aws:states:::sqs:sendMessage'))).toThrow(/Task state "A" uses Resource "arn:aws:states:::sqs:sendMessage"/);
    // A definition with only one Lambda task grants invoke on that function only.
    const stage = synthWith(task('${PlanFunctionArn}'))();
    const t = Template.fromStack(stage.stateless);
    // (the state machine's role only: the API Lambda may invoke functions too)
    const [, machine] = machineOf(t, 'encode');
    const roleRef = machine!.Properties!.RoleArn['Fn::GetAtt'][0] as string;
    const ofRole = iamStatements(t).filter(({ where }) => asArray(resourcesOf(t)[where]!.Properties?.Roles).some((r: { Ref?: string }) => r.Ref === roleRef));
    const invoke = ofRole.filter(({ statement }) => asArray(statement.Action).includes('lambda:InvokeFunction'));
    expect(invoke.map((s) => s.statement.Resource)).toEqual([{ 'Fn::GetAtt': [lambdaFor(t, 'plan')[0], 'Arn'] }]);
    expect(ofRole.filter(({ statement }) => asArray(statement.Action).includes('ecs:RunTask'))).toHaveLength(0);
  });
});

/** A CloudFormation string expression as text: Refs as `<Name>`, Fn::Join concatenated. */
function flat(x: unknown): string {
  if (typeof x === 'string') return x;
  const o = x as Record<string, any>;
  if (o?.['Fn::Join']) return (o['Fn::Join'][1] as unknown[]).map(flat).join(o['Fn::Join'][0]);
  if (o?.Ref) return `<${o.Ref}>`;
  if (o?.['Fn::GetAtt']) return `<${o['Fn::GetAtt'].join('.')}>`;
  return JSON.stringify(x);
}

describe('the encode fan-out: a Distributed Map', () => {
  const encodeMapOf = (machine: { Properties: Record<string, any> }) => {
    const definition = JSON.parse(machine.Properties.DefinitionString);
    return { definition, map: definition.States.Encode.Branches[0].States.EncodeVideo };
  };
  const encodeRole = () => roleStatements(sm.Properties.RoleArn['Fn::GetAtt'][0]).map((s) => s.statement);
  const withSid = (sid: string) => encodeRole().filter((s) => s.Sid === sid);

  it('runs the chunk encodes as Standard child executions, items and results in S3, as many at once as the plan allows within the environment\'s mapMaxConcurrency', () => {
    for (const env of ['dev', 'prod']) {
      const stage = env === 'dev' ? dev : buildStage('prod');
      const [, machine] = machineOf(stage.stateless, 'encode', env);
      const { definition, map } = encodeMapOf(machine);
      // Standard, not Express: the Fargate path waits for a task token, and a chunk may run for longer than 5 minutes.
      expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
      expect(JSON.stringify(map.ItemProcessor)).toContain('ecs:runTask.waitForTaskToken');
      expect(map.ItemReader).toEqual({ Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON' }, Parameters: { Bucket: '${DerivativeBucket}', 'Key.$': '$.plan.videoTaskList.key' } });
      expect(map.ItemsPath).toBeUndefined();
      expect(map.ResultWriter).toMatchObject({ Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: '${DerivativeBucket}' } });
      expect(machine.Properties.DefinitionSubstitutions.DerivativeBucket).toEqual({ 'Fn::Join': ['', [`mosaic-${env}-derivatives-`, { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }]] });
      // The limit: the plan's maxConcurrency is the execution's parallelism (Plan's input), which
      // every starter of the workflow sets from the environment's mapMaxConcurrency.
      expect(map.MaxConcurrencyPath).toBe('$.plan.maxConcurrency');
      expect(map.MaxConcurrency).toBeUndefined();
      expect(definition.States.Plan.Parameters['parallelism.$']).toBe('$.parallelism');
      const limit = ENVIRONMENTS[env]!.mapMaxConcurrency;
      expect(limit).toBeLessThanOrEqual(10_000); // a Distributed Map's own ceiling
      const starters = Object.values(resourcesOf(stage.stateless, 'AWS::Lambda::Function')).filter((f) => f.Properties?.Environment?.Variables?.MOSAIC_MAP_CONCURRENCY !== undefined);
      expect(starters.length, env).toBeGreaterThanOrEqual(2);
      for (const f of starters) expect(f.Properties!.Environment.Variables.MOSAIC_MAP_CONCURRENCY, env).toBe(String(limit));
      // The other Maps grow with the rungs or tracks, not with the title's length: inline.
      for (const name of ['EncodeAudio']) expect(definition.States.Encode.Branches[1].States[name].ItemProcessor.ProcessorConfig.Mode).toBe('INLINE');
      for (const name of ['Assemble', 'MeasureQuality']) expect(definition.States[name].ItemProcessor.ProcessorConfig.Mode).toBe('INLINE');
    }
  });

  it('lets the role start, describe and stop only its own child executions (ARNs from the name: no cycle)', () => {
    const [start] = withSid('StartMapChildren');
    expect(start).toMatchObject({ Action: 'states:StartExecution', Effect: 'Allow' });
    expect(flat(start!.Resource)).toBe('arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:stateMachine:mosaic-dev-encode');
    const [manage] = withSid('ManageMapChildren');
    expect(asArray(manage!.Action).sort()).toEqual(['states:DescribeExecution', 'states:StopExecution']);
    expect(flat(manage!.Resource)).toBe('arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:mosaic-dev-encode/*');
    // Only the encode workflow has a Distributed Map: the others start nothing.
    for (const name of ['measure', 'repackage']) {
      const [, machine] = machineOf(dev.stateless, name);
      const statements = roleStatements(machine.Properties.RoleArn['Fn::GetAtt'][0]).map((s) => s.statement);
      expect(statements.flatMap((s) => asArray<string>(s.Action)).filter((a) => a.startsWith('states:') || a.startsWith('s3:')), name).toEqual([]);
    }
  });

  it('lets the role read task lists under the work prefix and write Map results under its ResultWriter prefix, nothing else in S3', () => {
    const bucket = 'arn:<AWS::Partition>:s3:::mosaic-dev-derivatives-<AWS::AccountId>-<AWS::Region>';
    const [read] = withSid('ReadMapItems');
    expect(read!.Action).toBe('s3:GetObject');
    expect(flat(read!.Resource)).toBe(`${bucket}/.mosaic/work/*`);
    const [write] = withSid('WriteMapResults');
    expect(asArray(write!.Action).sort()).toEqual(['s3:AbortMultipartUpload', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:PutObject']);
    const prefix = encodeMapOf(sm).map.ResultWriter.Parameters.Prefix as string;
    expect(prefix.startsWith('.mosaic/work/')).toBe(true);
    expect(flat(write!.Resource)).toBe(`${bucket}/${prefix}/*`);
    const s3 = encodeRole().filter((s) => asArray<string>(s.Action).some((a) => a.startsWith('s3:')));
    expect(s3.map((s) => s.Sid).sort()).toEqual(['ReadMapItems', 'WriteMapResults']);
  });

  it('lets the encode-video container report to the Map\'s child executions (state machine <arn>/<label>)', () => {
    const td = resourcesOf(dev.stateless)[taskDefinitionFor('encode-video')]!.Properties!;
    const statements = roleStatements(td.TaskRoleArn['Fn::GetAtt'][0]).map((s) => s.statement);
    const label = encodeMapOf(sm).map.Label as string;
    expect(label).toBe('EncodeVideo');
    expect(statements).toContainEqual(expect.objectContaining({
      Action: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
      Resource: { 'Fn::Join': ['', [{ Ref: smId }, `/${label}`]] },
    }));
  });

  it('gives the cluster the FARGATE and FARGATE_SPOT capacity providers', () => {
    const associations = Object.values(resourcesOf(dev.stateless, 'AWS::ECS::ClusterCapacityProviderAssociations'));
    expect(associations).toHaveLength(1);
    const [cluster] = Object.keys(resourcesOf(dev.stateless, 'AWS::ECS::Cluster'));
    expect(associations[0]!.Properties).toMatchObject({ Cluster: { Ref: cluster } });
    expect([...associations[0]!.Properties!.CapacityProviders].sort()).toEqual(['FARGATE', 'FARGATE_SPOT']);
  });
});

describe('every state-machines/*.asl.json is a workflow', () => {
  const files = readdirSync(join(PATHS.root, 'state-machines')).filter((f) => f.endsWith('.asl.json')).sort();
  const names = files.map((f) => f.replace(/\.asl\.json$/, ''));
  const functionArn = (name: string) => ({ 'Fn::GetAtt': [lambdaFor(dev.stateless, name)[0], 'Arn'] });
  const ofRole = (machine: { Properties: Record<string, any> }) => roleStatements(machine.Properties.RoleArn['Fn::GetAtt'][0]).map((s) => s.statement);
  const withAction = (statements: Record<string, any>[], action: string) => statements.filter((s) => asArray(s.Action).includes(action));

  it('deploys one STANDARD state machine per file, named mosaic-<env>-<name>, with its own log group', () => {
    expect(names).toEqual(expect.arrayContaining(['encode', 'measure', 'repackage']));
    expect(Object.keys(resourcesOf(dev.stateless, 'AWS::StepFunctions::StateMachine'))).toHaveLength(files.length);
    const logGroups = Object.entries(resourcesOf(dev.stateless, 'AWS::Logs::LogGroup'));
    for (const [i, name] of names.entries()) {
      const [, machine] = machineOf(dev.stateless, name);
      expect(machine.Properties.StateMachineType).toBe('STANDARD');
      expect(machine.Properties.DefinitionString).toBe(readFileSync(join(PATHS.root, 'state-machines', files[i]!), 'utf8'));
      expect(machine.Properties.TracingConfiguration).toEqual({ Enabled: true });
      const destination = machine.Properties.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0];
      const [, group] = logGroups.find(([id]) => id === destination)!;
      expect(group.Properties!.LogGroupName).toBe(`/aws/vendedlogs/states/mosaic-dev-${name}`);
      const placeholders = [...new Set([...machine.Properties.DefinitionString.matchAll(/\$\{([A-Za-z][A-Za-z0-9_]*)\}/g)].map((m: RegExpMatchArray) => m[1]!))].sort();
      expect(Object.keys(machine.Properties.DefinitionSubstitutions ?? {}).sort(), name).toEqual(placeholders);
    }
  });

  it('lets the measure role invoke exactly measure-quality and publish-derived, and run only the measure-quality task definition', () => {
    const [measureId, measure] = machineOf(dev.stateless, 'measure');
    const statements = ofRole(measure);
    const invoke = withAction(statements, 'lambda:InvokeFunction');
    expect(invoke).toHaveLength(1);
    expect(asArray(invoke[0]!.Resource)).toEqual(expect.arrayContaining([functionArn('measure-quality'), functionArn('publish-derived')]));
    expect(asArray(invoke[0]!.Resource)).toHaveLength(2);
    const runTask = withAction(statements, 'ecs:RunTask');
    expect(runTask).toHaveLength(1);
    expect(runTask[0]!.Resource).toEqual({ Ref: taskDefinitionFor('measure-quality') });
    const td = resourcesOf(dev.stateless)[taskDefinitionFor('measure-quality')]!.Properties!;
    expect(asArray(withAction(statements, 'iam:PassRole')[0]!.Resource)).toEqual([td.TaskRoleArn, td.ExecutionRoleArn]);
    // The measure-quality container may report to the measure state machine.
    expect(roleStatements(td.TaskRoleArn['Fn::GetAtt'][0]).map((s) => s.statement)).toContainEqual(expect.objectContaining({
      Action: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
      Resource: { Ref: measureId },
    }));
    for (const a of statements.flatMap((s) => asArray<string>(s.Action))) expect(a).not.toContain('*');
  });

  it('lets the repackage role invoke exactly package and publish-derived, and run only the package task definition', () => {
    const [repackageId, repackage] = machineOf(dev.stateless, 'repackage');
    const statements = ofRole(repackage);
    const invoke = withAction(statements, 'lambda:InvokeFunction');
    expect(invoke).toHaveLength(1);
    expect(asArray(invoke[0]!.Resource)).toEqual(expect.arrayContaining([functionArn('package'), functionArn('publish-derived')]));
    expect(asArray(invoke[0]!.Resource)).toHaveLength(2);
    const runTask = withAction(statements, 'ecs:RunTask');
    expect(runTask).toHaveLength(1);
    expect(runTask[0]!.Resource).toEqual({ Ref: taskDefinitionFor('package') });
    const td = resourcesOf(dev.stateless)[taskDefinitionFor('package')]!.Properties!;
    expect(roleStatements(td.TaskRoleArn['Fn::GetAtt'][0]).map((s) => s.statement)).toContainEqual(expect.objectContaining({ Resource: { Ref: repackageId } }));
  });

  it('sends the execution status changes of every workflow to the lifecycle', () => {
    const rule = Object.values(resourcesOf(dev.stateless, 'AWS::Events::Rule')).find((r) => asArray(r.Properties!.EventPattern?.source).includes('aws.states'))!;
    const ids = names.map((n) => machineOf(dev.stateless, n)[0]).sort();
    expect(rule.Properties!.EventPattern.detail.stateMachineArn.map((r: { Ref: string }) => r.Ref).sort()).toEqual(ids);
  });

  it('fails synth naming a file that is not a workflow, a badly named file, or a rule starting a workflow without a file', () => {
    const dir = () => {
      const d = mkdtempSync(join(tmpdir(), 'mosaic-workflows-'));
      tmpDirs.push(d);
      for (const f of files) writeFileSync(join(d, f), readFileSync(join(PATHS.root, 'state-machines', f)));
      return d;
    };
    const synthIn = (d: string) => () => new MosaicStage(newTestApp(), 'Mosaic-dev', { config: ENVIRONMENTS.dev!, stateMachinesDir: d });
    const notJson = dir();
    writeFileSync(join(notJson, 'broken.asl.json'), '{ "StartAt": ');
    expect(synthIn(notJson)).toThrow(/broken\.asl\.json: not JSON/);
    const notAsl = dir();
    writeFileSync(join(notAsl, 'empty.asl.json'), '{}');
    expect(synthIn(notAsl)).toThrow(/empty\.asl\.json: not an Amazon States Language definition/);
    const badTask = dir();
    writeFileSync(join(badTask, 'queue.asl.json'), JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', End: true } } }));
    expect(synthIn(badTask)).toThrow(/queue\.asl\.json: Task state "A" uses Resource/);
    const badName = dir();
    writeFileSync(join(badName, 'Bad_Name.asl.json'), JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } }));
    expect(synthIn(badName)).toThrow(/state-machines\/Bad_Name\.asl\.json: a workflow's file name must be/);
    const noMeasure = dir();
    rmSync(join(noMeasure, 'measure.asl.json'));
    expect(synthIn(noMeasure)).toThrow(/rules\/measure-later\.json: then: no workflow "measure" in this stack: there is no state-machines\/measure\.asl\.json/);
    // A workflow no rule starts is deployed, and gets no starter.
    const extra = dir();
    writeFileSync(join(extra, 'say-hello.asl.json'), JSON.stringify({ Comment: 'hello', StartAt: 'A', States: { A: { Type: 'Task', Resource: '${PlanFunctionArn}', End: true } } }));
    const t = Template.fromStack(synthIn(extra)().stateless);
    const [, hello] = machineOf(t, 'say-hello');
    expect(hello.Properties.DefinitionSubstitutions).toEqual({ PlanFunctionArn: { 'Fn::GetAtt': [lambdaFor(t, 'plan')[0], 'Arn'] } });
    const starters = Object.values(resourcesOf(t, 'AWS::Lambda::Function')).filter((r) => r.Properties?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'mosaic-workflow-starter');
    expect(starters.map((r) => r.Properties!.Environment.Variables.MOSAIC_WORKFLOW)).not.toContain('say-hello');
  });
});
