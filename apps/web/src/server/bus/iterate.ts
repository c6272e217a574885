/**
 * A bus subscription as an async iterable, for tRPC subscription procedures (async generators).
 * The queue is bounded: a consumer that falls behind gets one `resync` instead of an ever-growing
 * backlog (it re-reads everything anyway).
 */
import type { EventBus, LocalBusEvent } from './events';

export const MAX_QUEUED_EVENTS = 256;

export async function* busEvents(
  bus: EventBus,
  filter: (e: LocalBusEvent) => boolean,
  signal?: AbortSignal,
): AsyncGenerator<LocalBusEvent, void, undefined> {
  let queue: LocalBusEvent[] = [];
  let wake: (() => void) | null = null;
  const unsubscribe = bus.subscribe((e) => {
    if (!filter(e)) return;
    if (queue.length >= MAX_QUEUED_EVENTS) queue = [{ type: 'resync' }];
    else queue.push(e);
    wake?.();
  });
  const onAbort = () => wake?.();
  signal?.addEventListener('abort', onAbort);
  try {
    while (!signal?.aborted) {
      if (queue.length === 0) {
        await new Promise<void>((r) => {
          wake = r;
        });
        wake = null;
        continue;
      }
      const batch = queue;
      queue = [];
      for (const e of batch) yield e;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    unsubscribe();
  }
}
