/** Everything that can be replaced without losing data: functions, Fargate, the workflows (one state machine per `state-machines/*.asl.json`), the trigger, the platform bus, the API and its CloudFront distribution (with the web UI), dashboards, alarms. */
import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environments.js';
import { Alarms } from '../constructs/alarms.js';
import { Allocator } from '../constructs/allocator.js';
import { aslTasks } from '../constructs/asl.js';
import { CdnSigning } from '../constructs/cdn-signing.js';
import { Dashboards, type RuleRef } from '../constructs/dashboards.js';
import { JobEvents } from '../constructs/job-events.js';
import { JobsApi } from '../constructs/jobs-api.js';
import { Lifecycle } from '../constructs/lifecycle.js';
import type { MediaResources } from '../constructs/media-access.js';
import { MediaFunctions } from '../constructs/media-functions.js';
import { PlatformRules } from '../constructs/rules.js';
import { UploadTrigger } from '../constructs/upload-trigger.js';
import { WebDistribution } from '../constructs/web-distribution.js';
import type { Workflow } from '../constructs/workflow.js';
import { Workflows } from '../constructs/workflows.js';
import { uiForStack, type UiBuild } from '../ui-build.js';

export interface StatelessStackProps extends StackProps {
  config: EnvironmentConfig;
  sourceBucketName: string;
  derivativeBucketName: string;
  table: dynamodb.ITable;
  tableArns: string[];
  /** Folder of `<name>/function.json` (default `lambdas/functions`). */
  functionsDir?: string;
  /** Folder of the workflows' `*.asl.json` (default `state-machines`). */
  stateMachinesDir?: string;
  /** The encode workflow's definition (default `encode.asl.json` of that folder). */
  encodeDefinitionFile?: string;
  /** The web UI to deploy (default: built from `ui/src/main.tsx` at synth time, see uiForStack; null: none). */
  ui?: UiBuild | null;
}

export class StatelessStack extends Stack {
  readonly eventBus: events.EventBus;
  readonly mediaFunctions: MediaFunctions;
  /** Every workflow, one state machine each. */
  readonly workflows: Workflows;
  /** The encode workflow (uploads and API jobs). */
  readonly workflow: Workflow;
  readonly allocator?: Allocator;
  readonly uploadTrigger: UploadTrigger;
  readonly rules: PlatformRules;
  readonly api: JobsApi;
  readonly cdnSigning?: CdnSigning;
  readonly web: WebDistribution;
  readonly jobEvents: JobEvents;
  readonly lifecycle: Lifecycle;
  readonly alarms?: Alarms;
  readonly dashboards: Dashboards;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.eventBus = new events.EventBus(this, 'PlatformBus', { eventBusName: `mosaic-${config.name}` });
    const resources: MediaResources = {
      sourceBucketName: props.sourceBucketName,
      derivativeBucketName: props.derivativeBucketName,
      table: props.table,
      tableArns: props.tableArns,
      eventBus: this.eventBus,
    };
    this.mediaFunctions = new MediaFunctions(this, 'Media', {
      config,
      resources,
      ...(props.functionsDir ? { functionsDir: props.functionsDir } : {}),
    });
    const allocated = this.mediaFunctions.functions.filter((f) => f.variants);
    this.allocator = allocated.length ? new Allocator(this, 'Allocator', { config, table: props.table, eventBus: this.eventBus, allocated }) : undefined;
    this.workflows = new Workflows(this, {
      config,
      functions: this.mediaFunctions,
      derivativeBucketName: props.derivativeBucketName,
      ...(this.allocator ? { platformFunctions: { Allocator: this.allocator.function } } : {}),
      ...(props.stateMachinesDir ? { dir: props.stateMachinesDir } : {}),
      ...(props.encodeDefinitionFile ? { files: { encode: props.encodeDefinitionFile } } : {}),
    });
    this.workflow = this.workflows.encode;
    const stateMachines = this.workflows.stateMachines();
    this.uploadTrigger = new UploadTrigger(this, 'Upload', {
      config,
      sourceBucketName: props.sourceBucketName,
      table: props.table,
      eventBus: this.eventBus,
      stateMachine: this.workflow.stateMachine,
    });
    // rules/*.json as EventBridge rules (ingest-video feeds the upload trigger, the encode workflow's
    // starter; a rule starting another workflow gets a starter Lambda of its own).
    this.rules = new PlatformRules(this, 'Rules', {
      config,
      substitutions: { SourceBucket: props.sourceBucketName },
      eventBus: this.eventBus,
      table: props.table,
      stateMachine: this.workflow.stateMachine,
      workflows: stateMachines,
      workflowStarters: { encode: this.uploadTrigger.function },
      derivativeBucketName: props.derivativeBucketName,
      functionPlatforms: Object.fromEntries(this.mediaFunctions.functions.map((f) => [f.definition.config.name, f.definition.config.defaultPlatform])),
      functions: Object.fromEntries(this.mediaFunctions.functions.map((f) => [f.definition.config.name, f.lambda])),
      deadLetterQueue: this.uploadTrigger.deadLetterQueue,
    });
    this.cdnSigning = config.cdn.publicKeyPem ? new CdnSigning(this, 'CdnSigning', { config, publicKeyPem: config.cdn.publicKeyPem }) : undefined;
    this.api = new JobsApi(this, 'Api', {
      config,
      resources,
      stateMachine: this.workflow.stateMachine,
      stateMachineName: this.workflow.stateMachine.stateMachineName,
      workflows: Object.fromEntries(this.workflows.all.map((w) => [w.name, { stateMachine: w.stateMachine, stateMachineName: w.stateMachine.stateMachineName }])),
      functions: Object.fromEntries(this.mediaFunctions.functions.map((f) => [f.definition.config.name, f.lambda])),
      ...(this.cdnSigning
        ? { mediaSigning: { keyPairId: this.cdnSigning.publicKey.publicKeyId, privateKey: this.cdnSigning.privateKey, cookieTtlSec: config.cdn.cookieTtlSec } }
        : {}),
    });
    // The UI, /v1/* (the API) and /media/* (job outputs, with signed cookies) on one origin.
    this.web = new WebDistribution(this, 'Web', {
      config,
      api: this.api.api,
      derivativeBucketName: props.derivativeBucketName,
      ...(this.cdnSigning ? { signing: this.cdnSigning } : {}),
      ui: props.ui === undefined ? uiForStack(this) : props.ui,
    });
    if (this.cdnSigning) this.api.serveMediaFrom(this.web.distribution.distributionDomainName);
    this.jobEvents = new JobEvents(this, 'JobEvents', { config, table: props.table, eventBus: this.eventBus });
    this.lifecycle = new Lifecycle(this, 'Lifecycle', {
      config,
      table: props.table,
      eventBus: this.eventBus,
      sourceBucketName: props.sourceBucketName,
      derivativeBucketName: props.derivativeBucketName,
      stateMachines: Object.values(stateMachines),
    });
    const deadLetterQueues = { UploadTrigger: this.uploadTrigger.deadLetterQueue, Webhooks: this.jobEvents.deadLetterQueue, Lifecycle: this.lifecycle.deadLetterQueue };
    if (config.alarms.enabled) {
      this.alarms = new Alarms(this, 'Alarms', {
        config,
        ...(config.alarms.email ? { email: config.alarms.email } : {}),
        stateMachines: Object.fromEntries(this.workflows.all.map((w) => [w.name, w.stateMachine])),
        functions: {
          UploadTrigger: this.uploadTrigger.function,
          Lifecycle: this.lifecycle.function,
          // Unhandled crashes only: the app answers its own errors. Webhook failures are the
          // receivers' (retried, recorded on the job); only what ends in the DLQ is alarmed.
          Api: this.api.function,
          ...(this.allocator ? { Allocator: this.allocator.function } : {}),
          ...Object.fromEntries(this.mediaFunctions.functions.map((f) => [f.definition.pascalName, f.lambda])),
        },
        deadLetterQueues,
      });
    }

