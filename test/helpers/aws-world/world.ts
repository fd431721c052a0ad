/**
 * The AWS composition of Mosaic on one machine. What synth emits (cfn.ts) is "deployed" onto
 * loopback stand-ins and run with the real entry points:
 *
 * - S3: s3rver with the stage's two bucket names; DynamoDB: dynalite with the table created from
 *   the template's own properties (keys, attributes, GSIs).
 * - Lambda: every AWS::Lambda::Function of the template is its bootstrap entry point
 *   (lambdas/bootstrap/*) created with the function's resolved environment, plus the emulator
 *   endpoints, local ffmpeg paths and the few overrides listed in `FunctionOverrides`.
 * - Step Functions: every state machine of the template (one per `state-machines/*.asl.json`), its
 *   DefinitionString with its substitutions applied, runs in aws-local-stepfunctions;
 *   StartExecution, StopExecution and DescribeExecution are routed by state machine (execution)
 *   ARN, SendTask* by the task token's execution; `taskResourceLocalHandlers` maps each Task state to the Lambda its
 *   ARN names (`lambda:invoke` by its FunctionName), and `ecs:runTask.waitForTaskToken` to the
 *   container entry (containers/ffmpeg/run-task.ts) with the task definition's environment and the
 *   state's container overrides; the container reports with SendTaskSuccess/Failure to the SFN
 *   endpoint here. aws-local-stepfunctions gives every task the same `$$.Task.Token`, so the
 *   harness mints one per task as Step Functions does. The harness emits the `Step Functions
 *   Execution Status Change` events (RUNNING, SUCCEEDED/FAILED/ABORTED), with the execution's
 *   own stateMachineArn, onto the default bus.
 * - EventBridge: PutEvents (and S3's / Step Functions' own events) are matched against the
 *   template's AWS::Events::Rule EventPatterns with core's event-pattern matcher and delivered
 *   through each target's InputTransformer to its Lambda, one delivery at a time per target
 *   (in the order the events arrived; `concurrentTargets` makes a target take them concurrently
 *   and out of order), retried twice on an error, then dead-lettered (recorded).
 * - API Gateway: `api()` hands the API Lambda a REST proxy event carrying the key API Gateway
 *   verified. Faults and container gates exist only in this harness (tests inject failures and
 *   slow container starts with them); nothing in the product reads them.
 */
import './../../../local/polyfills.js';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { handle } from 'hono/aws-lambda';
import { StateMachine } from 'aws-local-stepfunctions';
import { runTask } from '../../../containers/ffmpeg/run-task.js';
import { createAllocator } from '../../../lambdas/bootstrap/allocator.js';
import { createAwsApiApp } from '../../../lambdas/bootstrap/api.js';
import { awsRuntimeDeps } from '../../../lambdas/bootstrap/aws-deps.js';
import { createJobEvents } from '../../../lambdas/bootstrap/job-events.js';
import { createLambdaHandler } from '../../../lambdas/bootstrap/lambda-function.js';
import { createLifecycle } from '../../../lambdas/bootstrap/lifecycle.js';
import { createRuleEngine } from '../../../lambdas/bootstrap/rule-engine.js';
import { createUploadTrigger } from '../../../lambdas/bootstrap/upload-trigger.js';
import { createWorkflowStarter } from '../../../lambdas/bootstrap/workflow-starter.js';
import { EXECUTION_STATUS_CHANGE } from '../../../lambdas/contracts/index.js';
import { compilePattern, type EventMatcher } from '../../../lambdas/core/event-pattern/index.js';
import { readJsonPath } from '../../../lambdas/core/rules/templates.js';
import { ITEM_READER_RESOURCE, localizeDistributedMaps, parseItems, type ItemReaderParameters } from '../../../local/distributed-map.js';
import { ROOT } from '../media.js';
import dynalite from 'dynalite';
import type { AddressInfo } from 'node:net';
import type { BusEvent as RuleBusEvent } from '../rule-events.js';
import { startS3, FAKE_CREDENTIALS, type S3Emulator } from '../../integration/emulators.js';
import { ACCOUNT, REGION, deployStage, type DeployedFunction, type DeployedStateMachine, type Deployment } from './cfn.js';
import { AwsApiError, startServices, type Services } from './services.js';

/** An event as EventBridge delivers it (the same envelope the rules helpers build). */
export type BusEvent = Omit<RuleBusEvent, 'detail'> & { detail: Record<string, any> };

export interface Delivery {
  rule: string;
  target: string;
  event: BusEvent;
  attempts: number;
  result?: unknown;
  error?: string;
}

