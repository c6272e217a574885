import { describe, expect, it } from 'vitest';
import { ClusterSpecSchema } from '@keepwatch/shared';
import { apiWithClusterForSuite, trpcError, type Api } from '../testing/api';
import { heartbeat, referenceSpec } from '../../../test/fixtures';
import { pools } from './areas';
import { verifyAuditChain } from './audit';

describe('config changes', () => {
  let api: Api;
  let clusterId: string;
  apiWithClusterForSuite((s) => {
    ({ api, clusterId } = s);
  });

  const auditCount = () => api.db.prisma.auditLog.count();
  const webs = async () => {
    const list = await api.viewer.pools.list({ clusterId });
    const p = list.find((x) => x.pool.name === 'webs');
    if (!p) throw new Error('pool webs missing');
    return p;
  };

  describe('revisions', () => {
    it('an imported cluster gets revision 1: a valid spec, one pending deployment per node', async () => {
      const rev = await api.admin.clusters.revision({ clusterId, number: 1 });
      expect(ClusterSpecSchema.safeParse(rev.spec).success).toBe(true);
      expect(rev.spec).toEqual(ClusterSpecSchema.parse(referenceSpec()));
      expect(rev.deployments.map((d) => [d.node, d.status]).sort()).toEqual([
        ['LVS_1', 'pending'],
        ['LVS_2', 'pending'],
      ]);
    });

    it('a pool edit creates the next revision holding the new backend', async () => {
      const p = await webs();
      const r = await api.admin.pools.update({
        id: p.id,
        version: p.version,
        pool: { ...p.pool, servers: [...p.pool.servers, { address: '192.0.2.154', port: 8080, weight: 3 }] },
      });
      expect(r.version).toBe(p.version + 1);
      const cluster = await api.viewer.clusters.get({ id: clusterId });
      expect(r.revision).toBe(cluster.revision);
      const rev = await api.viewer.clusters.revision({ clusterId, number: cluster.revision });
      expect(
        await api.deps.metrics.registry.getSingleMetricAsString('keepwatch_config_revisions_created_total'),
      ).toMatch(/ 2$/);
      expect(rev.spec.pools[0]?.servers.map((s) => `${s.address}:${s.port}`)).toEqual([
        '192.0.2.152:80',
        '192.0.2.153:80',
        '192.0.2.154:8080',
      ]);
      // Revisions are immutable: the database refuses an UPDATE.
      await expect(api.db.prisma.$executeRawUnsafe(`UPDATE "ConfigRevision" SET summary = 'x'`)).rejects.toThrow(
        /append-only/,
      );
    });

    it('a change that breaks a cross-field rule of the spec is refused with the spec path, and nothing is stored', async () => {
      const p = await webs();
      const [revBefore, auditBefore] = [
        (await api.viewer.clusters.get({ id: clusterId })).revision,
        await auditCount(),
      ];
      const e = await trpcError(
        api.admin.pools.update({
          id: p.id,
          version: p.version,
          pool: {
            ...p.pool,
            method: { type: 'ip_hash' },
            servers: p.pool.servers.map((s, i) => ({ ...s, backup: i === 0 })),
          },
        }),
      );
      expect(e.code).toBe('BAD_REQUEST');
      expect(e.message).toMatch(
        /pools\.0\.servers\.0\.backup: balancing method ip_hash does not support backup servers/,
      );
      expect((await api.viewer.clusters.get({ id: clusterId })).revision).toBe(revBefore);
      expect(await auditCount()).toBe(auditBefore);
      expect((await webs()).version).toBe(p.version);
    });
  });

  describe('optimistic concurrency', () => {
    it('an edit based on a stale version gets CONFLICT and the newer edit is kept', async () => {
      const p = await webs();
      await api.admin.pools.update({ id: p.id, version: p.version, pool: { ...p.pool, keepalive: 16 } });
      const auditBefore = await auditCount();
      const e = await trpcError(
        api.admin.pools.update({ id: p.id, version: p.version, pool: { ...p.pool, keepalive: 32 } }),
      );
      expect(e.code).toBe('CONFLICT');
      expect(e.message).toMatch(/^version: .*changed by someone else/);
      expect((await webs()).pool.keepalive).toBe(16);
      expect(await auditCount()).toBe(auditBefore);
    });

    it('concurrent changes to different objects of one cluster all reach the newest revision', async () => {
      await Promise.all(
        ['p_a', 'p_b', 'p_c'].map((name, i) =>
          api.admin.pools.create({
            clusterId,
            pool: { name, servers: [{ address: `198.51.100.${i + 1}`, port: 80 }] },
          }),
        ),
      );
      const cluster = await api.viewer.clusters.get({ id: clusterId });
      const rev = await api.viewer.clusters.revision({ clusterId, number: cluster.revision });
      expect(rev.spec.pools.map((p) => p.name)).toEqual(expect.arrayContaining(['p_a', 'p_b', 'p_c']));
      for (const p of (await api.viewer.pools.list({ clusterId })).filter((x) => x.pool.name.startsWith('p_')))
        await api.admin.pools.delete({ id: p.id, version: p.version });
    });

    it('of two concurrent edits from the same version exactly one wins', async () => {
      const p = await webs();
      const results = await Promise.allSettled(
        [1, 2].map((k) =>
          api.admin.pools.update({ id: p.id, version: p.version, pool: { ...p.pool, keepalive: 100 + k } }),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const lost = results.find((r) => r.status === 'rejected');
      expect((lost as PromiseRejectedResult).reason.code).toBe('CONFLICT');
      expect((await webs()).version).toBe(p.version + 1);
    });

    it('a stale delete gets CONFLICT too', async () => {
      const { id } = await api.admin.checks.create({
        clusterId,
        check: { kind: 'tcp', name: 'tcp_web', address: '192.0.2.152', port: 80 },
      });
      await api.admin.checks.update({
        id,
        version: 1,
        check: { kind: 'tcp', name: 'tcp_web', address: '192.0.2.152', port: 81 },
      });
      expect((await trpcError(api.admin.checks.delete({ id, version: 1 }))).code).toBe('CONFLICT');
      await api.admin.checks.delete({ id, version: 2 });
    });
  });

  describe('audit in the same transaction', () => {
    it('a mutation writes exactly one audit record naming actor, action, target, before and after', async () => {
      const p = await webs();
      await api.admin.pools.update({ id: p.id, version: p.version, pool: { ...p.pool, keepalive: 8 } });
      const rec = await api.db.prisma.auditLog.findFirstOrThrow({ orderBy: { seq: 'desc' } });
      expect(rec).toMatchObject({
        actor: 'admin1',
        actorId: api.users.admin.id,
        action: 'pool.update',
        targetType: 'pool',
        targetId: p.id,
        sourceAddress: '198.51.100.9',
      });
      expect((rec.before as { pool: { keepalive?: number } }).pool.keepalive).toBe(p.pool.keepalive);
      expect((rec.after as { pool: { keepalive?: number } }).pool.keepalive).toBe(8);
    });

    it('when the transaction fails after the service ran, neither the change nor its audit record remains', async () => {
      const p = await webs();
      const auditBefore = await auditCount();
      const actor = {
        kind: 'user' as const,
        id: api.users.admin.id,
        username: 'admin1',
        role: 'admin' as const,
        sourceAddress: null,
      };
      await expect(
        api.db.prisma.$transaction(async (tx) => {
          await pools.update(tx, actor, { id: p.id, version: p.version, obj: { ...p.pool, keepalive: 999 } as never });
          throw new Error('boom after the audit record was written');
        }),
      ).rejects.toThrow(/boom/);
      expect(await auditCount()).toBe(auditBefore);
      expect((await webs()).pool.keepalive).toBe(p.pool.keepalive);
      expect(await verifyAuditChain(api.db.prisma)).toMatchObject({ ok: true });
    });

    it('a refused mutation (unknown pool in a location) leaves no audit record', async () => {
      const auditBefore = await auditCount();
      const e = await trpcError(
        api.admin.virtualServers.create({
          clusterId,
          virtualServer: { name: 'vs2', listen: [{ port: 8080 }], locations: [{ path: '/', pool: 'nope' }] },
        }),
      );
      expect(e.code).toBe('BAD_REQUEST');
      expect(e.message).toBe('virtualServer.locations.0.pool: unknown pool "nope" in this cluster');
      expect(await auditCount()).toBe(auditBefore);
    });
  });

  describe('references', () => {
    it('renaming a tracked check renames it where instances track it', async () => {
      const c = (await api.viewer.checks.list({ clusterId })).find((x) => x.check.name === 'check_nginx')!;
      const r = await api.admin.checks.update({
        id: c.id,
        version: c.version,
        check: { ...c.check, name: 'nginx_alive' },
      });
      const rev = await api.viewer.clusters.revision({ clusterId, number: r.revision! });
      expect(rev.spec.vrrpInstances[0]?.trackChecks).toEqual([{ check: 'nginx_alive' }]);
    });

    it('deleting a tracked check is refused with the spec path', async () => {
      const c = (await api.viewer.checks.list({ clusterId })).find((x) => x.check.name === 'nginx_alive')!;
      const e = await trpcError(api.admin.checks.delete({ id: c.id, version: c.version }));
      expect(e.code).toBe('BAD_REQUEST');
      expect(e.message).toMatch(/vrrpInstances\.0\.trackChecks\.0\.check: unknown check "nginx_alive"/);
    });

    it('a pool used by a location cannot be deleted', async () => {
      const p = await webs();
      const e = await trpcError(api.admin.pools.delete({ id: p.id, version: p.version }));
      expect(e.code).toBe('CONFLICT');
      expect(e.message).toMatch(/virtual server "server-1" location \//);
    });

    it('a node that is a member of an instance cannot be deleted', async () => {
      const n = (await api.viewer.nodes.list({ clusterId }))[0];
      const e = await trpcError(api.admin.nodes.delete({ id: n!.id, version: n!.version }));
      expect(e.code).toBe('CONFLICT');
      expect(e.message).toMatch(/member of VRRP instance "VI_1"/);
    });

    it('a duplicate name is refused with the field', async () => {
      const e = await trpcError(
        api.admin.pools.create({ clusterId, pool: { name: 'webs', servers: [{ address: '192.0.2.1', port: 80 }] } }),
      );
      expect(e.code).toBe('CONFLICT');
      expect(e.message).toBe('pool.name: a pool named "webs" already exists in this cluster');
    });
  });

  describe('failover intent', () => {
    it('promote records the sticky target and its audit; release clears it', async () => {
      const [inst] = await api.viewer.instances.list({ clusterId });
      const nodes = await api.viewer.nodes.list({ clusterId });
      const lvs2 = nodes.find((n) => n.node.name === 'LVS_2')!;
      // Promote needs the target online and healthy: LVS_2's agent reported a moment ago, as the hub stores it.
      const at = Date.now();
      const liveState = { ...heartbeat({ state: 'backup', since: at - 60_000 }), at, appliedRevision: null };
      await api.db.prisma.node.update({ where: { id: lvs2.id }, data: { lastSeenAt: new Date(at), liveState } });
      await api.operator.failover.promote({ instanceId: inst!.id, nodeId: lvs2.id });
      expect((await api.viewer.failover.status({ clusterId })).instances[0]).toMatchObject({
        name: 'VI_1',
        promotedNode: 'LVS_2',
      });
      expect((await api.db.prisma.auditLog.findFirstOrThrow({ orderBy: { seq: 'desc' } })).action).toBe(
        'failover.promote',
      );
      await api.operator.failover.release({ instanceId: inst!.id });
      expect((await api.viewer.failover.status({ clusterId })).instances[0]?.promotedNode).toBeNull();
    });

    it('promote onto a node that is not a member is refused naming nodeId', async () => {
      const other = await api.admin.clusters.import({ spec: referenceSpec('other') });
      const foreign = (await api.viewer.nodes.list({ clusterId: other.id }))[0]!;
      const [inst] = await api.viewer.instances.list({ clusterId });
      const e = await trpcError(api.operator.failover.promote({ instanceId: inst!.id, nodeId: foreign.id }));
      expect(e.code).toBe('BAD_REQUEST');
      expect(e.message).toMatch(/^nodeId: /);
    });
  });

  it('deleting a cluster removes its nodes, objects and revisions; the audit record stays', async () => {
    const c = await api.admin.clusters.import({ spec: referenceSpec('doomed') });
    const stale = await trpcError(api.admin.clusters.delete({ id: c.id, version: c.version + 1 }));
    expect(stale.code).toBe('CONFLICT');
    await api.admin.clusters.delete({ id: c.id, version: c.version });
    expect(await api.db.prisma.node.count({ where: { clusterId: c.id } })).toBe(0);
    expect(await api.db.prisma.configRevision.count({ where: { clusterId: c.id } })).toBe(0);
    expect(await api.db.prisma.auditLog.count({ where: { targetId: c.id, action: 'cluster.delete' } })).toBe(1);
  });

  it('the VRRP password never reaches the audit log', async () => {
    const [inst] = await api.admin.instances.list({ clusterId });
    await api.admin.instances.update({
      id: inst!.id,
      version: inst!.version,
      instance: { ...inst!.instance, advertIntervalMs: 2000 },
    });
    const rec = await api.db.prisma.auditLog.findFirstOrThrow({
      where: { action: 'instance.update' },
      orderBy: { seq: 'desc' },
    });
    const shown = JSON.stringify([rec.before, rec.after]);
    expect(shown).toContain('"advertIntervalMs":2000');
    expect(shown).toContain('(redacted)');
    expect(shown).not.toContain('"1111"');
    // Admins edit it; viewers only see that there is one.
    expect((await api.admin.instances.list({ clusterId }))[0]?.instance.authentication?.password).toBe('1111');
    expect((await api.viewer.instances.list({ clusterId }))[0]?.instance.authentication?.password).toBe('(redacted)');
  });

  it('leaves a verifiable audit chain behind all of the above', async () => {
    expect(await api.admin.audit.verify()).toMatchObject({ ok: true });
  });
});
