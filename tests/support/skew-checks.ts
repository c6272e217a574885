import { expect } from 'vitest';
import {
  REF,
  endedBySwitch,
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
import type { DashboardLab } from './dashboard-lab.js';

/**
 * The reference pair enrolled in the dashboard (`bins`: another agent program for a host), its
 * first revision applied on both, lb1 holding and serving the VIP.
 */
export async function enrollReferencePair(
  env: DashboardLab,
  bins?: Partial<Record<'lb1' | 'lb2', string>>,
): Promise<{ clusterId: string; agents: Record<'lb1' | 'lb2', LabAgent> }> {
  const started = await startEnrolledAgents(env.lab, env.api, {
    spec: referenceSpec(),
    hubSocket: env.bridge.path,
    metrics: false,
    ...(bins ? { bins } : {}),
  });
  await waitRevisionApplied(env.api, started.clusterId, 1);
  await env.lab.waitForHolders(REF.vip, ['lb1'], 10_000);
  await waitServed(env.lab);
  return { clusterId: started.clusterId, agents: started.agent };
}

/**
 * What a version-skew test asks of a mixed cluster (tests/agent/version-skew*): the reference pool
 * cut to web1 in the dashboard reaches both agents (revision 2) and requests go to web1 alone.
 */
export async function poolEditReachesBoth(env: DashboardLab, clusterId: string): Promise<void> {
  type PoolRow = { id: string; version: number; pool: { name: string; servers: { address: string }[] } };
  const [row] = await env.api.query<PoolRow[]>('pools.list', { clusterId });
  const servers = row!.pool.servers.filter((s) => s.address.startsWith(REF.web1));
  await env.api.mutate('pools.update', { id: row!.id, version: row!.version, pool: { ...row!.pool, servers } });
  await waitRevisionApplied(env.api, clusterId, 2);
  expect(new Set(await throughVip(env.lab, 4))).toEqual(new Set(['web1']));
}

/** A failover to lb2 ordered in the dashboard and its release back to lb1, under a probe: nothing fails but a reset. */
export async function failoverAndBackServes(env: DashboardLab, clusterId: string): Promise<void> {
  const { lab, api } = env;
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
  // As in web/failover: at most the one request in flight at a switch, ended by a reset or a
  // timeout (`endedBySwitch`); a refused request would mean the VIP was nowhere. CI saw one reset
  // in 12 requests, and one timeout.
  const s = summariseProbe(probe.records());
  const failed = probe.records().filter((r) => !r.ok);
  expect(s.failed, JSON.stringify(failed)).toBeLessThanOrEqual(1);
  for (const f of failed) expect(endedBySwitch(f), JSON.stringify(f)).toBe(true);
  expect(s.total).toBeGreaterThan(10);
}