export interface ExecutionRecord {
  arn: string;
  /** The state machine it is an execution of. */
  stateMachineArn: string;
  /** Its workflow (`encode`, `measure`, …). */
  workflow: string;
  name: string;
  input: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  startDate: number;
  stopDate: number | null;
  output: string | null;
  error: string | null;
  cause: string | null;
  /** Every status change event the harness emitted for it. */
  events: BusEvent[];
  done: Promise<void>;
  abort: () => void;
  /** ECS tasks of this execution (stopped when the execution is). */
  ecsStops: Set<AbortController>;
}

export interface TaskRun {
  execution: string;
  state: string;
  fn: string;
  platform: 'lambda' | 'fargate';
  itemId: string | null;
  startedAt: number;
  endedAt: number | null;
  outcome: 'running' | 'succeeded' | 'failed';
  error?: string;
}

export interface WorldOptions {
  ffmpeg: string;
  ffprobe: string;
  vmafModel?: string;
  /** Functions whose platform the harness forces to Fargate in the Plan payload (`platforms`). */
  fargate?: string[];
}

/**
 * Harness-only fault injection: called before a media function runs (on Lambda or in the
 * container); a returned Error is thrown as that function's error.
 */
export type Fault = (fn: string, payload: any) => Error | null;

export interface ApiAnswer {
  status: number;
  body: any;
  headers: Record<string, string>;
}

type Handler = (event: unknown) => Promise<unknown>;

const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** EventBridge's InputTransformer: `<var>` inside a JSON string is the text, elsewhere the JSON value. */
export function applyInputTransformer(t: { InputPathsMap?: Record<string, string>; InputTemplate: string }, event: BusEvent, ruleName: string, ruleArn: string): unknown {
  const vars = new Map<string, unknown>();
  for (const [name, path] of Object.entries(t.InputPathsMap ?? {})) vars.set(name, readJsonPath(event, path) ?? null);
  vars.set('aws.events.event', event);
  vars.set('aws.events.event.json', JSON.stringify(event));
  vars.set('aws.events.rule-name', ruleName);
  vars.set('aws.events.rule-arn', ruleArn);
  vars.set('aws.events.event.ingestion-time', event.time);
  let out = '';
  let inString = false;
  const text = t.InputTemplate;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' && text[i - 1] !== '\\') inString = !inString;
    const m = c === '<' ? /^<([A-Za-z0-9_.-]+)>/.exec(text.slice(i)) : null;
    if (m && vars.has(m[1]!)) {
      const v = vars.get(m[1]!);
      out += inString ? (typeof v === 'string' ? v : JSON.stringify(v)) : JSON.stringify(v);
      i += m[0].length - 1;
      continue;
    }
    out += c;
  }
  return JSON.parse(out);
}

