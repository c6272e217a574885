import { beforeEach, describe, expect, it } from 'vitest';
import type { HeartbeatMessage } from '@keepwatch/shared';
import { apiWithClusterForSuite, trpcError, type Api } from '../testing/api';
import { checkResult, heartbeat, referenceSpec } from '../../../test/fixtures';

describe('failover procedures', () => {
  let api: Api;
  let clusterId: string;
  let instanceId: string;
  let lvs1: string;
  let lvs2: string;

  /** Stores live state as the hub would (lastSeenAt on the dashboard clock, the last heartbeat, check results). */
  const live = (
    nodeId: string,
    hb: HeartbeatMessage | null,
    o: { seenMsAgo?: number; checks?: Record<string, unknown> } = {},
  ) =>
    api.db.prisma.node.update({
      where: { id: nodeId },
      data: {
        lastSeenAt: new Date(Date.now() - (o.seenMsAgo ?? 500)),
        liveState: hb === null ? undefined : (hb as object),
        checkResults: (o.checks ?? {}) as object,
      },
    });

  apiWithClusterForSuite(async (s) => {
    ({ api, clusterId } = s);
    instanceId = (await api.db.prisma.vrrpInstance.findFirstOrThrow({ where: { clusterId, name: 'VI_1' } })).id;
    lvs1 = s.nodeIds.LVS_1!;
    lvs2 = s.nodeIds.LVS_2!;
  });
  beforeEach(async () => {
    await api.db.prisma.vrrpInstance.update({ where: { id: instanceId }, data: { promotedNodeId: null } });
    await api.db.prisma.node.updateMany({ where: { clusterId }, data: { maintenance: false } });
    await api.db.prisma.failoverCommand.deleteMany({ where: { clusterId } });
    await live(lvs1, heartbeat({ state: 'master' }));
    await live(lvs2, heartbeat({ state: 'backup' }));
  });

  it('promote stores the sticky promote, a pending command and the audit record in one go', async () => {
    const r = await api.operator.failover.promote({ instanceId, nodeId: lvs2 });
    expect(r).toMatchObject({ instanceId, clusterId, promotedNodeId: lvs2 });
    const rows = await api.db.prisma.failoverCommand.findMany({ where: { clusterId } });
    expect(rows).toEqual([
      expect.objectContaining({
        id: r.commandIds[0],
        nodeId: lvs2,
        kind: 'promote',
        instance: 'VI_1',
        status: 'pending',
        actor: 'operator1',
      }),
    ]);
    const audit = await api.db.prisma.auditLog.findFirst({
      where: { action: 'failover.promote' },
      orderBy: { seq: 'desc' },
    });
    expect(audit).toMatchObject({ targetId: instanceId, actor: 'operator1' });
  });

  it('moving a standing promote stores a release for the old node and a promote for the new one', async () => {
    await api.operator.failover.promote({ instanceId, nodeId: lvs2 });
    await api.operator.failover.promote({ instanceId, nodeId: lvs1 });
    const rows = await api.db.prisma.failoverCommand.findMany({ where: { clusterId }, orderBy: { createdAt: 'asc' } });
    expect(rows.map((r) => [r.kind, r.nodeId === lvs1 ? 'LVS_1' : 'LVS_2', r.status])).toEqual([
      ['promote', 'LVS_2', 'failed'], // superseded before it was delivered
      ['release', 'LVS_2', 'pending'],
      ['promote', 'LVS_1', 'pending'],
    ]);
    expect(rows[0]!.reason).toBe('superseded by a later command');
  });

  const refusals: { name: string; setup: () => Promise<unknown>; message: RegExp }[] = [
    {
      name: 'offline (no heartbeat within the window)',
      setup: () => live(lvs2, heartbeat(), { seenMsAgo: 60_000 }),
      message: /node "LVS_2" is offline \(last heard from 60 s ago/,
    },
    {
      name: 'never seen',
      setup: () => api.db.prisma.node.update({ where: { id: lvs2 }, data: { lastSeenAt: null } }),
      message: /is offline \(last heard from never/,
    },
    {
      name: 'in Fault',
      setup: () => live(lvs2, heartbeat({ state: 'fault' })),
      message: /instance "VI_1" is in Fault on node "LVS_2"/,
    },
    {
      name: 'nginx not running',
      setup: () => live(lvs2, heartbeat({ nginx: false })),
      message: /nginx is not running on node "LVS_2"/,
    },
    {
      name: 'a failing nginx check',
      setup: () =>
        live(lvs2, heartbeat(), {
          checks: {
            check_nginx: checkResult({
              seq: 3,
              ok: false,
              status: 'failed',
              durationMs: 2,
              output: 'nginx: [emerg] bind() failed',
            }),
          },
        }),
      message: /nginx is unhealthy on node "LVS_2": check "check_nginx" failed \(nginx: \[emerg\] bind\(\) failed\)/,
    },
    {
      name: 'in maintenance',
      setup: () => api.db.prisma.node.update({ where: { id: lvs2 }, data: { maintenance: true } }),
      message: /node "LVS_2" is in maintenance/,
    },
    {
      name: 'not running the instance',
      setup: () => live(lvs2, heartbeat({ instance: 'VI_9' })),
      message: /does not run instance "VI_1"/,
    },
  ];
  it.each(refusals)(
    'promote is refused, naming nodeId, when the target is $name — and nothing is stored',
    async ({ setup, message }) => {
      await setup();
      const err = await trpcError(api.operator.failover.promote({ instanceId, nodeId: lvs2 }));
      expect(err.code).toBe('BAD_REQUEST');
      expect(err.message).toMatch(/^nodeId: cannot promote: /);
      expect(err.message).toMatch(message);
      expect(
        (await api.db.prisma.vrrpInstance.findUniqueOrThrow({ where: { id: instanceId } })).promotedNodeId,
      ).toBeNull();
      expect(await api.db.prisma.failoverCommand.count({ where: { clusterId } })).toBe(0);
    },
  );

  it('promote is refused for a node that is not a member of the instance', async () => {
    const other = await api.admin.clusters.import({ spec: referenceSpec('other') });
    const stranger = await api.db.prisma.node.findFirstOrThrow({ where: { clusterId: other.id, name: 'LVS_1' } });
    const err = await trpcError(api.operator.failover.promote({ instanceId, nodeId: stranger.id }));
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toBe('nodeId: the node is not a member of instance "VI_1"');
  });

  it('release without a standing promote is refused, naming instanceId', async () => {
    const err = await trpcError(api.operator.failover.release({ instanceId }));
    expect(err.message).toBe('instanceId: instance "VI_1" has no standing promote to release');
  });

  it("maintenance on ends the node's standing promotes and is accepted for an offline node (delivered on reconnect)", async () => {
    await api.operator.failover.promote({ instanceId, nodeId: lvs2 });
    await live(lvs2, heartbeat(), { seenMsAgo: 60_000 });
    const r = await api.operator.failover.maintenance({ nodeId: lvs2, enabled: true });
    expect(r).toMatchObject({ maintenance: true });
    expect(
      (await api.db.prisma.vrrpInstance.findUniqueOrThrow({ where: { id: instanceId } })).promotedNodeId,
    ).toBeNull();
    const row = await api.db.prisma.failoverCommand.findUniqueOrThrow({ where: { id: r.commandIds[0]! } });
    expect(row).toMatchObject({ kind: 'maintenance-on', instance: null, status: 'pending' });
  });

  it('viewers cannot fail over (FORBIDDEN) but can read the status', async () => {
    expect((await trpcError(api.viewer.failover.promote({ instanceId, nodeId: lvs2 }))).code).toBe('FORBIDDEN');
    expect((await api.viewer.failover.status({ clusterId })).instances).toHaveLength(1);
  });

  it("status shows each member's live role with its age, the master, and the commands with their progress", async () => {
    await api.operator.failover.promote({ instanceId, nodeId: lvs2 });
    const s = await api.viewer.failover.status({ clusterId });
    const i = s.instances[0]!;
    expect(i).toMatchObject({ name: 'VI_1', promotedNode: 'LVS_2', master: 'LVS_1', promoteInEffect: false });
    expect(i.members.map((m) => [m.node, m.state, m.online])).toEqual([
      ['LVS_1', 'master', true],
      ['LVS_2', 'backup', true],
    ]);
    expect(i.members[0]!.ageMs).toBeGreaterThanOrEqual(0);
    expect(i.members[0]!.ageMs).toBeLessThan(10_000);
    expect(i.commands).toEqual([
      expect.objectContaining({ node: 'LVS_2', kind: 'promote', status: 'pending', reason: null }),
    ]);
    // The target reports master: the promote is in effect.
    await live(lvs2, heartbeat({ state: 'master', override: 'promoted' }));
    await live(lvs1, heartbeat({ state: 'backup' }));
    const after = (await api.viewer.failover.status({ clusterId })).instances[0]!;
    expect(after).toMatchObject({ master: 'LVS_2', promoteInEffect: true });
    expect(after.members[1]).toMatchObject({ override: 'promoted' });
  });
});
