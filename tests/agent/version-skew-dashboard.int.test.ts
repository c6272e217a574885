import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  REF,
  referenceSpec,
  startEnrolledAgents,
  startProbe,
  summariseProbe,
  throughVip,
  waitFor,
  waitRevisionApplied,
  waitServed,
  type LabAgent,
} from '@keepwatch/lab';
import { PREVIOUS_RELEASE } from '../../scripts/previous-release/agent.mjs';
import { previousDashboard } from '../../scripts/previous-release/dashboard.mjs';
import { startDashboardLab, type DashboardLab } from '../support/dashboard-lab.js';
import { REPO } from '../support/repo.js';

/**
 * Issue #14, version skew the other way round: the agents are upgraded before the dashboard, so
 * this release's agents run against the previous release's control plane (its hub, API and
 * database, built from its commit; the pages are left out). They enroll, apply what it pushes,
 * and carry out its failover commands while the VIP serves (VRRPv3 at 0.1 s).
 */
describe(`version skew: this release's agents against the previous release's dashboard (${PREVIOUS_RELEASE})`, () => {
  let env: DashboardLab | undefined;
  let clusterId = '';
  const agents: Record<string, LabAgent> = {};

  beforeAll(async () => {
    const dir = previousDashboard(REPO);
    env = await startDashboardLab({
      program: { cwd: dir, argv: ['--import', 'tsx', 'server.ts'], readyPath: '/api/trpc/session.me' },
    });
    const started = await startEnrolledAgents(env.lab, env.api, {
      spec: referenceSpec(),
      hubSocket: env.bridge.path,
      metrics: false,
    });
    clusterId = started.clusterId;
    Object.assign(agents, started.agent);
    await waitRevisionApplied(env.api, clusterId, 1);
    await env.lab.waitForHolders(REF.vip, ['lb1'], 10_000);
    await waitServed(env.lab);
  });

  afterAll(async () => {
    for (const a of Object.values(agents)) await a.stop().catch(() => undefined);
    await env?.stop();
  });

  it('the previous dashboard is the one serving: it has no migration of this release', () => {
    expect(env!.dashboard.log()).toContain('20261124195029_live_state_commands_ssh');
    expect(env!.dashboard.log()).not.toContain('20261205120000_auth_hmac');
  });

  it("this release's agents enroll, apply the first revision, and report live state it shows", async () => {
    type NodeRow = { node: { name: string }; agentVersion?: string | null };
    const nodes = await env!.api.query<NodeRow[]>('nodes.list', { clusterId });
    expect(nodes.map((n) => n.node.name).sort()).toEqual(['lb1', 'lb2']);
    for (const a of Object.values(agents)) expect(a.log()).not.toMatch(/"level":50/);
    expect(await env!.lab.holders(REF.vip)).toEqual(['lb1']);
  });

  it('a pool edit made in the previous dashboard reaches both agents, and requests go to the new pool', async () => {
    type PoolRow = { id: string; version: number; pool: { name: string; servers: { address: string }[] } };
    const [row] = await env!.api.query<PoolRow[]>('pools.list', { clusterId });
    const servers = row!.pool.servers.filter((s) => s.address.startsWith(REF.web1));
    await env!.api.mutate('pools.update', { id: row!.id, version: row!.version, pool: { ...row!.pool, servers } });
    await waitRevisionApplied(env!.api, clusterId, 2);
    expect(new Set(await throughVip(env!.lab, 4))).toEqual(new Set(['web1']));
    expect(await env!.lab.holders(REF.vip)).toEqual(['lb1']);
  });

  it('a failover ordered by the previous dashboard reaches the agents and back, serving every request', async () => {
    const { lab, api } = env!;
    type InstanceRow = { id: string; instance: { name: string } };
    const [vi] = await api.query<InstanceRow[]>('instances.list', { clusterId });
    const nodes = await api.query<{ id: string; node: { name: string } }[]>('nodes.list', { clusterId });
    const lb2 = nodes.find((n) => n.node.name === 'lb2')!;
    // 10 req/s, as in version-skew: an in-flight request at the GARP may be reset by the new holder.
    const probe = await startProbe(lab, 'client', `http://${REF.vip}/`, { rateHz: 10, maxDurationMs: 30_000 });
    try {
      await api.mutate('failover.promote', { instanceId: vi!.id, nodeId: lb2.id });
      await lab.waitForHolders(REF.vip, ['lb2'], 10_000);
      await api.mutate('failover.release', { instanceId: vi!.id });
      await lab.waitForHolders(REF.vip, ['lb1'], 10_000);
      await waitFor(() => probe.records().length >= 12 || undefined, { timeoutMs: 5000, what: '12 probe requests' });
    } finally {
      await probe.stop().catch(() => undefined);
    }
    const s = summariseProbe(probe.records());
    expect(s.failed, JSON.stringify(s)).toBe(0);
    expect(s.total).toBeGreaterThan(10);
  });
});
