import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/client';
import type { CheckResultMessage, HeartbeatMessage } from '@keepwatch/shared';
import { createTestDatabase, type TestDatabase } from '../testing/db';
import { createLogger } from '../logger';
import { clusterNodeStatuses, nodeStatus, type LivenessRule } from '../services/node-status';
import { heartbeatKey, LiveStateWriter, type NodeRef } from './live-state-writer';

const RULE: LivenessRule = { heartbeatIntervalMs: 1000, missedHeartbeats: 3 };

describe('LiveStateWriter', () => {
  let db: TestDatabase;
  let clusterId: string;
  const nodes: NodeRef[] = [];
  let clock = 1_000_000;
  const flushed: NodeRef[][] = [];
  let writer: LiveStateWriter;

  beforeAll(async () => {
    db = await createTestDatabase();
    clusterId = (await db.prisma.cluster.create({ data: { name: 'bench' } })).id;
    await db.prisma.node.createMany({
      data: Array.from({ length: 1000 }, (_, i) => ({ clusterId, name: `lb${i}`, addresses: [], interfaces: [] })),
    });
    for (const n of await db.prisma.node.findMany({
      where: { clusterId },
      orderBy: { name: 'asc' },
      select: { id: true, clusterId: true },
    }))
      nodes.push(n);
    writer = new LiveStateWriter({
      db: db.prisma,
      log: createLogger('silent'),
      now: () => clock,
      liveStateRefreshMs: 30_000,
      onFlushed: (c) => flushed.push(c),
    });
  });
  afterAll(async () => {
    await writer?.close();
    await db?.drop();
  });

  const hb = (at: number, state: 'master' | 'backup' = 'backup'): HeartbeatMessage => ({
    v: 1,
    type: 'heartbeat',
    at,
    appliedRevision: null,
    maintenance: false,
    nginx: { running: true, pid: 7 },
    instances: [
      {
        instance: 'VI_1',
        vrid: 51,
        state,
        basePriority: 100,
        effectivePriority: 100,
        holdsVips: state === 'master',
        since: 1,
        override: 'none',
      },
    ],
  });

  it('compares heartbeats without their send time (heartbeatKey)', () => {
    expect(heartbeatKey(hb(5))).toBe(heartbeatKey(hb(9)));
    expect(heartbeatKey({ ...hb(5), maintenance: true })).not.toBe(heartbeatKey(hb(5)));
  });

  it('writes lastSeenAt of 1000 nodes heard from in one flush, and the reader sees them online', async () => {
    for (const n of nodes) writer.seen(n, clock);
    await writer.flush();
    const statuses = await clusterNodeStatuses(db.prisma, clusterId, { now: clock + 500, rule: RULE });
    expect(statuses).toHaveLength(1000);
    expect(statuses.every((s) => s.online && s.ageMs === 500)).toBe(true);
    const later = await clusterNodeStatuses(db.prisma, clusterId, { now: clock + 3001, rule: RULE });
    expect(later.every((s) => !s.online)).toBe(true);
  });

  it('never moves lastSeenAt backwards', async () => {
    const n = nodes[0]!;
    writer.seen(n, clock + 5000);
    await writer.flush();
    writer.seen(n, clock + 1000);
    await writer.flush();
    expect((await nodeStatus(db.prisma, n.id, { now: clock + 5000 }))?.lastSeenAt).toBe(clock + 5000);
  });

  it('stores a heartbeat when its content changes, not when only its time does, and again after the refresh interval', async () => {
    const n = nodes[1]!;
    writer.heartbeat(n, hb(1));
    await writer.flush();
    writer.heartbeat(n, hb(2));
    await writer.flush();
    expect((await nodeStatus(db.prisma, n.id))?.heartbeat?.at).toBe(1);
    writer.heartbeat(n, hb(3, 'master'));
    await writer.flush();
    expect((await nodeStatus(db.prisma, n.id))?.heartbeat).toMatchObject({ at: 3, instances: [{ state: 'master' }] });
    clock += 30_000;
    writer.heartbeat(n, hb(4, 'master'));
    await writer.flush();
    expect((await nodeStatus(db.prisma, n.id))?.heartbeat?.at).toBe(4);
  });

  it('keeps the stored heartbeat when the state flips and flips back before the next flush', async () => {
    const n = nodes[5]!;
    writer.heartbeat(n, hb(10, 'backup'));
    await writer.flush();
    writer.heartbeat(n, hb(11, 'master'));
    writer.heartbeat(n, hb(12, 'backup'));
    await writer.flush();
    expect((await nodeStatus(db.prisma, n.id))?.heartbeat).toMatchObject({ at: 10, instances: [{ state: 'backup' }] });
  });

  it('merges check results per check and reports the nodes whose live state changed', async () => {
    const n = nodes[2]!;
    const check = (name: string, ok: boolean): CheckResultMessage => ({
      v: 1,
      type: 'check-result',
      seq: 1,
      at: 1,
      check: name,
      ok,
      status: ok ? 'healthy' : 'failed',
      durationMs: 1,
      exitCode: null,
      timedOut: false,
      output: '',
    });
    flushed.length = 0;
    writer.checkResult(n, check('check_nginx', true));
    await writer.flush();
    writer.checkResult(n, check('check_http', false));
    await writer.flush();
    const s = await nodeStatus(db.prisma, n.id);
    expect(Object.keys(s?.checks ?? {}).sort()).toEqual(['check_http', 'check_nginx']);
    expect(s?.checks.check_http?.status).toBe('failed');
    expect(flushed).toEqual([[{ id: n.id, clusterId }], [{ id: n.id, clusterId }]]);
  });

  it('announces a node that is only heard from at most every seenAnnounceMs', async () => {
    const n = nodes[3]!;
    flushed.length = 0;
    const seenOnly = async () => {
      writer.seen(n, clock);
      await writer.flush();
      return flushed
        .splice(0)
        .flat()
        .some((c) => c.id === n.id);
    };
    expect(await seenOnly()).toBe(true);
    clock += 1000;
    expect(await seenOnly()).toBe(false);
    clock += 4000;
    expect(await seenOnly()).toBe(true);
  });

  it('keeps a batch that could not be written and writes it with the next flush', async () => {
    const broken = new LiveStateWriter({
      db: { $executeRaw: () => Promise.reject(new Error('database down')) } as never,
      log: createLogger('silent'),
      now: () => clock,
    });
    const n = nodes[4]!;
    broken.seen(n, clock);
    await broken.flush();
    // Swap in the real database: the same writer retries what it kept.
    (broken as unknown as { opts: { db: unknown } }).opts.db = db.prisma;
    await broken.flush();
    expect((await nodeStatus(db.prisma, n.id, { now: clock }))?.lastSeenAt).toBe(clock);
  });
});

