/** The event bus (README: "Live updates"): PostgreSQL LISTEN/NOTIFY, or in-process for the embedded database. */
import type { Logger } from '../logger';
import type { EventBus } from './events';
import { LocalEventBus } from './local';
import { PgEventBus } from './postgres';

export * from './events';
export { LocalEventBus } from './local';
export { PgEventBus, busBackoffMs, DEF_BUS_CHANNEL, MAX_NOTIFY_BYTES } from './postgres';
export { busEvents } from './iterate';

/**
 * The bus for a database: with a PostgreSQL URL, LISTEN/NOTIFY (NOTIFY sent by `notify`, e.g.
 * through Prisma's pool); without one (embedded PGlite, one process), in-process.
 */
export async function createEventBus(opts: {
  url?: string | undefined;
  log: Logger;
  notify?: (channel: string, payload: string) => Promise<void>;
}): Promise<EventBus> {
  if (!opts.url) return new LocalEventBus(opts.log);
  const bus = new PgEventBus({ url: opts.url, log: opts.log, ...(opts.notify ? { notify: opts.notify } : {}) });
  await bus.start();
  return bus;
}
