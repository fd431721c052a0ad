/**
 * The synthesised Mosaic stage as a "deployment" on one machine: builds the CDK app in-process
 * (as test/infra/infra-app.ts does) and resolves the CloudFormation tokens of its templates
 * (Ref, Fn::GetAtt, Fn::Join, Fn::ImportValue, pseudo parameters) to fake but consistent
 * physical names and ARNs, so every state machine's definition (DefinitionString with its
 * DefinitionSubstitutions applied), the EventBridge rules, the Lambda environments, the ECS task
 * definitions and the table are exactly what synth emits, with only the physical ids made up.
 */
import { createHash } from 'node:crypto';
import { buildStage, resourcesOf, type Resources } from '../../infra/infra-app.js';

export const ACCOUNT = '000000000000';
export const REGION = 'us-east-1';

type Json = unknown;

export interface DeployedFunction {
  logicalId: string;
  arn: string;
  name: string;
  /** Resolved Environment.Variables. */
  env: Record<string, string>;
  /** What kind of entry point it is: a media function (MOSAIC_FUNCTION) or a platform Lambda (service name). */
  role: string;
}

export interface DeployedTaskDefinition {
  logicalId: string;
  arn: string;
  env: Record<string, string>;
}

export interface DeployedRule {
  logicalId: string;
  name: string;
  /** `default` or the resolved name of the platform bus. */
  bus: string;
  eventPattern: Record<string, unknown>;
  targets: { arn: string; inputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string }; input?: string }[];
}

export interface DeployedStateMachine {
  logicalId: string;
  arn: string;
  /** Its physical name, `mosaic-<env>-<workflow>`. */
  name: string;
  /** The workflow: `<name>` of `state-machines/<name>.asl.json`. */
  workflow: string;
  definition: Record<string, unknown>;
}

export interface Deployment {
  /** The encode workflow's. */
  stateMachine: DeployedStateMachine;
  /** Every state machine of the stack, by workflow name. */
  stateMachines: Map<string, DeployedStateMachine>;
  /** By ARN. */
  stateMachinesByArn: Map<string, DeployedStateMachine>;
  functions: Map<string, DeployedFunction>;
  /** By ARN. */
  functionsByArn: Map<string, DeployedFunction>;
  taskDefinitions: Map<string, DeployedTaskDefinition>;
  rules: DeployedRule[];
  platformBus: string;
  sourceBucket: string;
  derivativeBucket: string;
  table: { name: string; properties: Record<string, any> };
}

const short = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 17);

