/**
 * EventBus contract. Locally a subscriber receives what is put; on AWS the same put becomes exactly
 * one PutEvents entry (delivery is EventBridge's job), checked against a loopback server.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBridgeBus } from '../../lambdas/adapters/aws/index.js';
import { DetailTypes, EVENT_SOURCE, type MosaicEvent } from '../../lambdas/contracts/index.js';
import { InProcessEventBus } from '../../local/event-bus.js';
import { FAKE_AWS, startLoopback, type Loopback } from './loopback.js';

const events: MosaicEvent[] = [
  { source: EVENT_SOURCE, detailType: DetailTypes.JobStatusChanged, detail: { jobId: 'j1', status: 'RUNNING', error: null } },
  {
    source: EVENT_SOURCE,
    detailType: DetailTypes.StepProgress,
    detail: { jobId: 'j1', stepId: 'encode-video:r1-c2', function: 'encode-video', fraction: 0.5, fps: 48.5, speed: 1.9 },
  },
];

describe('EventBus contract: InProcessEventBus', () => {
  it('delivers each event, in order, to every subscriber until it unsubscribes', async () => {
    const bus = new InProcessEventBus();
    const a: MosaicEvent[] = [];
    const b: MosaicEvent[] = [];
    bus.subscribe((e) => void a.push(e));
    const off = bus.subscribe(async (e) => void b.push(e));
    await bus.put(events[0]!);
    off();
    await bus.put(events[1]!);
    expect(a).toEqual(events);
    expect(b).toEqual([events[0]]);
  });
});

describe('EventBus contract: EventBridgeBus', () => {
  let server: Loopback;
  let failing = false;
  let client: EventBridgeClient;

  beforeAll(async () => {
    server = await startLoopback('application/x-amz-json-1.1', () =>
      failing
        ? { body: { FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try later' }] } }
        : { body: { FailedEntryCount: 0, Entries: [{ EventId: '1' }] } },
    );
    client = new EventBridgeClient({ ...FAKE_AWS, endpoint: server.endpoint, maxAttempts: 1 });
  });

  afterAll(async () => {
    client?.destroy();
    await server?.close();
  });

  it('sends each event as exactly one PutEvents entry on the configured bus', async () => {
    const bus = new EventBridgeBus({ client, busName: 'mosaic-dev' });
    server.requests.length = 0;
    for (const e of events) await bus.put(e);
    expect(server.requests.map((r) => r.target)).toEqual(['AWSEvents.PutEvents', 'AWSEvents.PutEvents']);
    expect(server.requests.map((r) => r.body)).toEqual(
      events.map((e) => ({
        Entries: [{ Source: 'mosaic', DetailType: e.detailType, Detail: JSON.stringify(e.detail), EventBusName: 'mosaic-dev' }],
      })),
    );
    expect(JSON.parse((server.requests[1]!.body.Entries as { Detail: string }[])[0]!.Detail)).toEqual(events[1]!.detail);
  });

  it('rejects when EventBridge reports a failed entry', async () => {
    const bus = new EventBridgeBus({ client, busName: 'mosaic-dev' });
    failing = true;
    try {
      await expect(bus.put(events[0]!)).rejects.toThrow(/InternalFailure.*try later/);
    } finally {
      failing = false;
    }
  });

  it('refuses in-process subscriptions: on AWS they are EventBridge rules', () => {
    const bus = new EventBridgeBus({ client, busName: 'mosaic-dev' });
    expect(() => bus.subscribe(() => undefined)).toThrow(/EventBridge rules/);
  });
});
