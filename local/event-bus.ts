/** In-process EventBus: handlers run in order; one failing handler does not stop the others. */
import type { MosaicEvent } from '../lambdas/contracts/index.js';
import type { EventBus, EventHandler } from '../lambdas/ports.js';

export class InProcessEventBus implements EventBus {
  private readonly handlers = new Set<EventHandler>();

  async put(event: MosaicEvent): Promise<void> {
    for (const h of [...this.handlers]) {
      try {
        await h(event);
      } catch (e) {
        process.emitWarning(`event handler failed on "${event.detailType}": ${(e as Error).message}`);
      }
    }
  }

  subscribe(handler: EventHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }
}