export class AwsWorld {
  readonly deployment: Deployment;
  readonly deliveries: Delivery[] = [];
  readonly deadLetters: Delivery[] = [];
  /** Every event put on a bus, in order, with the bus. */
  readonly busLog: { bus: string; event: BusEvent }[] = [];
  readonly executions = new Map<string, ExecutionRecord>();
  readonly tasks: TaskRun[] = [];
  readonly faults: Fault[] = [];
  /**
   * Harness-only: awaited while a container starts, before the function runs (a slow start),
   * so a test can stop an execution while its ECS task is up.
   */
  readonly containerGates: ((fn: string, payload: any) => Promise<void> | undefined)[] = [];
  /** Every Distributed Map ItemReader read, from s3rver: the execution, the state, the object and how many items it held. */
  readonly itemReads: { execution: string; state: string; bucket: string; key: string; items: number }[] = [];
  /** Errors the harness itself could not place (e.g. a container that could not report). */
  readonly harnessErrors: string[] = [];
  /** Every EMF document the handlers printed (CloudWatch Logs would extract these into metrics). */
  readonly emf: Record<string, any>[] = [];
  private restoreStdout: (() => void) | null = null;
  s3Client!: S3Client;
  private s3!: S3Emulator;
  private dynamo!: { endpoint: string; close(): Promise<void> };
  services!: Services;
  private readonly handlers = new Map<string, Promise<Handler>>();
  private readonly queues = new Map<string, Promise<void>>();
  private pending = 0;
  private readonly matchers = new Map<string, EventMatcher>();
  private readonly tokens = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void; execution: string }>();
  /** An interpreter per state machine, by state machine ARN. */
  private readonly machines = new Map<string, StateMachine>();
  /** What each interpreter runs, by workflow: the deployed definition with its Distributed Maps made in-process (local/distributed-map.ts). */
  private readonly runnable = new Map<string, Record<string, unknown>>();
  private inflight = 0;

  private constructor(readonly opts: WorldOptions) {
    this.deployment = deployStage('dev');
  }

  static async start(opts: WorldOptions): Promise<AwsWorld> {
    const w = new AwsWorld(opts);
    w.captureEmf();
    await w.boot();
    return w;
  }

  /** Lambda's stdout is its log stream: EMF lines are kept (and not printed), the rest passes. */
  private captureEmf(): void {
    // vitest.config turns Powertools metrics off for the suite; in this world they are the subject.
    const disabled = process.env.POWERTOOLS_METRICS_DISABLED;
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      if (text.startsWith('{"_aws"')) {
        for (const line of text.split('\n').filter(Boolean)) this.emf.push(JSON.parse(line));
        return true;
      }
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write;
    this.restoreStdout = () => {
      process.stdout.write = write;
      if (disabled === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
      else process.env.POWERTOOLS_METRICS_DISABLED = disabled;
    };
  }

  private async boot(): Promise<void> {
    const d = this.deployment;
    [this.s3, this.dynamo, this.services] = await Promise.all([
      startS3([d.sourceBucket, d.derivativeBucket]),
      startDynalite(),
      startServices({
        operations: {
          PutEvents: (b) => this.putEventsApi(b),
          StartExecution: (b) => this.startExecution(b),
          StopExecution: (b) => this.stopExecution(b),
          DescribeExecution: (b) => this.describeExecution(b),
          SendTaskSuccess: (b) => this.taskCallback(b, true),
          SendTaskFailure: (b) => this.taskCallback(b, false),
          SendTaskHeartbeat: (b) => {
            if (!this.tokens.has(String(b.taskToken))) throw new AwsApiError('TaskDoesNotExist', 'Task does not exist anymore');
            return {};
          },
        },
        invoke: async (name, payload) => {
          const fn = [...d.functions.values()].find((f) => f.arn === name || f.name === name);
          if (!fn) throw new AwsApiError('ResourceNotFoundException', `Function not found: ${name}`, 404);
          try {
            return { result: await (await this.handlerOf(fn))(payload) };
          } catch (e) {
            return { error: { errorType: (e as Error).name, errorMessage: (e as Error).message } };
          }
        },
      }),
    ]);
    // The table exactly as the stateful stack defines it (dynalite takes no PITR/SSE settings).
    const ddb = new DynamoDBClient({ endpoint: this.dynamo.endpoint, region: REGION, credentials: FAKE_CREDENTIALS });
    const p = d.table.properties;
    await ddb.send(
      new CreateTableCommand({
        TableName: d.table.name,
        BillingMode: p.BillingMode,
        AttributeDefinitions: p.AttributeDefinitions,
        KeySchema: p.KeySchema,
        GlobalSecondaryIndexes: p.GlobalSecondaryIndexes,
      }),
    );
    ddb.destroy();
    this.s3Client = new S3Client({ endpoint: this.s3.endpoint, forcePathStyle: true, region: REGION, credentials: FAKE_CREDENTIALS });
    for (const sm of d.stateMachines.values()) {
      const definition = structuredClone(sm.definition);
      localizeDistributedMaps(definition as never);
      this.runnable.set(sm.workflow, definition);
      this.machines.set(sm.arn, new StateMachine(definition as never, { validationOptions: { checkPaths: true, checkArn: true } }));
    }
  }

  async close(): Promise<void> {
    this.restoreStdout?.();
    this.s3Client?.destroy();
    await Promise.all([this.s3?.close(), this.dynamo?.close(), this.services?.close()]);
  }

  // ---------------------------------------------------------------- environments and handlers

  /** What every function of the deployment sees on "AWS": its own variables plus the emulators. */
  envOf(fn: { env: Record<string, string> }, extra: Record<string, string> = {}): Record<string, string> {
    const { NODE_OPTIONS: _n, POWERTOOLS_LOG_LEVEL: _l, ...own } = fn.env;
    const vmaf = this.opts.vmafModel && existsSync(this.opts.vmafModel) ? this.opts.vmafModel : join(ROOT, 'no-vmaf-model-here.pkl');
    return {
      ...own,
      PATH: process.env.PATH ?? '',
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
      MOSAIC_AWS_ENDPOINT_S3: this.s3.endpoint,
      MOSAIC_AWS_ENDPOINT_DYNAMODB: this.dynamo.endpoint,
      MOSAIC_AWS_ENDPOINT_EVENTS: this.services.endpoint,
      MOSAIC_AWS_ENDPOINT_SFN: this.services.endpoint,
      MOSAIC_AWS_ENDPOINT_LAMBDA: this.services.endpoint,
      // The layer's /opt/bin binaries are this machine's static builds.
      ...(own.MOSAIC_FFMPEG ? { MOSAIC_FFMPEG: this.opts.ffmpeg } : {}),
      ...(own.MOSAIC_FFPROBE ? { MOSAIC_FFPROBE: this.opts.ffprobe } : {}),
      MOSAIC_VMAF_MODEL: vmaf,
      // The deployment's opt-in for private receivers (allowPrivateWebhooks), on for the loopback receiver.
      ...(own.MOSAIC_ALLOW_PRIVATE_WEBHOOKS ? { MOSAIC_ALLOW_PRIVATE_WEBHOOKS: 'true' } : {}),
      // Shorter pauses between webhook attempts than the deployed 2/10/30 s.
      ...(own.MOSAIC_WEBHOOK_BACKOFF_MS ? { MOSAIC_WEBHOOK_BACKOFF_MS: '50,100,200' } : {}),
      // The bundle carries rules/ beside it; here they are the repository's.
      ...(fn.env.POWERTOOLS_SERVICE_NAME === 'mosaic-rule-engine' ? { MOSAIC_RULES_DIR: join(ROOT, 'rules') } : {}),
      ...extra,
    };
  }

  fn(role: string): DeployedFunction {
    const found = [...this.deployment.functions.values()].filter((f) => f.role === role && !f.env.MOSAIC_ALLOCATED_SIZE_MIB);
    if (found.length !== 1) throw new Error(`expected one function ${role}, found ${found.length}`);
    return found[0]!;
  }

  private handlerOf(fn: DeployedFunction): Promise<Handler> {
    let h = this.handlers.get(fn.arn);
    if (!h) {
      const env = this.envOf(fn);
      const make = async (): Promise<Handler> => {
        if (env.MOSAIC_FUNCTION) return createLambdaHandler(env);
        switch (env.POWERTOOLS_SERVICE_NAME) {
          case 'mosaic-allocator':
            return createAllocator(env) as Handler;
          case 'mosaic-upload-trigger':
            return createUploadTrigger(env) as Handler;
          case 'mosaic-workflow-starter':
            return createWorkflowStarter(env) as Handler;
          case 'mosaic-rule-engine':
            return createRuleEngine(env) as Handler;
          case 'mosaic-lifecycle':
            return createLifecycle(env) as Handler;
          case 'mosaic-job-events':
            return createJobEvents(env) as Handler;
          case 'mosaic-api': {
            const app = handle(await createAwsApiApp(env));
            return (e) => app(e as never) as Promise<unknown>;
          }
          default:
            throw new Error(`no bootstrap entry for ${fn.logicalId} (${env.POWERTOOLS_SERVICE_NAME})`);
        }
      };
      h = make();
      this.handlers.set(fn.arn, h);
    }
    return h;
  }

  // ---------------------------------------------------------------- EventBridge

  private putEventsApi(body: Record<string, any>) {
    const entries = (body.Entries ?? []) as { Source: string; DetailType: string; Detail: string; EventBusName?: string; Resources?: string[]; Time?: number | string }[];
    return {
      FailedEntryCount: 0,
      Entries: entries.map((e) => {
        const bus = (e.EventBusName ?? 'default').replace(/^arn:aws:events:[^:]*:\d+:event-bus\//, '');
        const event = this.event(e.Source, e.DetailType, JSON.parse(e.Detail), e.Resources ?? [], e.Time === undefined ? undefined : typeof e.Time === 'number' ? e.Time * 1000 : Date.parse(e.Time));
        this.put(bus, event);
        return { EventId: event.id };
      }),
    };
  }

  event(source: string, detailType: string, detail: Record<string, any>, resources: string[] = [], at = Date.now()): BusEvent {
    return { version: '0', id: randomUUID(), 'detail-type': detailType, source, account: ACCOUNT, time: isoSeconds(at), region: REGION, resources, detail };
  }

  /** Puts one event on a bus (`default` or the platform bus) and delivers it to the rules it matches. */
  put(bus: string, event: BusEvent): void {
    this.busLog.push({ bus, event });
    for (const rule of this.deployment.rules) {
      if (rule.bus !== bus) continue;
      let m = this.matchers.get(rule.logicalId);
      if (!m) this.matchers.set(rule.logicalId, (m = compilePattern(rule.eventPattern)));
      if (!m(event)) continue;
      for (const target of rule.targets) {
        const fn = this.deployment.functionsByArn.get(target.arn);
        if (!fn) {
          this.harnessErrors.push(`rule ${rule.name}: target ${target.arn} is not a function of the stage`);
          continue;
        }
        const ruleArn = `arn:aws:events:${REGION}:${ACCOUNT}:rule/${bus === 'default' ? '' : `${bus}/`}${rule.name}`;
        const input = target.inputTransformer ? applyInputTransformer(target.inputTransformer, event, rule.name, ruleArn) : target.input ? JSON.parse(target.input) : event;
        const delivery: Delivery = { rule: rule.name, target: fn.role, event, attempts: 0 };
        this.deliveries.push(delivery);
        this.enqueue(fn.arn, async () => {
          const h = await this.handlerOf(fn);
          for (;;) {
            delivery.attempts++;
            try {
              delivery.result = await h(structuredClone(input));
              delete delivery.error;
              return;
            } catch (e) {
              delivery.error = `${(e as Error).name}: ${(e as Error).message}`;
              if (delivery.attempts >= 3) {
                this.deadLetters.push(delivery);
                return;
              }
              await new Promise((r) => setTimeout(r, 50));
            }
          }
        });
      }
    }
  }

  /**
   * Targets (function roles, e.g. `mosaic-lifecycle`) that take their deliveries concurrently, as
   * Lambda scales out, instead of one at a time in arrival order.
   */
  readonly concurrentTargets = new Set<string>();

  private enqueue(key: string, work: () => Promise<void>): void {
    this.pending++;
    const role = this.deployment.functionsByArn.get(key)?.role ?? '';
    if (this.concurrentTargets.has(role)) {
      // A random few milliseconds apart: deliveries overtake each other.
      void new Promise((r) => setTimeout(r, Math.random() * 20)).then(work).finally(() => void this.pending--);
      return;
    }
    const next = (this.queues.get(key) ?? Promise.resolve()).then(work).finally(() => void this.pending--);
    this.queues.set(key, next.catch(() => undefined));
  }

  /** S3's `Object Created` for an object in the source bucket, as EventBridge notifications deliver it. */
  async upload(key: string, body: Uint8Array): Promise<BusEvent> {
    const res = await this.s3Client.send(new PutObjectCommand({ Bucket: this.deployment.sourceBucket, Key: key, Body: body }));
    const bucket = this.deployment.sourceBucket;
    const event = this.event('aws.s3', 'Object Created', {
      version: '0',
      bucket: { name: bucket },
      object: { key, size: body.length, etag: String(res.ETag).replace(/"/g, ''), ...(res.VersionId ? { 'version-id': res.VersionId } : {}), sequencer: '0062E99A88DC407460' },
      'request-id': randomUUID().slice(0, 16).toUpperCase(),
      requester: ACCOUNT,
      'source-ip-address': '127.0.0.1',
      reason: 'PutObject',
    }, [`arn:aws:s3:::${bucket}`]);
    this.put('default', event);
    return event;
  }

  // ---------------------------------------------------------------- Step Functions

  private executionArnOf(stateMachineArn: string, name: string) {
    return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  /** The deployed state machine of workflow `name` (default `encode`). */
  stateMachineOf(workflow = 'encode'): DeployedStateMachine {
    const sm = this.deployment.stateMachines.get(workflow);
    if (!sm) throw new Error(`no state machine for workflow ${workflow} (deployed: ${[...this.deployment.stateMachines.keys()].join(', ')})`);
    return sm;
  }

  private startExecution(b: Record<string, any>) {
    const sm = this.deployment.stateMachinesByArn.get(String(b.stateMachineArn));
    const machine = this.machines.get(String(b.stateMachineArn));
    if (!sm || !machine) throw new AwsApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${b.stateMachineArn}'`);
    const name = String(b.name ?? randomUUID());
    const arn = this.executionArnOf(sm.arn, name);
    const input = String(b.input ?? '{}');
    const existing = this.executions.get(arn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input) return { executionArn: arn, startDate: existing.startDate / 1000 };
      throw new AwsApiError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    const startDate = Date.now();
    let settle = () => {};
    const rec: ExecutionRecord = {
      arn, stateMachineArn: sm.arn, workflow: sm.workflow, name, input, status: 'RUNNING', startDate, stopDate: null, output: null, error: null, cause: null, events: [],
      done: new Promise<void>((r) => (settle = r)), abort: () => {}, ecsStops: new Set(),
    };
    this.executions.set(arn, rec);
    this.emitStatus(rec);
    const context = {
      Execution: { Id: arn, Input: JSON.parse(input), Name: name, RoleArn: `arn:aws:iam::${ACCOUNT}:role/${sm.name}`, StartTime: new Date(startDate).toISOString() },
      StateMachine: { Id: sm.arn, Name: sm.name },
      Task: { Token: 'set-per-task-by-the-harness' },
    };
    const run = machine.run(JSON.parse(input), {
      overrides: { taskResourceLocalHandlers: this.taskHandlers(rec, sm.workflow) as never, retryIntervalOverrides: this.retryOverrides(sm.workflow) },
      context: context as never,
    });
    rec.abort = () => run.abort();
    run.result.then(
      (output) => this.finish(rec, 'SUCCEEDED', { output: JSON.stringify(output ?? null) }),
      (e: unknown) => {
        if (rec.status !== 'RUNNING') return; // stopped: already ended as ABORTED
        const cause = (e as { cause?: { name?: string; message?: string } }).cause;
        const error = cause?.name && cause.name !== 'Error' ? cause.name : ((e as Error).name ?? 'States.Runtime');
        this.finish(rec, 'FAILED', { error, cause: cause?.message ?? (e as Error).message ?? null });
      },
    ).finally(() => settle());
    return { executionArn: arn, startDate: startDate / 1000 };
  }

  private finish(rec: ExecutionRecord, status: 'SUCCEEDED' | 'FAILED' | 'ABORTED', o: { output?: string; error?: string | null; cause?: string | null }) {
    if (rec.status !== 'RUNNING') return;
    rec.status = status;
    rec.stopDate = Date.now();
    rec.output = o.output ?? null;
    rec.error = o.error ?? null;
    rec.cause = o.cause ?? null;
    this.emitStatus(rec);
  }

  /** The status change event Step Functions sends to the default bus. */
  statusEvent(rec: Pick<ExecutionRecord, 'arn' | 'name' | 'status' | 'startDate' | 'stopDate' | 'input' | 'output' | 'error' | 'cause'> & { stateMachineArn?: string }): BusEvent {
    return this.event(
      'aws.states',
      EXECUTION_STATUS_CHANGE,
      {
        executionArn: rec.arn,
        stateMachineArn: rec.stateMachineArn ?? this.deployment.stateMachine.arn,
        name: rec.name,
        status: rec.status,
        startDate: rec.startDate,
        stopDate: rec.stopDate,
        input: rec.input,
        output: rec.output,
        inputDetails: { included: true },
        outputDetails: rec.output === null ? null : { included: true },
        error: rec.error,
        cause: rec.cause,
      },
      [rec.arn],
      rec.stopDate ?? rec.startDate,
    );
  }

  private emitStatus(rec: ExecutionRecord): void {
    const e = this.statusEvent(rec);
    rec.events.push(e);
    this.put('default', e);
  }

  private stopExecution(b: Record<string, any>) {
    const rec = this.executions.get(String(b.executionArn));
    if (!rec) throw new AwsApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${b.executionArn}'`);
    if (rec.status === 'RUNNING') {
      rec.abort();
      // ECS stops the execution's tasks (SIGTERM to the container: its stop signal).
      for (const c of rec.ecsStops) c.abort();
      this.finish(rec, 'ABORTED', { error: b.error ?? null, cause: b.cause ?? null });
      for (const [token, t] of this.tokens) if (t.execution === rec.arn) this.tokens.delete(token);
    }
    return { stopDate: (rec.stopDate ?? Date.now()) / 1000 };
  }

  private describeExecution(b: Record<string, any>) {
    const rec = this.executions.get(String(b.executionArn));
    if (!rec) throw new AwsApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${b.executionArn}'`);
    return {
      executionArn: rec.arn,
      stateMachineArn: rec.stateMachineArn,
      name: rec.name,
      status: rec.status,
      startDate: rec.startDate / 1000,
      ...(rec.stopDate ? { stopDate: rec.stopDate / 1000 } : {}),
      input: rec.input,
      ...(rec.output !== null ? { output: rec.output } : {}),
      ...(rec.error ? { error: rec.error } : {}),
      ...(rec.cause ? { cause: rec.cause } : {}),
    };
  }

  private taskCallback(b: Record<string, any>, ok: boolean) {
    const token = String(b.taskToken);
    const t = this.tokens.get(token);
    if (!t) throw new AwsApiError('TaskDoesNotExist', 'Task does not exist anymore');
    this.tokens.delete(token);
    if (ok) t.resolve(JSON.parse(String(b.output)));
    else t.reject(Object.assign(new Error(String(b.cause ?? '')), { name: String(b.error ?? 'States.TaskFailed') }));
    return {};
  }

  private retryOverrides(workflow: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const name of this.taskStates(workflow).keys()) out[name] = 20;
    return out;
  }

  /** Task state name → its state, over the whole definition of a workflow (Parallel branches and Map processors). */
  taskStates(workflow = 'encode'): Map<string, Record<string, any>> {
    const out = new Map<string, Record<string, any>>();
    const walk = (m: { States: Record<string, Record<string, any>> }) => {
      for (const [name, s] of Object.entries(m.States)) {
        if (s.Type === 'Task') out.set(name, s);
        for (const b of s.Branches ?? []) walk(b);
        if (s.ItemProcessor ?? s.Iterator) walk(s.ItemProcessor ?? s.Iterator);
      }
    };
    this.stateMachineOf(workflow);
    walk(this.runnable.get(workflow) as never);
    return out;
  }

  private taskHandlers(rec: ExecutionRecord, workflow: string): Record<string, (input: unknown) => Promise<unknown>> {
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [state, s] of this.taskStates(workflow)) {
      const resource = String(s.Resource);
      if (resource.startsWith('arn:aws:lambda:')) {
        const fn = this.deployment.functionsByArn.get(resource);
        if (!fn) throw new Error(`${state}: ${resource} is not a function of the stage`);
        handlers[state] = (input) => this.invokeTask(rec, state, fn, input);
      } else if (resource === 'arn:aws:states:::lambda:invoke') {
        handlers[state] = async (params) => {
          const { FunctionName, Payload } = params as { FunctionName: string; Payload: unknown };
          const fn = this.deployment.functionsByArn.get(FunctionName);
          if (!fn) throw Object.assign(new Error(`Function not found: ${FunctionName}`), { name: 'Lambda.ResourceNotFoundException' });
          const result = await this.invokeTask(rec, state, fn, Payload);
          return { ExecutedVersion: '$LATEST', Payload: result, StatusCode: 200 };
        };
      } else if (resource === 'arn:aws:states:::ecs:runTask.waitForTaskToken') {
        handlers[state] = (params) => this.runEcsTask(rec, state, params as EcsParams);
      } else if (resource === ITEM_READER_RESOURCE) {
        // A Distributed Map's ItemReader: the object, from s3rver, in the bucket the definition names.
        handlers[state] = async (params) => {
          const { Bucket, Key } = params as ItemReaderParameters;
          const res = await this.s3Client.send(new GetObjectCommand({ Bucket, Key }));
          const items = parseItems(Key, await res.Body!.transformToString());
          this.itemReads.push({ execution: rec.name, state, bucket: String(Bucket), key: Key, items: items.length });
          return items;
        };
      } else throw new Error(`${state}: no harness for resource ${resource}`);
    }
    return handlers;
  }

  private track<T>(rec: ExecutionRecord, state: string, fn: string, platform: 'lambda' | 'fargate', payload: any, work: () => Promise<T>): Promise<T> {
    const run: TaskRun = { execution: rec.name, state, fn, platform, itemId: payload?.itemId ?? null, startedAt: Date.now(), endedAt: null, outcome: 'running' };
    this.tasks.push(run);
    this.inflight++;
    return work().then(
      (v) => {
        Object.assign(run, { endedAt: Date.now(), outcome: 'succeeded' });
        this.inflight--;
        return v;
      },
      (e: Error) => {
        Object.assign(run, { endedAt: Date.now(), outcome: 'failed', error: `${e.name}: ${e.message}` });
        this.inflight--;
        throw e;
      },
    );
  }

  private fault(fn: string, payload: unknown): Error | null {
    for (const f of this.faults) {
      const e = f(fn, payload);
      if (e) return e;
    }
    return null;
  }

  private async invokeTask(rec: ExecutionRecord, state: string, fn: DeployedFunction, payload: unknown): Promise<unknown> {
    // Lambda hands the function a copy of the JSON, and Step Functions a copy of what it returned.
    let event = JSON.parse(JSON.stringify(payload ?? null));
    const media = fn.env.MOSAIC_FUNCTION;
    if (media === 'plan' && this.opts.fargate?.length) event = { ...event, platforms: { ...event.platforms, ...Object.fromEntries(this.opts.fargate.map((f) => [f, 'fargate'])) } };
    return this.track(rec, state, media ?? fn.role, 'lambda', event, async () => {
      const injected = media ? this.fault(media, event) : null;
      if (injected) throw injected;
      const out = await (await this.handlerOf(fn))(event);
      return JSON.parse(JSON.stringify(out ?? null));
    });
  }

  private async runEcsTask(rec: ExecutionRecord, state: string, params: EcsParams): Promise<unknown> {
    const td = this.deployment.taskDefinitions.get(params.TaskDefinition);
    if (!td) throw new Error(`${state}: task definition ${params.TaskDefinition} is not in the stage`);
    const overrides = Object.fromEntries((params.Overrides?.ContainerOverrides?.[0]?.Environment ?? []).map((e) => [e.Name, String(e.Value)]));
    const token = `${randomUUID()}${randomUUID()}`.replace(/-/g, '');
    const env = this.envOf({ env: { ...td.env, MOSAIC_FFMPEG: '/opt/bin/ffmpeg', MOSAIC_FFPROBE: '/opt/bin/ffprobe' } }, { ...overrides, MOSAIC_TASK_TOKEN: token, MOSAIC_HEARTBEAT_SEC: '2' });
    const fn = env.MOSAIC_FUNCTION!;
    // The input as the container will read it: inline, or the object MOSAIC_INPUT_KEY names.
    const payload = env.MOSAIC_INPUT_KEY
      ? JSON.parse(await (await this.s3Client.send(new GetObjectCommand({ Bucket: this.deployment.derivativeBucket, Key: env.MOSAIC_INPUT_KEY }))).Body!.transformToString())
      : JSON.parse(env.MOSAIC_INPUT ?? 'null');
    // What the Task state waits for: the container's SendTaskSuccess / SendTaskFailure.
    const reported = new Promise<unknown>((resolve, reject) => this.tokens.set(token, { resolve, reject, execution: rec.arn }));
    const stop = new AbortController();
    rec.ecsStops.add(stop);
    // The container's life, tracked on its own: it may outlive the state (e.g. stopped with its execution).
    void this.track(rec, state, fn, 'fargate', payload, async () => {
      try {
        const injected = this.fault(fn, payload);
        if (injected) {
          this.taskCallback({ taskToken: token, error: injected.name, cause: injected.message }, false);
          throw injected;
        }
        // Resolves once the outcome was reported (exit 0); rejects when nothing could be reported (exit 1).
        const outcome = await runTask(env, {
          stop: stop.signal,
          deps: async (e) => {
            for (const gate of this.containerGates) await gate(fn, payload);
            return awsRuntimeDeps(e);
          },
        });
        if (outcome.status === 'failed') throw Object.assign(new Error(`container reported ${outcome.error}`), { name: outcome.error ?? 'Error' });
      } finally {
        rec.ecsStops.delete(stop);
      }
    }).catch((e: Error) => {
      const waiting = this.tokens.get(token);
      if (rec.status !== 'RUNNING' || !waiting) return;
      // A container gone without a word: the state's heartbeat would time out.
      this.harnessErrors.push(`${state}: container exited without reporting: ${e.name}: ${e.message}`);
      this.tokens.delete(token);
      waiting.reject(Object.assign(new Error(`container exited without reporting: ${e.message}`), { name: 'States.HeartbeatTimeout' }));
    });
    return reported;
  }

  // ---------------------------------------------------------------- API Gateway → API Lambda

  /** A REST API proxy event for the API Lambda, with the key API Gateway verified. */
  async api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiAnswer> {
    const h = (await this.handlerOf(this.fn('mosaic-api'))) as Handler;
    const [p, q] = path.split('?') as [string, string | undefined];
    const query = q ? Object.fromEntries(new URLSearchParams(q)) : null;
    const apiKey = 'aws-world-api-key-0123456789';
    const allHeaders = { 'x-api-key': apiKey, host: 'abc123.execute-api.us-east-1.amazonaws.com', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers };
    const res = (await h({
      resource: '/{proxy+}',
      path: p,
      httpMethod: method,
      headers: allHeaders,
      multiValueHeaders: Object.fromEntries(Object.entries(allHeaders).map(([k, v]) => [k, [v]])),
      queryStringParameters: query,
      multiValueQueryStringParameters: query && Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]])),
      pathParameters: { proxy: p.replace(/^\//, '') },
      stageVariables: null,
      body: body === undefined ? null : JSON.stringify(body),
      isBase64Encoded: false,
      requestContext: {
        accountId: ACCOUNT,
        apiId: 'abc123',
        stage: 'dev',
        path: `/dev${p}`,
        resourcePath: '/{proxy+}',
        httpMethod: method,
        requestId: randomUUID(),
        identity: { sourceIp: '127.0.0.1', apiKey, apiKeyId: 'key-id-1', userAgent: 'aws-world' },
      },
    })) as { statusCode: number; body: string; headers?: Record<string, string> };
    let parsed: unknown = res.body;
    try {
      parsed = res.body ? JSON.parse(res.body) : null;
    } catch {
      // not JSON
    }
    return { status: res.statusCode, body: parsed, headers: res.headers ?? {} };
  }

  // ---------------------------------------------------------------- waiting

  /** Tasks (Lambda or container) running now. */
  get running(): number {
    return this.inflight;
  }

  /** Until no execution runs, no task runs and every delivery is done (bounded). */
  async settle(timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    let quietSince = 0;
    for (;;) {
      const busy = this.pending > 0 || this.inflight > 0 || [...this.executions.values()].some((e) => e.status === 'RUNNING');
      if (!busy) {
        quietSince ||= Date.now();
        if (Date.now() - quietSince >= 100) return;
      } else quietSince = 0;
      if (Date.now() > until) throw new Error(`world not settled after ${timeoutMs} ms: ${this.pending} deliveries pending, ${this.inflight} tasks running`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

/** dynalite with no table: the world creates the stage's own. */
async function startDynalite(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections?.();
        server.close(() => r());
      }),
  };
}

interface EcsParams {
  TaskDefinition: string;
  Overrides?: { ContainerOverrides?: { Environment?: { Name: string; Value?: string }[] }[] };
}

/** Polls `probe` until it returns a value (not undefined), or throws after `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
