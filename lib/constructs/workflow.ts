/**
 * One workflow: a `state-machines/<name>.asl.json` as a STANDARD state machine named
 * `mosaic-<env>-<name>` (its own log group, X-Ray), with its `${…}` placeholders substituted from
 * the media functions and the Fargate platform. Its role may invoke exactly the functions and run
 * exactly the task definitions its definition names; the Fargate tasks it runs may report their
 * results to it (and only to the state machines that run them). A Distributed Map adds its child
 * executions, the objects its ItemReader reads and the prefix its ResultWriter writes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Aws, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environments.js';
import { acknowledge, wildcardResourceFinding } from '../nag.js';
import { PATHS } from '../paths.js';
import { WORK_ROOT } from '../../lambdas/contracts/job-keys.js';
import { aslDistributedMaps, aslPlaceholders, aslTasks, taskIntegration, type AslDistributedMap } from './asl.js';
import type { MediaFunction, MediaFunctions } from './media-functions.js';

export interface WorkflowProps {
  config: EnvironmentConfig;
  functions: MediaFunctions;
  /** The workflow's name (kebab-case): `<name>` of `state-machines/<name>.asl.json`. Default `encode`. */
  name?: string;
  /** Defaults to `state-machines/<name>.asl.json`. */
  definitionFile?: string;
  /** Platform Lambdas the definition calls by `${<Name>FunctionArn}` (e.g. `Allocator`). */
  platformFunctions?: Record<string, lambda.IFunction>;
  /** `${DerivativeBucket}`: where Distributed Maps read their items and write their results. */
  derivativeBucketName?: string;
}

export class Workflow extends Construct {
  readonly name: string;
  /** The ASL file it was made from. */
  readonly definitionFile: string;
  /** The parsed definition (placeholders not substituted). */
  readonly definition: { Comment?: string; States?: Record<string, Record<string, unknown>> };
  readonly stateMachine: sfn.StateMachine;
  /** Placeholder name → value (a token for ARNs and ids), exactly the placeholders of the definition. */
  readonly substitutions: Record<string, string>;
  /** The functions the definition invokes and the ones whose task definitions it runs. */
  readonly invokedFunctions: MediaFunction[];
  readonly runTaskFunctions: MediaFunction[];
  /** The allocator's Lambda sizes the definition may invoke (every variant of an `"allocated"` function). */
  readonly sizedFunctions: lambda.IFunction[];

