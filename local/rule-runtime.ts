/**
 * The rules on the embedded engine: the same rule files, matcher and rule engine as on AWS, on the
 * in-process bus. Two buses, as on AWS: the engine's own events (and what rules put) are the
 * `platform` bus; the inbox watcher's S3 events are the `default` bus. A rule listens on one.
 *
 * A matching rule without `if`, `put-event` or `assert-facts` fires directly, as EventBridge would
 * (its input transformers, no firing record); the others go through the rule-engine handler with
 * `{rule, event}`, as the EventBridge rule would invoke the rule-engine Lambda: facts and firing
 * records in SQLite. Work never blocks the publisher (an event put by a media function returns at
 * once); `idle()` waits until every firing, and every job and function it started, has ended.
 */
import { randomUUID } from 'node:crypto';
import {
  EVENT_SOURCE,
  InputInvalidError,
  LOCAL_RULE_SUBSTITUTIONS,
  RuleDetailTypes,
  type BusEvent,
  type JobRecord,
  type JobSpec,
  type PresetVersionChangedDetail,
  type RuleBus,
  type WorkflowExecutionRequest,
  WorkflowNames,
} from '../lambdas/contracts/index.js';
import { workflowRunJobId } from '../lambdas/core/derived-workflows.js';
import { presetNames } from '../lambdas/core/presets.js';
import { evaluateRule, routeEvent, type CompiledRule, type RuleSet } from '../lambdas/core/rules/index.js';
import { planWorkflowStart } from '../lambdas/core/workflow-start.js';
import { createRuleEngineHandler, runAction, type ActionOutcome, type RuleActionDeps, type RuleEngineResult } from '../lambdas/platform/rule-engine/handler.js';
import type { BusEntry, RuleEventSink } from '../lambdas/ports.js';
import type { LocalEngine } from './engine.js';
import { loadRules } from './rules-loader.js';

/** The account and region local events carry (EventBridge's envelope wants both). */
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';
export interface RuleRuntimeOptions {
  /** Default: `rules/*.json` with the local substitutions. */
  rules?: RuleSet;
  /**
   * How a job started by a rule gets run. Default: recorded and run at once on the engine;
   * `mosaic serve` passes its JobControl so rule jobs share the bounded queue with API jobs.
   */
  submitJob?: (spec: JobSpec, jobId: string) => Promise<JobRecord>;
  /** The same for runs of other workflows (`mosaic serve` passes its JobControl's startWorkflow). */
  startWorkflowJob?: (name: string, request: WorkflowExecutionRequest, jobId: string) => Promise<JobRecord>;
  /** Told about every firing (and every failed one). */
  onFiring?: (report: FiringReport) => void;
  region?: string;
}

export interface FiringReport {
  rule: string;
  bus: RuleBus;
  eventId: string;
  detailType: string;
  via: 'eventbridge' | 'rule-engine';
  subject: string | null;
  /** The rule engine had recorded this firing before: nothing was done. */
  duplicate: boolean;
  actions: ActionOutcome[];
  /** Set when an action failed (the firing is released, so a redelivery would fire it again). */
  error?: string;
}

/** What a started workflow became. */
export type WorkflowStartOutcome = { status: 'started' | 'duplicate'; jobId: string } | { status: 'ignored'; reason: string };

/** An event in EventBridge's envelope, as a rule sees it. */
export function toEnvelope(e: { source: string; detailType: string; detail: unknown }, region = LOCAL_REGION): BusEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': e.detailType,
    source: e.source,
    account: LOCAL_ACCOUNT,
    time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [],
    detail: e.detail as Record<string, unknown>,
  };
}

export class LocalRuleRuntime implements RuleEventSink {
  readonly rules: RuleSet;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly unsubscribe: () => void;
  private readonly handler: (invocation: unknown) => Promise<RuleEngineResult>;
  private readonly deps: RuleActionDeps;
  private readonly region: string;
  private closed = false;

  constructor(
    readonly engine: LocalEngine,
    private readonly o: RuleRuntimeOptions = {},
  ) {
    this.rules = o.rules ?? loadRules({ substitutions: LOCAL_RULE_SUBSTITUTIONS });
    this.region = o.region ?? LOCAL_REGION;
    this.deps = {
      facts: engine.jobs,
      bus: this,
      startWorkflow: (workflow, input) => this.startWorkflow(workflow, input),
      invokeFunction: (fn, input) => engine.invokeFunction(fn, input),
    };
    this.handler = createRuleEngineHandler({ ...this.deps, rules: this.rules, ruleArn: (name) => `arn:aws:events:${this.region}:${LOCAL_ACCOUNT}:rule/${name}` });
    this.unsubscribe = engine.events.subscribe((e) => void this.dispatch(toEnvelope(e, this.region), 'platform'));
  }

  /** Starts the runtime and announces presets whose version differs from the one on record (the "always on" rules follow). */
  static async start(engine: LocalEngine, o: RuleRuntimeOptions = {}): Promise<LocalRuleRuntime> {
    const runtime = new LocalRuleRuntime(engine, o);
    await runtime.syncPresetVersions();
    return runtime;
  }

  /** Puts `Preset Version Changed` for every preset whose recorded version (facts `preset:<name>`) is not the engine's. */
  async syncPresetVersions(): Promise<PresetVersionChangedDetail[]> {
    const changed: PresetVersionChangedDetail[] = [];
    for (const preset of presetNames()) {
      const version = this.engine.presetVersion(preset);
      if (version === undefined) continue;
      const recorded = (await this.engine.jobs.getFacts(`preset:${preset}`))?.version;
      if (recorded === version) continue;
      const detail: PresetVersionChangedDetail = { preset, version, previousVersion: typeof recorded === 'number' ? recorded : null };
      changed.push(detail);
      await this.putEntry({ source: EVENT_SOURCE, detailType: RuleDetailTypes.PresetVersionChanged, detail });
    }
    return changed;
  }

