/**
 * The rules of `rules/*.json` as EventBridge rules, deployed exactly as core/rules'
 * `compileToEventBridge` compiles them (the same function the CLI and the local engine use): the pattern with the stack's substitutions, one target per action with its input
 * transformer, or the rule-engine Lambda with `{"rule", "event"}` for rules that need facts or
 * put events. Targets resolve by name: `workflow:<name>` to the workflow's starter Lambda (the
 * given one, e.g. the upload trigger for `encode`; for any other workflow of the stack a starter
 * Lambda made here, `lambdas/bootstrap/workflow-starter.ts`, only for workflows some rule starts),
 * `function:<name>` to the media function's Lambda, `platform:rule-engine` to the Lambda made here.
 * A rule starting a workflow the stack has no `state-machines/<name>.asl.json` for fails the synth.
 *
 * Rule files are loaded by core/rules' `loadRuleSet` at synth (as by `npm run lint` and both
 * engines): an invalid one fails the synth naming the file, the JSON path in it and what is wrong.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { Rule, RuleSubstitutions } from '../../lambdas/contracts/index.js';
import { RULE_ENGINE_REF, RuleSetError, compileToEventBridge, formatRuleProblem, loadRuleSet, type EventBridgeRuleSpec } from '../../lambdas/core/rules/index.js';
import type { EnvironmentConfig } from '../config/environments.js';
import { acknowledge, wildcardResourceFinding } from '../nag.js';
import { PATHS } from '../paths.js';
import { bucketArn } from './media-access.js';
import { BUNDLING, acknowledgeNodeLambda, nodeLambdaDefaults } from './node-lambda.js';
import { pascalWorkflowName } from './workflows.js';
import { allocatorPolicyEnv } from '../../lambdas/core/workflow-input.js';

export const RULES_DIR = join(PATHS.root, 'rules');
export const RULE_ENGINE_ENTRY = join(PATHS.root, 'lambdas', 'bootstrap', 'rule-engine.ts');
export const WORKFLOW_STARTER_ENTRY = join(PATHS.root, 'lambdas', 'bootstrap', 'workflow-starter.ts');

/** Every rule file of `dir`, validated; throws one Error listing `<file>: <path>: <message>` for every problem. */
export function readRules(dir: string = RULES_DIR, substitutions?: Readonly<Record<string, string>>): { file: string; rule: Rule }[] {
  const files = readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()
    .map((n) => ({ path: `rules/${n}`, text: readFileSync(join(dir, n), 'utf8') }));
  try {
    return loadRuleSet(files, { substitutions }).compiled.map(({ file, rule }) => ({ file, rule }));
  } catch (e) {
    if (!(e instanceof RuleSetError)) throw e;
    throw new Error(`invalid rules:\n${e.problems.map(formatRuleProblem).join('\n')}`);
  }
}

export interface PlatformRulesProps {
  config: EnvironmentConfig;
  /** Default: the repository's `rules/`. */
  rulesDir?: string;
  substitutions: RuleSubstitutions;
  /** Mosaic's own bus (rules on `platform`); `default`-bus rules (S3) use the account's default bus. */
  eventBus: events.IEventBus;
  table: dynamodb.ITable;
  /** The encode workflow the rule engine starts (through the same starter code as the upload trigger). */
  stateMachine: sfn.IStateMachine;
  /** Every workflow of the stack by name (default: only `encode`, the state machine above). */
  workflows?: Record<string, sfn.IStateMachine>;
  /** Workflow name → the Lambda that starts it (records the job, names the execution); the other workflows rules start get one made here. */
  workflowStarters: Record<string, lambda.IFunction>;
  /** Where the reports of finished jobs are (a derived workflow's starter reads job `of`'s report.json); needed when a rule starts a workflow other than encode. */
  derivativeBucketName?: string;
  /** Default platform of each media function (function.json), for the inputs the starters build. */
  functionPlatforms?: Record<string, string>;
  /** Media function name → its Lambda. */
  functions: Record<string, lambda.IFunction>;
  /** Where events go that cannot be delivered after the retries. */
  deadLetterQueue: sqs.IQueue;
}

export class PlatformRules extends Construct {
  readonly specs: EventBridgeRuleSpec[];
  readonly rules = new Map<string, events.CfnRule>();
  readonly engine: NodejsFunction;
  /** The starter Lambdas made here, by workflow name (workflows other than those given a starter, that some rule starts directly). */
  readonly starters = new Map<string, NodejsFunction>();
  private readonly workflows: Record<string, sfn.IStateMachine>;

