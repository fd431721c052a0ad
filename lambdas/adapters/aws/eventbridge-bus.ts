/** EventBus on an EventBridge bus: the same MosaicEvent shape the in-process bus carries. */
import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { MosaicEvent } from '../../contracts/index.js';
import type { BusEntry, EventBus, EventHandler, RuleEventSink } from '../../ports.js';

export interface EventBridgeBusOptions {
  client: EventBridgeClient;
  busName: string;
}

export class EventBridgeBus implements EventBus, RuleEventSink {
  private readonly client: EventBridgeClient;
  private readonly busName: string;

  constructor(opts: EventBridgeBusOptions) {
    this.client = opts.client;
    this.busName = opts.busName;
  }

  async put(event: MosaicEvent): Promise<void> {
    await this.putEntry(event);
  }

  /** Any event (the rule engine's `put-event` and `Facts Asserted`), sent the same way. */
  async putEntry(event: BusEntry | MosaicEvent): Promise<void> {
    const res = await this.client.send(
      new PutEventsCommand({
        Entries: [
          { Source: event.source, DetailType: event.detailType, Detail: JSON.stringify(event.detail), EventBusName: this.busName },
        ],
      }),
    );
    // PutEvents answers 200 even when entries are rejected; a lost event must not pass silently.
    if ((res.FailedEntryCount ?? 0) > 0) {
      const failed = res.Entries?.find((e) => e.ErrorCode);
      throw new Error(
        `EventBridge rejected "${event.detailType}" on ${this.busName}: ${failed?.ErrorCode ?? 'unknown'} ${failed?.ErrorMessage ?? ''}`.trim(),
      );
    }
  }

  subscribe(_handler: EventHandler): () => void {
    // On AWS nothing runs in this process for an event: a rule on the bus invokes a target.
    throw new Error(
      `EventBridgeBus cannot subscribe in-process: on AWS, subscriptions are EventBridge rules on bus "${this.busName}" (defined in the CDK stack) targeting a Lambda or queue`,
    );
  }
}