function resolver(stackName: string, resources: Resources, imports: (name: string) => Json) {
  const physical = (id: string): string => {
    const r = resources[id];
    if (!r) throw new Error(`${stackName}: Ref to unknown resource ${id}`);
    const p = r.Properties ?? {};
    switch (r.Type) {
      case 'AWS::S3::Bucket':
        return String(resolve(p.BucketName));
      case 'AWS::DynamoDB::Table':
        return p.TableName ? String(resolve(p.TableName)) : `${stackName}-${id}`;
      case 'AWS::Events::EventBus':
        return String(resolve(p.Name));
      case 'AWS::Lambda::Function':
        return p.FunctionName ? String(resolve(p.FunctionName)) : `${stackName}-${id}`.slice(0, 64);
      case 'AWS::StepFunctions::StateMachine':
        return `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${p.StateMachineName ? String(resolve(p.StateMachineName)) : id}`;
      case 'AWS::ECS::TaskDefinition':
        return `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${stackName}-${id}:1`;
      case 'AWS::ECS::Cluster':
        return `${stackName}-${id}`;
      case 'AWS::EC2::Subnet':
        return `subnet-${short(id)}`;
      case 'AWS::EC2::SecurityGroup':
        return `sg-${short(id)}`;
      case 'AWS::SQS::Queue':
        return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${stackName}-${id}`;
      default:
        return `${stackName}-${id}`;
    }
  };
  const getAtt = (id: string, attr: string): string => {
    const r = resources[id];
    if (!r) throw new Error(`${stackName}: GetAtt of unknown resource ${id}`);
    if (r.Type === 'AWS::Lambda::Function' && attr === 'Arn') return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${physical(id)}`;
    if (r.Type === 'AWS::ECS::Cluster' && attr === 'Arn') return `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${physical(id)}`;
    if (r.Type === 'AWS::EC2::SecurityGroup' && attr === 'GroupId') return physical(id);
    if (r.Type === 'AWS::DynamoDB::Table' && attr === 'Arn') return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${physical(id)}`;
    if (r.Type === 'AWS::S3::Bucket' && attr === 'Arn') return `arn:aws:s3:::${physical(id)}`;
    if (r.Type === 'AWS::Events::EventBus' && attr === 'Arn') return `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${physical(id)}`;
    if (r.Type === 'AWS::SQS::Queue' && attr === 'Arn') return `arn:aws:sqs:${REGION}:${ACCOUNT}:${stackName}-${id}`;
    return `arn:aws:fake:${REGION}:${ACCOUNT}:${stackName}/${id}/${attr}`;
  };
  function resolve(v: Json): Json {
    if (Array.isArray(v)) return v.map(resolve);
    if (!v || typeof v !== 'object') return v;
    const o = v as Record<string, Json>;
    const keys = Object.keys(o);
    if (keys.length === 1) {
      const [k] = keys as [string];
      const a = o[k];
      if (k === 'Ref') {
        const ref = String(a);
        if (ref === 'AWS::AccountId') return ACCOUNT;
        if (ref === 'AWS::Region') return REGION;
        if (ref === 'AWS::Partition') return 'aws';
        if (ref === 'AWS::URLSuffix') return 'amazonaws.com';
        if (ref === 'AWS::StackName') return stackName;
        return physical(ref);
      }
      if (k === 'Fn::GetAtt') {
        const [id, attr] = Array.isArray(a) ? (a as string[]) : String(a).split('.');
        return getAtt(id!, attr!);
      }
      if (k === 'Fn::Join') {
        const [sep, parts] = a as [string, Json[]];
        return (resolve(parts) as Json[]).map(String).join(sep);
      }
      if (k === 'Fn::ImportValue') return imports(String(resolve(a)));
      if (k === 'Fn::Sub' || k === 'Fn::Select' || k === 'Fn::Split' || k === 'Fn::If') throw new Error(`${stackName}: ${k} is not resolved by this harness`);
    }
    return Object.fromEntries(keys.map((key) => [key, resolve(o[key])]));
  }
  return { resolve, physical, getAtt };
}

/** Replaces `${Name}` placeholders as Step Functions' DefinitionSubstitutions do. */
export function applySubstitutions(text: string, subs: Record<string, string>): string {
  return text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, name: string) => {
    if (!Object.hasOwn(subs, name)) throw new Error(`definition placeholder ${whole} has no substitution`);
    return subs[name]!;
  });
}

export function deployStage(envName = 'dev'): Deployment {
  const built = buildStage(envName);
  const statefulName = built.stage.stateful.stackName;
  const statelessName = built.stage.stateless.stackName;
  const statefulJson = built.stateful.toJSON() as { Resources: Resources; Outputs?: Record<string, { Value: Json; Export?: { Name: Json } }> };
  const stateful = resolver(statefulName, statefulJson.Resources, (n) => {
    throw new Error(`${statefulName} imports ${n}`);
  });
  const exports = new Map<string, Json>();
  for (const o of Object.values(statefulJson.Outputs ?? {})) if (o.Export) exports.set(String(stateful.resolve(o.Export.Name)), stateful.resolve(o.Value));
  const statelessResources = resourcesOf(built.stateless);
  const stateless = resolver(statelessName, statelessResources, (n) => {
    if (!exports.has(n)) throw new Error(`${statelessName} imports ${n}, which ${statefulName} does not export`);
    return exports.get(n);
  });
  const resolveEnv = (vars: Record<string, Json> | undefined) =>
    Object.fromEntries(Object.entries(vars ?? {}).map(([k, v]) => [k, String(stateless.resolve(v))]));

  const envPrefix = `mosaic-${envName}-`;
  const stateMachines = new Map<string, DeployedStateMachine>();
  for (const [smId, sm] of Object.entries(resourcesOf(built.stateless, 'AWS::StepFunctions::StateMachine'))) {
    const subs = (stateless.resolve(sm.Properties!.DefinitionSubstitutions ?? {}) ?? {}) as Record<string, Json>;
    const definition = JSON.parse(applySubstitutions(String(sm.Properties!.DefinitionString), Object.fromEntries(Object.entries(subs).map(([k, v]) => [k, String(v)]))));
    const arn = stateless.physical(smId);
    const name = arn.split(':').pop()!;
    if (!name.startsWith(envPrefix)) throw new Error(`state machine ${smId} is named ${name}, not ${envPrefix}<workflow>`);
    stateMachines.set(name.slice(envPrefix.length), { logicalId: smId, arn, name, workflow: name.slice(envPrefix.length), definition });
  }
  const encode = stateMachines.get('encode');
  if (!encode) throw new Error(`no ${envPrefix}encode state machine in ${statelessName}`);

  const functions = new Map<string, DeployedFunction>();
  for (const [id, r] of Object.entries(resourcesOf(built.stateless, 'AWS::Lambda::Function'))) {
    const env = resolveEnv(r.Properties?.Environment?.Variables);
    functions.set(id, {
      logicalId: id,
      arn: stateless.getAtt(id, 'Arn'),
      name: stateless.physical(id),
      env,
      role: env.MOSAIC_FUNCTION ? `function:${env.MOSAIC_FUNCTION}` : (env.POWERTOOLS_SERVICE_NAME ?? id),
    });
  }
  const taskDefinitions = new Map<string, DeployedTaskDefinition>();
  for (const [id, r] of Object.entries(resourcesOf(built.stateless, 'AWS::ECS::TaskDefinition'))) {
    const container = r.Properties!.ContainerDefinitions[0] as { Environment?: { Name: string; Value: Json }[] };
    const arn = stateless.physical(id);
    taskDefinitions.set(arn, { logicalId: id, arn, env: Object.fromEntries((container.Environment ?? []).map((e) => [e.Name, String(stateless.resolve(e.Value))])) });
  }
  const rules: DeployedRule[] = Object.entries(resourcesOf(built.stateless, 'AWS::Events::Rule')).map(([id, r]) => {
    const p = stateless.resolve(r.Properties) as Record<string, any>;
    return {
      logicalId: id,
      name: p.Name ?? id,
      bus: p.EventBusName ?? 'default',
      eventPattern: p.EventPattern,
      targets: (p.Targets as any[]).map((t) => ({ arn: t.Arn, ...(t.InputTransformer ? { inputTransformer: t.InputTransformer } : {}), ...(t.Input ? { input: t.Input } : {}) })),
    };
  });
  const [busId] = only(resourcesOf(built.stateless, 'AWS::Events::EventBus'), 'platform bus');
  const buckets = Object.entries(resourcesOf(built.stateful, 'AWS::S3::Bucket')).map(([id]) => stateful.physical(id));
  const [tableId, table] = only(resourcesOf(built.stateful, 'AWS::DynamoDB::Table'), 'table');
  return {
    stateMachine: encode,
    stateMachines,
    stateMachinesByArn: new Map([...stateMachines.values()].map((m) => [m.arn, m])),
    functions,
    functionsByArn: new Map([...functions.values()].map((f) => [f.arn, f])),
    taskDefinitions,
    rules,
    platformBus: stateless.physical(busId),
    sourceBucket: buckets.find((b) => b.includes('-sources-'))!,
    derivativeBucket: buckets.find((b) => b.includes('-derivatives-'))!,
    table: { name: stateful.physical(tableId), properties: table.Properties! },
  };
}

function only<T>(entries: Record<string, T>, what: string): [string, T] {
  const list = Object.entries(entries);
  if (list.length !== 1) throw new Error(`expected one ${what}, found ${list.length}`);
  return list[0]!;
}