  constructor(scope: Construct, id: string, props: PlatformRulesProps) {
    super(scope, id);
    const { config } = props;
    const loaded = readRules(props.rulesDir ?? RULES_DIR, props.substitutions);
    this.specs = loaded.map(({ rule }) => compileToEventBridge(rule));
    this.workflows = props.workflows ?? { encode: props.stateMachine };
    const viaEngine = loaded.filter((_, i) => this.specs[i].viaRuleEngine);
    const engineInvokes = [...new Set(viaEngine.flatMap(({ rule }) => rule.then.flatMap((a) => (a.type === 'invoke-function' ? [a.function] : []))))];
    // Workflows other than encode the engine starts itself (rules with an `if` or engine actions), through the starter code.
    const engineStarts = new Map<string, sfn.IStateMachine>();
    for (const { file, rule } of viaEngine)
      for (const a of rule.then)
        if (a.type === 'start-workflow' && a.workflow !== 'encode') engineStarts.set(a.workflow, this.workflowOf(a.workflow, `${file}: then`));

    const rulesDir = props.rulesDir ?? RULES_DIR;
    this.engine = new NodejsFunction(this, 'Engine', {
      ...nodeLambdaDefaults(this, 'Engine', config),
      entry: RULE_ENGINE_ENTRY,
      description: 'Mosaic rule engine: rules with conditions on facts, put-event and assert-facts actions',
      memorySize: 512,
      timeout: Duration.seconds(60),
      bundling: {
        ...BUNDLING,
        // The engine reads the rule files beside its bundle (the same files this construct deployed).
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_in: string, outputDir: string) => [`mkdir -p "${outputDir}/rules"`, `cp "${rulesDir}"/*.json "${outputDir}/rules/"`],
        },
      },
      environment: {
        MOSAIC_TABLE: props.table.tableName,
        MOSAIC_EVENT_BUS: props.eventBus.eventBusName,
        MOSAIC_STATE_MACHINE_ARN: props.stateMachine.stateMachineArn,
        MOSAIC_SOURCE_BUCKET: props.substitutions.SourceBucket,
        MOSAIC_MAP_CONCURRENCY: String(config.mapMaxConcurrency),
        ...allocatorPolicyEnv(config.allocator),
        MOSAIC_FUNCTION_ARNS: Stack.of(this).toJsonString(Object.fromEntries(engineInvokes.map((f) => [f, this.functionArn(props, f, 'the rule engine')]))),
        ...(engineStarts.size
          ? {
              MOSAIC_STATE_MACHINE_ARNS: Stack.of(this).toJsonString(Object.fromEntries([...engineStarts].map(([name, sm]) => [name, sm.stateMachineArn]))),
              MOSAIC_DERIVATIVE_BUCKET: this.derivativeBucket(props, 'the rule engine'),
              MOSAIC_FUNCTION_PLATFORMS: JSON.stringify(props.functionPlatforms ?? {}),
            }
          : {}),
        POWERTOOLS_SERVICE_NAME: 'mosaic-rule-engine',
        POWERTOOLS_LOG_LEVEL: config.logLevel,
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    // Facts, firing records and job records (the starter's conditional create), one table.
    this.engine.addToRolePolicy(new iam.PolicyStatement({
      sid: 'FactsAndJobs',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
      resources: [props.table.tableArn],
    }));
    this.engine.addToRolePolicy(new iam.PolicyStatement({ sid: 'PlatformEvents', actions: ['events:PutEvents'], resources: [props.eventBus.eventBusArn] }));
    props.stateMachine.grantStartExecution(this.engine);
    for (const sm of engineStarts.values()) sm.grantStartExecution(this.engine);
    if (engineStarts.size) this.grantReportReads(this.engine, props);
    for (const f of engineInvokes) props.functions[f]?.grantInvoke(this.engine);
    acknowledgeNodeLambda(this.engine);

    const ruleArns: string[] = [];
    loaded.forEach(({ file }, i) => {
      const spec = this.specs[i];
      const physical = `mosaic-${config.name}-${spec.name}`;
      const rule = new events.CfnRule(this, `Rule-${spec.name}`, {
        ...(physical.length <= 64 ? { name: physical } : {}),
        description: spec.description,
        state: spec.enabled ? 'ENABLED' : 'DISABLED',
        ...(spec.bus === 'platform' ? { eventBusName: props.eventBus.eventBusName } : {}),
        eventPattern: spec.eventPattern,
        targets: spec.targets.map((t, n) => {
          const fn = this.resolve(props, t.ref, `${file}: then`);
          return {
            id: `${n}-${t.ref.replace(/[^A-Za-z0-9_.-]/g, '-')}`.slice(0, 64),
            arn: fn.functionArn,
            ...(t.inputTransformer ? { inputTransformer: { inputPathsMap: t.inputTransformer.inputPathsMap, inputTemplate: t.inputTransformer.inputTemplate } } : {}),
            retryPolicy: { maximumRetryAttempts: 8, maximumEventAgeInSeconds: 6 * 3600 },
            deadLetterConfig: { arn: props.deadLetterQueue.queueArn },
          };
        }),
      });
      this.rules.set(spec.name, rule);
      ruleArns.push(rule.attrArn);
      // One permission per rule and function (a rule may target one function twice, e.g. two renditions).
      for (const ref of new Set(spec.targets.map((t) => t.ref))) {
        const t = { ref };
        const fn = this.resolve(props, t.ref, file);
        fn.addPermission(`Invoke-${spec.name}-${t.ref.replace(/[^A-Za-z0-9]/g, '')}`, {
          principal: new iam.ServicePrincipal('events.amazonaws.com'),
          sourceArn: rule.attrArn,
        });
      }
    });
    // EventBridge puts undeliverable events of these rules into the queue.
    props.deadLetterQueue.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'RulesDeadLetters',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['sqs:SendMessage'],
      resources: [props.deadLetterQueue.queueArn],
      conditions: { ArnEquals: { 'aws:SourceArn': ruleArns } },
    }));
  }

  private resolve(props: PlatformRulesProps, ref: string, where: string): lambda.IFunction {
    if (ref === RULE_ENGINE_REF) return this.engine;
    const [kind, name] = ref.split(':') as [string, string];
    if (kind === 'workflow') return props.workflowStarters[name] ?? this.starterFor(props, name, where);
    const fn = kind === 'function' ? props.functions[name] : undefined;
    if (!fn) throw new Error(`${where}: no ${kind} "${name}" in this stack (known: ${Object.keys(props.functions).join(', ')})`);
    return fn;
  }

  private workflowOf(name: string, where: string): sfn.IStateMachine {
    const sm = this.workflows[name];
    if (!sm) throw new Error(`${where}: no workflow "${name}" in this stack: there is no state-machines/${name}.asl.json (known: ${Object.keys(this.workflows).sort().join(', ')})`);
    return sm;
  }

  /** The starter Lambda of workflow `name` (made once, for the first rule that starts it). */
  private starterFor(props: PlatformRulesProps, name: string, where: string): NodejsFunction {
    const existing = this.starters.get(name);
    if (existing) return existing;
    const stateMachine = this.workflowOf(name, where);
    const { config } = props;
    const id = `Starter${pascalWorkflowName(name)}`;
    const fn = new NodejsFunction(this, id, {
      ...nodeLambdaDefaults(this, id, config),
      entry: WORKFLOW_STARTER_ENTRY,
      description: `Mosaic workflow starter: a job and a ${name} execution per rule firing`,
      memorySize: 256,
      timeout: Duration.seconds(30),
      deadLetterQueue: props.deadLetterQueue,
      retryAttempts: 2,
      environment: {
        MOSAIC_WORKFLOW: name,
        MOSAIC_STATE_MACHINE_ARN: stateMachine.stateMachineArn,
        MOSAIC_TABLE: props.table.tableName,
        MOSAIC_EVENT_BUS: props.eventBus.eventBusName,
        MOSAIC_SOURCE_BUCKET: props.substitutions.SourceBucket,
        MOSAIC_DERIVATIVE_BUCKET: this.derivativeBucket(props, `${where}: the ${name} workflow's starter`),
        MOSAIC_MAP_CONCURRENCY: String(config.mapMaxConcurrency),
        ...allocatorPolicyEnv(config.allocator),
        MOSAIC_FUNCTION_PLATFORMS: JSON.stringify(props.functionPlatforms ?? {}),
        POWERTOOLS_SERVICE_NAME: 'mosaic-workflow-starter',
        POWERTOOLS_LOG_LEVEL: config.logLevel,
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    stateMachine.grantStartExecution(fn);
    // Job records are created conditionally and read back on a duplicate delivery; job `of` is read (no index queries).
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'JobRecords', actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], resources: [props.table.tableArn] }));
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'JobEvents', actions: ['events:PutEvents'], resources: [props.eventBus.eventBusArn] }));
    this.grantReportReads(fn, props);
    acknowledgeNodeLambda(fn);
    this.starters.set(name, fn);
    return fn;
  }

  /** Reads of finished jobs' report.json (a derived workflow's input is built from job `of`'s report). */
  private grantReportReads(fn: NodejsFunction, props: PlatformRulesProps): void {
    const derivatives = bucketArn(this.derivativeBucket(props, 'a workflow starter'));
    const reports = `${derivatives}/*/report.json`;
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'ReadReports', actions: ['s3:GetObject'], resources: [reports] }));
    // Listing lets a job without a report answer "not found" (not 403).
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'ListDerivatives', actions: ['s3:ListBucket'], resources: [derivatives] }));
    acknowledge(fn, wildcardResourceFinding(fn, reports),
      "A derived workflow (measure, repackage) starts from the report.json of the job it names, known at run time; read only, report.json files of the derivative bucket only.");
  }

  private derivativeBucket(props: PlatformRulesProps, who: string): string {
    if (!props.derivativeBucketName) throw new Error(`${who} reads job reports, but PlatformRules was given no derivativeBucketName`);
    return props.derivativeBucketName;
  }

  private functionArn(props: PlatformRulesProps, name: string, who: string): string {
    const fn = props.functions[name];
    if (!fn) throw new Error(`${who} invokes "${name}", which is not a media function of this stack`);
    return fn.functionArn;
  }
}