  constructor(scope: Construct, id: string, props: WorkflowProps) {
    super(scope, id);
    const workflowName = props.name ?? 'encode';
    const file = props.definitionFile ?? join(PATHS.root, 'state-machines', `${workflowName}.asl.json`);
    this.name = workflowName;
    this.definitionFile = file;
    const text = readFileSync(file, 'utf8');
    let definition: { Comment?: string; States?: Record<string, Record<string, unknown>> };
    try {
      definition = JSON.parse(text) as typeof definition;
    } catch (e) {
      throw new Error(`${file}: not JSON: ${(e as Error).message}`);
    }
    if (!definition || typeof definition !== 'object' || Array.isArray(definition) || typeof (definition as { StartAt?: unknown }).StartAt !== 'string' || !definition.States || typeof definition.States !== 'object')
      throw new Error(`${file}: not an Amazon States Language definition (it needs "StartAt" and "States")`);
    this.definition = definition;
    let integrations: Set<ReturnType<typeof taskIntegration>>;
    try {
      integrations = new Set(aslTasks(definition).map(taskIntegration));
    } catch (e) {
      throw new Error(`${file}: ${(e as Error).message}`);
    }
    const { functions } = props;
    const fargate = functions.fargate;

    const invoked = new Set<MediaFunction>();
    const platformInvoked: lambda.IFunction[] = [];
    const runTask = new Set<MediaFunction>();
    const substitutions: Record<string, string> = {};
    const fail = (name: string, why: string): never => {
      throw new Error(`${file}: placeholder \${${name}} ${why}`);
    };
    for (const name of aslPlaceholders(text)) {
      const [, stem, kind] = /^(.+?)(FunctionArn|TaskDefinitionArn|DefaultPlatform)$/.exec(name) ?? [];
      const platformFn = kind === 'FunctionArn' && stem ? props.platformFunctions?.[stem] : undefined;
      if (platformFn) {
        substitutions[name] = platformFn.functionArn;
        platformInvoked.push(platformFn);
        continue;
      }
      if (stem && kind) {
        const fn = functions.find(stem) ?? fail(name, `names no media function "${stem}" (known: ${functions.functions.map((f) => f.definition.pascalName).join(', ')})`);
        if (kind === 'FunctionArn') {
          substitutions[name] = fn.lambda.functionArn;
          invoked.add(fn);
        } else if (kind === 'TaskDefinitionArn') {
          const task = fn.task ?? fail(name, `names "${fn.definition.config.name}", which has no Fargate task definition (its function.json platforms: ${fn.definition.config.platforms.join(', ')})`);
          substitutions[name] = task.taskDefinitionArn;
          runTask.add(fn);
        } else {
          substitutions[name] = fn.definition.config.defaultPlatform;
        }
        continue;
      }
      const platformValue = {
        ClusterArn: () => fargate?.cluster.clusterArn,
        FargateSubnet1: () => fargate?.subnets[0]?.subnetId,
        FargateSubnet2: () => fargate?.subnets[1]?.subnetId,
        FargateSecurityGroup: () => fargate?.securityGroup.securityGroupId,
      }[name];
      if (name === 'DerivativeBucket') {
        substitutions[name] = props.derivativeBucketName ?? fail(name, 'needs the derivative bucket, but the workflow was given none');
        continue;
      }
      if (!platformValue) fail(name, 'is unknown: expected <Function>FunctionArn, <Function>TaskDefinitionArn, <Function>DefaultPlatform, ClusterArn, FargateSubnet1, FargateSubnet2, FargateSecurityGroup or DerivativeBucket');
      substitutions[name] = platformValue!() ?? fail(name, 'needs the Fargate platform, but no function.json lists "fargate" in its platforms');
    }
    this.substitutions = substitutions;
    this.invokedFunctions = [...invoked];
    this.runTaskFunctions = [...runTask];

    // A lambda:invoke whose FunctionName comes from the input runs one of the allocator's sizes.
    const allocated = functions.functions.filter((f) => f.variants);
    if (integrations.has('lambda-dynamic') && allocated.length === 0)
      throw new Error(`${file}: a lambda:invoke state takes its FunctionName from the input, but no function.json says "allocated": true`);
    this.sizedFunctions = integrations.has('lambda-dynamic') ? allocated.flatMap((f) => [...f.variants!.values()]) : [];

    const role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('states.amazonaws.com') });
    const invokable = [...this.invokedFunctions.map((f) => f.lambda.functionArn), ...platformInvoked.map((f) => f.functionArn), ...this.sizedFunctions.map((f) => f.functionArn)];
    if (invokable.length > 0) {
      role.addToPolicy(new iam.PolicyStatement({
        sid: 'InvokeWorkflowFunctions',
        actions: ['lambda:InvokeFunction'],
        resources: [...new Set(invokable)],
      }));
    }
    const usesEcs = integrations.has('ecs-run-task-token') || integrations.has('ecs-run-task-sync');
    if (runTask.size > 0 || usesEcs) {
      if (!fargate) throw new Error(`${file}: runs ECS tasks, but no function.json lists "fargate" in its platforms`);
      if (runTask.size === 0) throw new Error(`${file}: its ecs:runTask states must name their task definition with \${<Function>TaskDefinitionArn}`);
      const tasks = this.runTaskFunctions.map((f) => f.task!);
      role.addToPolicy(new iam.PolicyStatement({
        sid: 'RunWorkflowTasks',
        actions: ['ecs:RunTask'],
        resources: tasks.map((t) => t.taskDefinitionArn),
        conditions: { ArnEquals: { 'ecs:cluster': fargate.cluster.clusterArn } },
      }));
      role.addToPolicy(new iam.PolicyStatement({
        sid: 'PassTaskRoles',
        actions: ['iam:PassRole'],
        resources: tasks.flatMap((t) => [t.taskRole.roleArn, t.obtainExecutionRole().roleArn]),
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }));
      const clusterTasks = `arn:${Aws.PARTITION}:ecs:${Aws.REGION}:${Aws.ACCOUNT_ID}:task/${fargate.cluster.clusterName}/*`;
      role.addToPolicy(new iam.PolicyStatement({ sid: 'ManageWorkflowTasks', actions: ['ecs:StopTask', 'ecs:DescribeTasks'], resources: [clusterTasks] }));
      acknowledge(role, wildcardResourceFinding(role, clusterTasks),
        'Step Functions stops and describes the tasks it started; task ids are only known at run time, and the grant is limited to tasks of the Mosaic cluster.');
      if (integrations.has('ecs-run-task-sync')) {
        // The managed rule Step Functions creates to learn that a `.sync` ECS task stopped.
        role.addToPolicy(new iam.PolicyStatement({
          sid: 'EcsSyncEventsRule',
          actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
          resources: [`arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:rule/StepFunctionsGetEventsForECSTaskRule`],
        }));
      }
    }

    const stateMachineName = `mosaic-${props.config.name}-${workflowName}`;
    const distributed = aslDistributedMaps(definition);
    if (distributed.length) this.grantDistributedMaps(role, stateMachineName, distributed, substitutions, file);

    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/mosaic-${props.config.name}-${workflowName}`,
      retention: props.config.logRetentionDays,
      removalPolicy: props.config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(text),
      definitionSubstitutions: substitutions,
      role,
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    Validations.of(this.stateMachine).acknowledge({
      id: 'CloudFormation-Validate::E1029',
      reason: 'The ${…} names in DefinitionString are Step Functions DefinitionSubstitutions, not Fn::Sub parameters: synth fails unless every ${Name} placeholder of the ASL has a substitution.',
    });
    // Fargate tasks report their result with the task token of this state machine, or of a
    // Distributed Map's children (state machine `<arn>/<label>`).
    for (const fn of this.runTaskFunctions) {
      this.stateMachine.grantTaskResponse(fn.task!.taskRole);
      if (distributed.length)
        fn.task!.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({
          actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
          resources: distributed.map((m) => `${this.stateMachine.stateMachineArn}/${m.label}`),
        }));
    }

    acknowledge(role, 'AwsSolutions-IAM5[Resource::*]',
      'Logging to CloudWatch Logs (logs:CreateLogDelivery and related calls) and X-Ray tracing (xray:PutTraceSegments, GetSamplingRules/Targets) support no resource-level permissions, so AWS requires Resource "*".');
  }

  /**
   * A Distributed Map runs its iterations as child executions of this state machine: the role may
   * start them and describe or stop them (ARNs built from the known name: the state machine's own
   * ARN would make the role depend on it), read the items an ItemReader names and write what a
   * ResultWriter writes, nothing more.
   */
  private grantDistributedMaps(role: iam.Role, stateMachineName: string, maps: AslDistributedMap[], substitutions: Record<string, string>, file: string): void {
    const states = `arn:${Aws.PARTITION}:states:${Aws.REGION}:${Aws.ACCOUNT_ID}`;
    const children = `${states}:execution:${stateMachineName}/*`;
    role.addToPolicy(new iam.PolicyStatement({ sid: 'StartMapChildren', actions: ['states:StartExecution'], resources: [`${states}:stateMachine:${stateMachineName}`] }));
    role.addToPolicy(new iam.PolicyStatement({ sid: 'ManageMapChildren', actions: ['states:DescribeExecution', 'states:StopExecution'], resources: [children] }));
    acknowledge(role, wildcardResourceFinding(role, children),
      'A Distributed Map describes and stops the child executions it started; their names are made by Step Functions at run time, and the grant covers only executions of this state machine.');
    const bucketOf = (params: { Bucket?: string }, field: string): string => {
      const m = /^\$\{(\w+)\}$/.exec(params.Bucket ?? '');
      if (!m || !(m[1]! in substitutions)) throw new Error(`${file}: a Distributed Map's ${field} must name its bucket with \${DerivativeBucket}`);
      return substitutions[m[1]!]!;
    };
    const objects = (bucket: string, pattern: string) => `arn:${Aws.PARTITION}:s3:::${bucket}/${pattern}`;
    const reads = new Set<string>();
    const writes = new Set<string>();
    for (const m of maps) {
      // A key chosen at run time is a job's object (Plan writes the task list under its work prefix).
      if (m.itemReader) reads.add(objects(bucketOf(m.itemReader, 'ItemReader'), m.itemReader.Key ?? `${WORK_ROOT}*`));
      if (m.resultWriter) writes.add(objects(bucketOf(m.resultWriter, 'ResultWriter'), `${m.resultWriter.Prefix ?? ''}${m.resultWriter.Prefix ? '/' : ''}*`));
    }
    if (reads.size) role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadMapItems', actions: ['s3:GetObject'], resources: [...reads] }));
    // What Step Functions needs to write a Map Run's results (its manifest and result files, multipart).
    if (writes.size) role.addToPolicy(new iam.PolicyStatement({ sid: 'WriteMapResults', actions: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'], resources: [...writes] }));
    for (const r of [...reads].filter((k) => k.includes('*'))) acknowledge(role, wildcardResourceFinding(role, r), 'A Distributed Map reads the task list its job\'s Plan wrote; the key is known at run time only, and the grant is limited to job intermediates (the private work prefix) of the derivative bucket.');
    for (const w of writes) acknowledge(role, wildcardResourceFinding(role, w), 'Step Functions names the result files of each Map Run itself; the grant is limited to the ResultWriter prefix under the private work prefix of the derivative bucket.');
  }
}