    // Dashboards in every environment, dev included (what a test run did); each costs 3 USD a month beyond an account's first three.
    const media = this.mediaFunctions.functions;
    const platformBus = this.eventBus.eventBusName;
    const rules: RuleRef[] = [
      ...this.rules.specs.map((spec) => ({
        label: spec.name,
        arn: this.rules.rules.get(spec.name)!.attrArn,
        ...(spec.bus === 'platform' ? { eventBusName: platformBus } : {}),
      })),
      { label: 'lifecycle: workflow status', arn: this.lifecycle.executionRule.ruleArn },
      { label: 'lifecycle: step events', arn: this.lifecycle.stepRule.ruleArn, eventBusName: platformBus },
      { label: 'webhooks: job status', arn: this.jobEvents.rule.ruleArn, eventBusName: platformBus },
    ];
    const ecsIntegrations = [...new Set(this.workflows.all.flatMap((w) => aslTasks(w.definition).map((t) => t.resource)).filter((r) => r.startsWith('arn:aws:states:::ecs:')))].sort();
    const fargate = this.mediaFunctions.fargate;
    this.dashboards = new Dashboards(this, 'Dashboards', {
      config,
      stateMachines,
      functions: {
        ...Object.fromEntries(media.map((f) => [f.definition.config.name, f.lambda])),
        api: this.api.function,
        lifecycle: this.lifecycle.function,
        ...(this.allocator ? { allocator: this.allocator.function } : {}),
        'upload-trigger': this.uploadTrigger.function,
        'rule-engine': this.rules.engine,
        'job-events': this.jobEvents.function,
        ...Object.fromEntries([...this.rules.starters].map(([name, fn]) => [`workflow-starter ${name}`, fn])),
      },
      sizedFunctions: Object.fromEntries(
        media.flatMap((f) => [...(f.variants ?? [])].filter(([, v]) => v !== f.lambda).map(([mib, v]) => [`${f.definition.config.name} ${mib} MB`, v])),
      ),
      mediaFunctionNames: media.map((f) => f.definition.config.name),
      api: this.api.api,
      deadLetterQueues,
      rules,
      ...(fargate
        ? {
            fargate: {
              cluster: fargate.cluster,
              taskDefinitions: Object.fromEntries(media.flatMap((f) => (f.task ? [[f.definition.config.name, f.task]] : []))),
              integrations: ecsIntegrations,
            },
          }
        : {}),
      lifecycleLogGroup: this.lifecycle.function.logGroup,
      ...(this.alarms ? { alarms: this.alarms.alarms } : {}),
    });
  }
}