  /** An event a rule put (or `mosaic events put`): on the platform bus. */
  async putEntry(entry: BusEntry): Promise<void> {
    // A Job Alert belongs in its job's history too (where `mosaic jobs show` and the API look).
    if (entry.detailType === RuleDetailTypes.JobAlert && typeof entry.detail.jobId === 'string')
      await this.engine.jobs.appendEvent(entry.detail.jobId, entry.detailType, entry.detail);
    this.dispatch(toEnvelope(entry, this.region), 'platform');
  }

  /**
   * Puts an event in EventBridge's envelope on a bus (the inbox watcher's S3 events go on
   * `default`). Returns the names of the rules it matched; their work goes on in the background.
   */
  put(event: BusEvent, bus: RuleBus): string[] {
    return this.dispatch(event, bus);
  }

  /** Resolves once nothing started by a rule is still running (firings, jobs, functions, chains). */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p);
    void p.catch(() => undefined).finally(() => this.pending.delete(p));
    return p;
  }

  private dispatch(event: BusEvent, bus: RuleBus): string[] {
    if (this.closed) return [];
    return routeEvent(this.rules, event, bus).map(({ compiled, via }) => {
      void this.track(via === 'rule-engine' ? this.viaEngine(compiled.rule.name, event, bus) : this.direct(compiled, event, bus));
      return compiled.rule.name;
    });
  }

  private report(r: Omit<FiringReport, 'eventId' | 'detailType'>, event: BusEvent): void {
    this.o.onFiring?.({ ...r, eventId: event.id ?? '', detailType: event['detail-type'] });
  }

  /** As EventBridge: the rule's actions with their input transformers, no firing record. */
  private async direct(c: CompiledRule, event: BusEvent, bus: RuleBus): Promise<void> {
    const name = c.rule.name;
    for (const f of evaluateRule(c, event)) {
      const actions: ActionOutcome[] = [];
      try {
        for (const a of f.actions) actions.push(await runAction(this.deps, a, name));
        this.report({ rule: name, bus, via: 'eventbridge', subject: null, duplicate: false, actions }, event);
      } catch (e) {
        this.report({ rule: name, bus, via: 'eventbridge', subject: null, duplicate: false, actions, error: (e as Error).message }, event);
      }
    }
  }

  /** As the EventBridge rule targeting the rule-engine Lambda with `{rule, event}`. */
  private async viaEngine(name: string, event: BusEvent, bus: RuleBus): Promise<void> {
    try {
      const res = await this.handler({ rule: name, event });
      if (res.status === 'rejected') {
        this.report({ rule: name, bus, via: 'rule-engine', subject: null, duplicate: false, actions: [], error: res.reason }, event);
        return;
      }
      for (const f of res.firings) this.report({ rule: name, bus, via: 'rule-engine', subject: f.subject, duplicate: f.duplicate, actions: f.actions }, event);
    } catch (e) {
      this.report({ rule: name, bus, via: 'rule-engine', subject: null, duplicate: false, actions: [], error: (e as Error).message }, event);
    }
  }

  /**
   * A workflow's starter, locally: the job id derived from the input (core/workflow-start for
   * encode, core/derived-workflows for the others), so a repeated firing starts nothing new; then the job runs.
   */
  private async startWorkflow(workflow: string, input: unknown): Promise<WorkflowStartOutcome> {
    const known = [...this.engine.workflows.keys()];
    if (!known.includes(workflow)) throw new InputInvalidError(`no workflow "${workflow}" here; known: ${known.join(', ')}`);
    if (workflow !== WorkflowNames.Encode) return this.startOther(workflow, input);
    const plan = planWorkflowStart(input, { presetVersion: (name) => this.engine.presetVersion(name) });
    if (plan.action === 'ignore') return { status: 'ignored', reason: plan.reason };
    if (await this.engine.jobs.getJob(plan.jobId)) return { status: 'duplicate', jobId: plan.jobId };
    if (this.o.submitJob) {
      await this.o.submitJob(plan.spec, plan.jobId);
      return { status: 'started', jobId: plan.jobId };
    }
    try {
      await this.engine.submitSpec(plan.spec, plan.jobId);
    } catch (e) {
      // Two deliveries of one upload at once: the other one created the job.
      if (await this.engine.jobs.getJob(plan.jobId)) return { status: 'duplicate', jobId: plan.jobId };
      throw e;
    }
    void this.track(this.engine.run(plan.jobId));
    return { status: 'started', jobId: plan.jobId };
  }

  /** A run of a workflow other than encode, as a job (checked against the job it derives from, if any). */
  private async startOther(workflow: string, input: unknown): Promise<WorkflowStartOutcome> {
    if (!input || typeof input !== 'object' || Array.isArray(input)) throw new InputInvalidError(`${workflow}: a workflow's input is a JSON object`);
    const jobId = workflowRunJobId(workflow, input);
    if (await this.engine.jobs.getJob(jobId)) return { status: 'duplicate', jobId };
    const request = { input: input as Record<string, unknown> };
    if (this.o.startWorkflowJob) {
      await this.o.startWorkflowJob(workflow, request, jobId);
      return { status: 'started', jobId };
    }
    await this.engine.startWorkflow(workflow, request, jobId);
    void this.track(this.engine.run(jobId));
    return { status: 'started', jobId };
  }
}
