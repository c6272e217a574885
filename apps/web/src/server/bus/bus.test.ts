import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyDatabase } from '../testing/db';
import { createLogger } from '../logger';
import {
  busBackoffMs,
  busEvents,
  concernsCluster,
  LocalEventBus,
  PgEventBus,
  type BusEvent,
  type EventBus,
  type LocalBusEvent,
} from './index';

const log = createLogger('silent');
const clusterId = randomUUID();
const ev = (n: number): BusEvent => ({ type: 'deployment', clusterId, revision: n, nodeId: null });

function collect(bus: EventBus): LocalBusEvent[] {
  const got: LocalBusEvent[] = [];
  bus.subscribe((e) => got.push(e));
  return got;
}

describe('in-process bus', () => {
  it('delivers a published event to every subscriber once, after the publish call returns', async () => {
    const bus = new LocalEventBus(log);
    const a = collect(bus);
    const b = collect(bus);
    const p = bus.publish(ev(1));
    expect(a).toEqual([]);
    await p;
    await expect.poll(() => a).toEqual([ev(1)]);
    expect(b).toEqual([ev(1)]);
    await bus.close();
  });

  it('refuses an event that does not match its schema, delivering nothing', async () => {
    const bus = new LocalEventBus(log);
    const a = collect(bus);
    await bus.publish({ type: 'transition', clusterId: 'not-a-uuid' } as never);
    await bus.publish(ev(2));
    await expect.poll(() => a).toEqual([ev(2)]);
  });

  it('stops delivering after unsubscribe, and a throwing subscriber does not stop the others', async () => {
    const bus = new LocalEventBus(log);
    bus.subscribe(() => {
      throw new Error('broken subscriber');
    });
    const got: LocalBusEvent[] = [];
    const off = bus.subscribe((e) => got.push(e));
    await bus.publish(ev(3));
    await expect.poll(() => got).toHaveLength(1);
    off();
    // Delivery is in publish order: once a later event reached another subscriber, ev(4) would have arrived.
    const marker = collect(bus);
    await bus.publish(ev(4));
    await bus.publish(ev(5));
    await expect.poll(() => marker).toEqual([ev(4), ev(5)]);
    expect(got).toEqual([ev(3)]);
  });

  it('iterates events for a subscription until its signal aborts', async () => {
    const bus = new LocalEventBus(log);
    const ac = new AbortController();
    const it = busEvents(bus, (e) => e.type === 'deployment' && e.revision !== 6, ac.signal);
    const first = it.next();
    await bus.publish(ev(6));
    await bus.publish(ev(5));
    expect((await first).value).toEqual(ev(5));
    const done = it.next();
    ac.abort();
    expect((await done).done).toBe(true);
  });
});

