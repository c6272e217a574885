import { describe, expect, it } from 'vitest';
import type { VrrpState } from '@keepwatch/shared';
import { apiWithClusterForSuite, trpcError, type Api } from '../testing/api';
import { checkResult, instanceStatus, transition } from '../../../test/fixtures';
import { recordApplyResult, recordTransition, type AgentNode } from './agent-events';
import { LIVE_STALE_AFTER_MS } from './clusters';

describe('cluster page views', () => {
  let api: Api;
  let clusterId: string;
  let node: Record<'LVS_1' | 'LVS_2', AgentNode>;
  apiWithClusterForSuite((s) => {
    ({ api, clusterId } = s);
    node = { LVS_1: { id: s.nodeIds.LVS_1!, clusterId }, LVS_2: { id: s.nodeIds.LVS_2!, clusterId } };
  });

  describe('clusters.live', () => {
    it("shows each node's last heartbeat and check results with ages; a node whose reports stopped is offline", async () => {
      const now = Date.now();
      const heartbeat = {
        v: 1,
        type: 'heartbeat',
        at: now - 1000,
        appliedRevision: 1,
        maintenance: false,
        nginx: { running: true, pid: 4242 },
        instances: [instanceStatus({ since: now - 60_000 })],
      };
      const check = checkResult({ seq: 7, at: now - 500, output: 'nginx runs (pid 4242)' });
      await api.db.prisma.node.update({
        where: { id: node.LVS_1.id },
        data: {
          lastSeenAt: new Date(now - 1000),
          liveState: heartbeat,
          checkResults: { check_nginx: check },
          agentVersion: '0.1.0',
          agentAddress: '192.0.2.150',
        },
      });
      await api.db.prisma.node.update({
        where: { id: node.LVS_2.id },
        data: {
          lastSeenAt: new Date(now - LIVE_STALE_AFTER_MS - 5000),
          liveState: {
            ...heartbeat,
            instances: [
              { ...heartbeat.instances[0], state: 'backup', basePriority: 80, effectivePriority: 80, holdsVips: false },
            ],
          },
        },
      });
      const live = await api.viewer.clusters.live({ clusterId });
      const [lvs1, lvs2] = live.nodes;
      expect(lvs1).toMatchObject({
        name: 'LVS_1',
        online: true,
        agentVersion: '0.1.0',
        heartbeat: {
          nginx: { running: true, pid: 4242 },
          instances: [{ state: 'master', basePriority: 100, effectivePriority: 100 }],
        },
      });
      expect(lvs1!.seenAgeMs).toBeGreaterThanOrEqual(1000);
      expect(lvs1!.checks).toEqual([
        expect.objectContaining({
          check: 'check_nginx',
          status: 'healthy',
          at: new Date(check.at),
          output: 'nginx runs (pid 4242)',
        }),
      ]);
      expect(lvs2).toMatchObject({ name: 'LVS_2', online: false });
      expect(lvs2!.seenAgeMs).toBeGreaterThan(LIVE_STALE_AFTER_MS);
    });

    it('a node never heard from has no age and is offline', async () => {
      await api.db.prisma.node.update({
        where: { id: node.LVS_2.id },
        data: { lastSeenAt: null, liveState: null as never },
      });
      const lvs2 = (await api.viewer.clusters.live({ clusterId })).nodes.find((n) => n.name === 'LVS_2');
      expect(lvs2).toMatchObject({ online: false, seenAgeMs: null, heartbeat: null, checks: [] });
    });
  });

  describe('clusters.timeline', () => {
    it("returns the transitions inside the window oldest first, and each node's last one before it", async () => {
      const now = Date.now();
      const t = (seq: number, agoMs: number, from: VrrpState, to: VrrpState, reason: string) =>
        transition({ seq, at: now - agoMs, from, to, reason });
      await api.db.prisma.$transaction(async (tx) => {
        await recordTransition(tx, node.LVS_1, t(1, 3 * 3600_000, 'initialize', 'backup', 'startup'));
        await recordTransition(tx, node.LVS_1, t(2, 2 * 3600_000, 'backup', 'master', 'master-down-timer'));
        await recordTransition(tx, node.LVS_1, t(3, 30 * 60_000, 'master', 'backup', 'higher-priority-advert'));
        await recordTransition(tx, node.LVS_2, t(1, 29 * 60_000, 'backup', 'master', 'admin-promote'));
      });
      const tl = await api.viewer.clusters.timeline({ clusterId, since: new Date(now - 3600_000) });
      expect(tl.initial.map((x) => [x.node, x.to, x.reason])).toEqual([['LVS_1', 'master', 'master-down-timer']]);
      expect(tl.transitions.map((x) => [x.node, x.to, x.reason])).toEqual([
        ['LVS_1', 'backup', 'higher-priority-advert'],
        ['LVS_2', 'master', 'admin-promote'],
      ]);
      expect(tl.truncated).toBe(false);
    });

    it('refuses a window further back than 7 days, naming the field', async () => {
      const e = await trpcError(
        api.viewer.clusters.timeline({ clusterId, since: new Date(Date.now() - 8 * 24 * 3600_000) }),
      );
      expect([e.code, e.message]).toEqual(['BAD_REQUEST', 'since: must be within the last 7 days']);
    });
  });

  describe('pools.preview', () => {
    it("diffs the draft's rendered nginx config against the revision each node runs, storing nothing", async () => {
      const [webs] = await api.viewer.pools.list({ clusterId });
      await api.db.prisma.$transaction(async (tx) => {
        for (const n of Object.values(node))
          await recordApplyResult(tx, n, {
            v: 1,
            type: 'apply-result',
            seq: 100,
            at: Date.now(),
            revision: 1,
            outcome: 'applied',
          });
      });
      const before = {
        revisions: await api.db.prisma.configRevision.count(),
        audit: await api.db.prisma.auditLog.count(),
      };
      const draft = {
        ...webs!.pool,
        method: { type: 'least_conn' as const },
        servers: [...webs!.pool.servers, { address: '192.0.2.154', port: 8080, weight: 2 }],
      };
      const { diffs } = await api.admin.pools.preview({ clusterId, id: webs!.id, pool: draft });
      expect(diffs).toHaveLength(1);
      expect(diffs[0]).toMatchObject({ nodes: ['LVS_1', 'LVS_2'], runningRevision: 1 });
      expect(diffs[0]!.patch).toContain('--- revision 1 (running)');
      expect(diffs[0]!.patch).toMatch(/^\+\s*least_conn;$/m);
      expect(diffs[0]!.patch).toMatch(/^\+\s*server 192\.0\.2\.154:8080 weight=2;$/m);
      expect(diffs[0]!.added).toBeGreaterThanOrEqual(2);
      expect({
        revisions: await api.db.prisma.configRevision.count(),
        audit: await api.db.prisma.auditLog.count(),
      }).toEqual(before);
    });

    it('an unchanged draft has an empty diff', async () => {
      const [webs] = await api.viewer.pools.list({ clusterId });
      const { diffs } = await api.admin.pools.preview({ clusterId, id: webs!.id, pool: webs!.pool });
      expect(diffs.map((d) => [d.patch, d.added, d.removed])).toEqual([['', 0, 0]]);
    });

    it('a draft that breaks a cross-field rule is refused naming the pool field', async () => {
      const [webs] = await api.viewer.pools.list({ clusterId });
      const e = await trpcError(
        api.admin.pools.preview({
          clusterId,
          id: webs!.id,
          pool: {
            ...webs!.pool,
            method: { type: 'ip_hash' },
            servers: webs!.pool.servers.map((s, i) => ({ ...s, backup: i === 0 })),
          },
        }),
      );
      expect(e.code).toBe('BAD_REQUEST');
      expect(e.message).toMatch(/^pool\.servers\.0\.backup: /);
    });
  });

  describe('editing instance settings and checks (what the cluster page sends)', () => {
    it('an instance edit changes VRID, advert interval, priorities, preempt, password and VIPs in one revision, audited without the password', async () => {
      const [inst] = await api.admin.instances.list({ clusterId });
      const revBefore = (await api.viewer.clusters.get({ id: clusterId })).revision;
      const edited = {
        ...inst!.instance,
        vrid: 52,
        advertIntervalMs: 2000,
        preempt: true,
        authentication: { type: 'pass' as const, password: 'n3wpass' },
        members: inst!.instance.members.map((m) => ({ ...m, priority: m.node === 'LVS_2' ? 90 : m.priority })),
        vips: [{ address: '192.0.2.180' }, { address: '192.0.2.181', prefix: 32 }],
      };
      const r = await api.admin.instances.update({ id: inst!.id, version: inst!.version, instance: edited });
      expect(r).toMatchObject({ version: inst!.version + 1, revision: revBefore + 1 });
      const rev = await api.viewer.clusters.revision({ clusterId, number: r.revision! });
      expect(rev.spec.vrrpInstances[0]).toMatchObject({
        vrid: 52,
        advertIntervalMs: 2000,
        members: [{ priority: 100 }, { priority: 90 }],
        vips: [{ address: '192.0.2.180' }, { address: '192.0.2.181', prefix: 32 }],
      });
      const audit = await api.db.prisma.auditLog.findFirstOrThrow({
        where: { action: 'instance.update' },
        orderBy: { seq: 'desc' },
      });
      expect(audit.actor).toBe('admin1');
      expect(JSON.stringify(audit.after)).not.toContain('n3wpass');
    });

    it('an instance edit based on a stale version is refused with CONFLICT naming the version', async () => {
      const [inst] = await api.admin.instances.list({ clusterId });
      const e = await trpcError(
        api.admin.instances.update({ id: inst!.id, version: inst!.version - 1, instance: inst!.instance }),
      );
      expect(e.code).toBe('CONFLICT');
      expect(e.message).toMatch(/^version: VRRP instance was changed by someone else/);
    });

    it('a bad VIP or priority is refused naming the field, and nothing changes', async () => {
      const [inst] = await api.admin.instances.list({ clusterId });
      const vip = await trpcError(
        api.admin.instances.update({
          id: inst!.id,
          version: inst!.version,
          instance: { ...inst!.instance, vips: [{ address: '192.0.2.300' }] },
        }),
      );
      expect(vip.message).toMatch(/^instance\.vips\.0\.address: /);
      const prio = await trpcError(
        api.admin.instances.update({
          id: inst!.id,
          version: inst!.version,
          instance: { ...inst!.instance, members: inst!.instance.members.map((m) => ({ ...m, priority: 256 })) },
        }),
      );
      expect(prio.message).toMatch(/^instance\.members\.0\.priority: /);
      expect((await api.admin.instances.list({ clusterId }))[0]!.version).toBe(inst!.version);
    });

    it('a check edit changes rise and fall; a stale one is refused with CONFLICT', async () => {
      const [c] = await api.viewer.checks.list({ clusterId });
      const r = await api.admin.checks.update({
        id: c!.id,
        version: c!.version,
        check: { ...c!.check, rise: 3, fall: 2 },
      });
      expect((await api.viewer.checks.list({ clusterId }))[0]!.check).toMatchObject({ rise: 3, fall: 2 });
      expect(r.version).toBe(c!.version + 1);
      expect((await trpcError(api.admin.checks.update({ id: c!.id, version: c!.version, check: c!.check }))).code).toBe(
        'CONFLICT',
      );
    });
  });
});
