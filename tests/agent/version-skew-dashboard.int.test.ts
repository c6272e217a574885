import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REF, type LabAgent } from '@keepwatch/lab';
import { PREVIOUS_RELEASE } from '../../scripts/previous-release/agent.mjs';
import { previousDashboard } from '../../scripts/previous-release/dashboard.mjs';
import { startDashboardLab, type DashboardLab } from '../support/dashboard-lab.js';
import { REPO } from '../support/repo.js';
import { enrollReferencePair, failoverAndBackServes, poolEditReachesBoth } from '../support/skew-checks.js';

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
    const pair = await enrollReferencePair(env);
    clusterId = pair.clusterId;
    Object.assign(agents, pair.agents);
  });

  afterAll(async () => {
    for (const a of Object.values(agents)) await a.stop().catch(() => undefined);
    await env?.stop();
  });

  it('the previous dashboard is the one serving: it has no migration of this release', () => {
    expect(env!.dashboard.log()).toContain('20261124195029_live_state_commands_ssh');
    expect(env!.dashboard.log()).not.toContain('20261205120000_auth_hmac');
  });

  it("this release's agents enroll and apply the first revision with no error logged, and lb1 holds the VIP", async () => {
    type NodeRow = { node: { name: string } };
    const nodes = await env!.api.query<NodeRow[]>('nodes.list', { clusterId });
    expect(nodes.map((n) => n.node.name).sort()).toEqual(['lb1', 'lb2']);
    for (const a of Object.values(agents)) expect(a.log()).not.toMatch(/"level":50/);
    expect(await env!.lab.holders(REF.vip)).toEqual(['lb1']);
  });

  it('a pool edit made in the previous dashboard reaches both agents, and requests go to the new pool', async () => {
    await poolEditReachesBoth(env!, clusterId);
    expect(await env!.lab.holders(REF.vip)).toEqual(['lb1']);
  });

  it('a failover ordered by the previous dashboard reaches the agents and back, serving every request', async () => {
    await failoverAndBackServes(env!, clusterId);
  });
});
