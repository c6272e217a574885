/**
 * The in-process bus: used with the embedded database (PGlite is in-process and single-connection,
 * so there is only ever one dashboard on it) and as the local half of the PostgreSQL bus.
 */
import type { Logger } from '../logger';
import { BusEventSchema, type BusEvent, type EventBus, type LocalBusEvent } from './events';

/** Fans an event out to this process's subscribers; a throwing handler is logged and skipped. */
export class Subscribers {
  private readonly handlers = new Set<(e: LocalBusEvent) => void>();
  constructor(private readonly log: Logger) {}

  add(handler: (e: LocalBusEvent) => void): () => void {
    this.handlers.add(handler);
    return () => {
      this.handlers.delete(handler);
    };
  }

  deliver(e: LocalBusEvent): void {
    for (const h of [...this.handlers]) {
      try {
        h(e);
      } catch (err) {
        this.log.error({ err, event: e.type }, 'bus subscriber failed');
      }
    }
  }

  get size(): number {
    return this.handlers.size;
  }

  clear(): void {
    this.handlers.clear();
  }
}

export class LocalEventBus implements EventBus {
  private readonly subs: Subscribers;
  constructor(private readonly log: Logger) {
    this.subs = new Subscribers(log);
  }

  publish(event: BusEvent): Promise<void> {
    // The same check as on a wire, so a bad event fails the same way with either bus.
    const parsed = BusEventSchema.safeParse(event);
    if (!parsed.success) {
      this.log.error(
        { event: event.type, issues: parsed.error.issues.map((i) => i.path.join('.')) },
        'bus event refused',
      );
      return Promise.resolve();
    }
    // Asynchronous like NOTIFY: a publisher never runs its subscribers inside its own call.
    queueMicrotask(() => this.subs.deliver(parsed.data));
    return Promise.resolve();
  }

  subscribe(handler: (event: LocalBusEvent) => void): () => void {
    return this.subs.add(handler);
  }

  close(): Promise<void> {
    this.subs.clear();
    return Promise.resolve();
  }
}