describe('LiveStateWriter on the embedded database', () => {
  it('writes lastSeenAt, the heartbeat and check results on the embedded server too (no DATABASE_URL)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keepwatch-live-'));
    const db = await openDatabase({ dataDir: join(dir, 'data') });
    try {
      const c = await db.prisma.cluster.create({ data: { name: 'embedded' } });
      const n = await db.prisma.node.create({ data: { clusterId: c.id, name: 'lb1', addresses: [], interfaces: [] } });
      const w = new LiveStateWriter({ db: db.prisma, log: createLogger('silent'), now: () => 5000 });
      const ref = { id: n.id, clusterId: c.id };
      w.seen(ref, 5000);
      w.heartbeat(ref, {
        v: 1,
        type: 'heartbeat',
        at: 1,
        appliedRevision: 2,
        maintenance: false,
        nginx: { running: true, pid: 9 },
        instances: [],
      });
      w.checkResult(ref, {
        v: 1,
        type: 'check-result',
        seq: 1,
        at: 1,
        check: 'c1',
        ok: true,
        status: 'healthy',
        durationMs: 1,
        exitCode: null,
        timedOut: false,
        output: '',
      });
      await w.close();
      expect(await nodeStatus(db.prisma, n.id, { now: 6000 })).toMatchObject({
        online: true,
        ageMs: 1000,
        appliedRevision: 2,
        checks: { c1: { status: 'healthy' } },
      });
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
