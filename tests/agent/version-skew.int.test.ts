import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REF, type LabAgent } from '@keepwatch/lab';
import { PREVIOUS_RELEASE, previousAgent } from '../../scripts/previous-release/agent.mjs';
import { startDashboardLab, type DashboardLab } from '../support/dashboard-lab.js';
import { REPO } from '../support/repo.js';
import { enrollReferencePair, failoverAndBackServes, poolEditReachesBoth } from '../support/skew-checks.js';

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
    const pair = await enrollReferencePair(env, { lb2: old });
    clusterId = pair.clusterId;
    Object.assign(agents, pair.agents);
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
    await poolEditReachesBoth(env!, clusterId);
  });

  it('a failover to the old agent and back serves every request', async () => {
    await failoverAndBackServes(env!, clusterId);
  });
});
