/**
 * Events as EventBridge delivers them, for rule tests, and a tiny in-memory rule engine (facts in a
 * map, forward chaining through asserted facts and put events, once per rule and event) that
 * exercises the pure core the way the real engines will.
 */
import { LOCAL_RULE_SUBSTITUTIONS, RuleDetailTypes } from '../../lambdas/contracts/index.js';
import { applyAssertions, evaluate, type Facts, type Firing, type PlannedAction, type RuleSet } from '../../lambdas/core/rules/index.js';

let counter = 0;
const nextId = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;

export interface BusEvent {
  version: string;
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export function busEvent(source: string, detailType: string, detail: Record<string, unknown>, o: { id?: string; resources?: string[] } = {}): BusEvent {
  return { version: '0', id: o.id ?? nextId(), 'detail-type': detailType, source, account: '123456789012', time: '2025-01-01T00:00:00Z', region: 'eu-west-1', resources: o.resources ?? [], detail };
}

/** S3 `Object Created` in EventBridge's shape (key as stored, not URL-encoded). */
export function s3ObjectCreated(key: string, o: { bucket?: string; id?: string; size?: number; versionId?: string } = {}): BusEvent {
  const bucket = o.bucket ?? LOCAL_RULE_SUBSTITUTIONS.SourceBucket;
  return busEvent(
    'aws.s3',
    'Object Created',
    {
      version: '0',
      bucket: { name: bucket },
      object: { key, size: o.size ?? 1024, etag: 'd41d8cd98f00b204e9800998ecf8427e', ...(o.versionId ? { 'version-id': o.versionId } : {}), sequencer: '0062E99A88DC407460' },
      'request-id': 'N4N7GDK58NMKJ12R',
      requester: '123456789012',
      'source-ip-address': '203.0.113.7',
      reason: 'PutObject',
    },
    { id: o.id, resources: [`arn:aws:s3:::${bucket}`] },
  );
}

export const mosaicEvent = (detailType: string, detail: Record<string, unknown>, id?: string) => busEvent('mosaic', detailType, detail, { id });

export interface InMemoryRun {
  firings: Firing[];
  /** Actions for the outside world (workflows, functions), in order. */
  effects: PlannedAction[];
  /** Every event that went over the bus, the initial ones included. */
  events: BusEvent[];
  facts: Record<string, Facts>;
}

/**
 * Puts `events` on an in-memory bus: each event is evaluated against the rules and facts, each
 * firing runs once (a firing id seen before is skipped), asserted facts are stored and announced
 * as `Facts Asserted` events, and `put-event` actions go back on the bus.
 */
export function runInMemory(set: RuleSet, events: BusEvent[], initialFacts: Record<string, Facts> = {}, fired = new Set<string>()): InMemoryRun {
  const run: InMemoryRun = { firings: [], effects: [], events: [], facts: { ...initialFacts } };
  const queue = [...events];
  for (let steps = 0; queue.length > 0; steps++) {
    if (steps > 1000) throw new Error('rules did not settle after 1000 events (a loop?)');
    const event = queue.shift()!;
    run.events.push(event);
    for (const firing of evaluate(set, event, run.facts)) {
      if (fired.has(firing.id)) continue;
      fired.add(firing.id);
      run.firings.push(firing);
      run.facts = applyAssertions(run.facts, firing.actions);
      for (const a of firing.actions) {
        if (a.type === 'assert-facts') queue.push(mosaicEvent(RuleDetailTypes.FactsAsserted, { subject: a.subject, facts: a.facts, rule: firing.rule }));
        else if (a.type === 'put-event') queue.push(busEvent(a.source, a.detailType, a.detail));
        else run.effects.push(a);
      }
    }
  }
  return run;
}