describe('PostgreSQL bus (LISTEN/NOTIFY)', () => {
  let url: string;
  let drop: () => Promise<void>;
  const buses: PgEventBus[] = [];
  beforeAll(async () => {
    ({ url, drop } = await createEmptyDatabase());
  });
  afterAll(async () => {
    for (const b of buses) await b.close();
    await drop?.();
  });
  const open = async (opts: { backoffMinMs?: number } = {}) => {
    const b = new PgEventBus({ url, log, channel: 'kw_bus_test', ...opts });
    buses.push(b);
    await b.start();
    expect(b.listening).toBe(true);
    return b;
  };
  const notifyRaw = async (payload: string) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query('SELECT pg_notify($1, $2)', ['kw_bus_test', payload]);
    await c.end();
  };

  it('carries an event from one instance to another, and each instance sees its own event once', async () => {
    const a = await open();
    const b = await open();
    const gotA = collect(a);
    const gotB = collect(b);
    await a.publish(ev(1));
    await expect.poll(() => gotB, { timeout: 5000 }).toEqual([ev(1)]);
    await b.publish(ev(2));
    await expect.poll(() => gotA, { timeout: 5000 }).toEqual([ev(1), ev(2)]);
    // NOTIFYs arrive in commit order: once a's later event reached b, b's own echo of ev(2) had come too.
    await a.publish(ev(3));
    await expect.poll(() => gotB, { timeout: 5000 }).toContainEqual(ev(3));
    expect(gotB).toEqual([ev(1), ev(2), ev(3)]);
  });

  it('ignores payloads that are not JSON, not an envelope or not a valid event, and keeps listening', async () => {
    const b = await open();
    const got = collect(b);
    await notifyRaw('not json');
    await notifyRaw(JSON.stringify({ o: 'x', e: { type: 'transition', clusterId } }));
    await notifyRaw(JSON.stringify({ hello: 1 }));
    await notifyRaw(JSON.stringify({ o: 'other-instance', e: ev(9) }));
    await expect.poll(() => got, { timeout: 5000 }).toEqual([ev(9)]);
  });

  it('reconnects after its connection is killed, tells subscribers to resync, and receives again', async () => {
    const b = await open({ backoffMinMs: 50 });
    const a = await open();
    const got = collect(b);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      // Kill every LISTEN session on the channel's database except the admin's own: b's is among them.
      const r = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'LISTEN%'`,
      );
      expect(r.rowCount).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    await expect.poll(() => got.some((e) => e.type === 'resync'), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => a.listening && b.listening, { timeout: 10_000 }).toBe(true);
    await a.publish(ev(7));
    await expect.poll(() => got.filter((e) => e.type !== 'resync'), { timeout: 5000 }).toEqual([ev(7)]);
  });

  it('publishes through an injected NOTIFY sender when one is given', async () => {
    const b = await open();
    const got = collect(b);
    const sender = new pg.Client({ connectionString: url });
    await sender.connect();
    const a = new PgEventBus({
      url,
      log,
      channel: 'kw_bus_test',
      notify: async (ch, p) => void (await sender.query('SELECT pg_notify($1, $2)', [ch, p])),
    });
    buses.push(a);
    await a.publish(ev(11));
    await expect.poll(() => got, { timeout: 5000 }).toEqual([ev(11)]);
    await sender.end();
  });
});

describe('which events concern a cluster', () => {
  const other = randomUUID();
  it.each<{ name: string; e: LocalBusEvent; concerns: boolean }>([
    {
      name: 'a transition of the cluster',
      e: { type: 'transition', clusterId, nodeId: other, instance: 'VI_1', to: 'master' },
      concerns: true,
    },
    {
      name: 'a transition of another cluster',
      e: { type: 'transition', clusterId: other, nodeId: other, instance: 'VI_1', to: 'master' },
      concerns: false,
    },
    {
      name: 'live state of several clusters including it',
      e: { type: 'node-live', clusterIds: [other, clusterId] },
      concerns: true,
    },
    { name: 'live state of other clusters only', e: { type: 'node-live', clusterIds: [other] }, concerns: false },
    {
      name: 'an audit record of no cluster (a user change, a sign-in)',
      e: { type: 'audit', clusterId: null },
      concerns: true,
    },
    { name: 'an audit record of another cluster', e: { type: 'audit', clusterId: other }, concerns: false },
    { name: 'a resync', e: { type: 'resync' }, concerns: true },
  ])('$name: $concerns', ({ e, concerns }) => {
    expect(concernsCluster(e, clusterId)).toBe(concerns);
  });
});

describe('bus reconnect backoff', () => {
  it.each([
    { attempt: 0, rng: 0.999999, ms: 250 },
    { attempt: 0, rng: 0, ms: 125 },
    { attempt: 3, rng: 0.999999, ms: 2000 },
    { attempt: 6, rng: 0.999999, ms: 10_000 },
    { attempt: 50, rng: 0, ms: 5000 },
  ])('attempt $attempt with random $rng waits $ms ms', ({ attempt, rng, ms }) => {
    expect(busBackoffMs(attempt, () => rng)).toBe(ms);
  });
});
