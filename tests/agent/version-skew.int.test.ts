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
import { PREVIOUS_RELEASE, previousAgent } from '../../scripts/previous-release/agent.mjs';
import { startDashboardLab, type DashboardLab } from '../support/dashboard-lab.js';
import { REPO } from '../support/repo.js';

/**
 * Issue #14, version skew: halfway through a rolling upgrade lb1 runs this release's agent and
 * lb2 still the previous release's (built from its commit), both enrolled in this dashboard.
 * Both apply what the dashboard pushes, a failover reaches the old agent and comes back, and the
 * VIP serves throughout (VRRPv3 at 0.1 s).
 */
describe(`version skew: this dashboard and agent beside the agent of the previous release (${PREVIOUS_RELEASE})`, () => {
  let env: DashboardLab | undefined;
  let clusterId = '';
  const agents: Record<string, LabAgent> = {};

  beforeAll(async () => {
    const old = await previousAgent(REPO);
    env = await startDashboardLab();
    const started = await startEnrolledAgents(env.lab, env.api, {
      spec: referenceSpec(),
      hubSocket: env.bridge.path,
      metrics: false,
      bins: { lb2: old },
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

  it('the previous agent enrolls, applies the first revision and stands by as backup', async () => {
    expect(agents.lb2!.log()).toContain('"agent started"');
    const nodes = await env!.api.query<{ node: { name: string }; online?: boolean }[]>('nodes.list', { clusterId });
    expect(nodes.map((n) => n.node.name).sort()).toEqual(['lb1', 'lb2']);
    expect(await env!.lab.holders(REF.vip)).toEqual(['lb1']);
  });

  it("the Nodes page's data marks the previous release's agent outdated and this release's current", async () => {
    type Row = { name: string; agentVersion: string | null; agentSkew: string };
    const rows = await env!.api.query<Row[]>('nodes.all', undefined);
    const skew = (name: string) => rows.find((r) => r.name === name);
    expect(skew('lb2')).toMatchObject({ agentVersion: '0.1.0', agentSkew: 'older' });
    expect(skew('lb1')).toMatchObject({ agentSkew: 'same' });
  });

  it('a pool edit reaches both agents, and requests go to the new pool', async () => {
    type PoolRow = { id: string; version: number; pool: { name: string; servers: { address: string }[] } };
    const [row] = await env!.api.query<PoolRow[]>('pools.list', { clusterId });
    const servers = row!.pool.servers.filter((s) => s.address.startsWith(REF.web1));
    await env!.api.mutate('pools.update', { id: row!.id, version: row!.version, pool: { ...row!.pool, servers } });
    await waitRevisionApplied(env!.api, clusterId, 2);
    expect(new Set(await throughVip(env!.lab, 4))).toEqual(new Set(['web1']));
  });

  it('a failover to the old agent and back serves every request', async () => {
    const { lab, api } = env!;
    type InstanceRow = { id: string; instance: { name: string } };
    const [vi] = await api.query<InstanceRow[]>('instances.list', { clusterId });
    const nodes = await api.query<{ id: string; node: { name: string } }[]>('nodes.list', { clusterId });
    const lb2 = nodes.find((n) => n.node.name === 'lb2')!;
    // 10 req/s: a request whose handshake reached the old holder just before the new one's GARP is
    // reset by the new holder whatever VRRP does (as in hitless-moves); its odds are rate × request
    // time per move, and a gap that is not make-before-break (≥ 300 ms) is still seen at 10/s.
    const probe = await startProbe(lab, 'client', `http://${REF.vip}/`, { rateHz: 10, maxDurationMs: 30_000 });
    try {
      await api.mutate('failover.promote', { instanceId: vi!.id, nodeId: lb2.id });
      await lab.waitForHolders(REF.vip, ['lb2'], 10_000);
      await api.mutate('failover.release', { instanceId: vi!.id });
      await lab.waitForHolders(REF.vip, ['lb1'], 10_000);
      await waitFor(async () => (await lab.holders(REF.vip)).join() === 'lb1' || undefined, {
        timeoutMs: 5000,
        what: 'lb1 alone',
      });
      // The moves can take well under a second; the probe goes on serving through lb1 for at least
      // 12 requests (1.2 s at 10/s) so the count below is about serving, not about how fast they were.
      await waitFor(() => probe.records().length >= 12 || undefined, { timeoutMs: 5000, what: '12 probe requests' });
    } finally {
      await probe.stop().catch(() => undefined);
    }
    const s = summariseProbe(probe.records());
    expect(s.failed, JSON.stringify(s)).toBe(0);
    expect(s.total).toBeGreaterThan(10);
  });
});
