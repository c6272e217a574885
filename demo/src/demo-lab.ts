/**
 * The demo cluster: the reference deployment (two LB hosts with keepwatch-agent and nginx, web1
 * and web2, a client sending light traffic) in network namespaces, enrolled in the dashboard
 * through the same path a real host uses — a one-time token per node, exchanged by the agent
 * for its credential — as the cluster "demo" with the reference scenario's settings.
 */
import {
  REF,
  bridgePort,
  referenceLab,
  referenceSpec,
  startProbe,
  startEnrolledAgents,
  waitFor,
  type Lab,
  type LabAgent,
  type LabNginx,
  type PortBridge,
  type Probe,
} from '@keepwatch/lab';
import type { DashboardApi } from './api.js';

export const DEMO_CLUSTER = 'demo';
/** Light traffic: two requests a second through the VIP, for as long as the demo runs (bounded). */
const PROBE_RATE_HZ = 2;
const PROBE_MAX_MS = 12 * 3600_000;

export type DemoLab = {
  lab: Lab;
  clusterId: string;
  /** The LB hosts' agents and nginx (the full-system test injects its faults through them). */
  agents: Record<'lb1' | 'lb2', LabAgent>;
  nginx: Record<'lb1' | 'lb2', LabNginx>;
  /** The client's light traffic through the VIP. */
  probe: Probe;
  teardown(): Promise<void>;
};

export async function startDemoLab(api: DashboardApi, port: number, say: (line: string) => void): Promise<DemoLab> {
  const lab = await referenceLab();
  let bridge: PortBridge | undefined;
  let probe: Probe | undefined;
  const agents: LabAgent[] = [];
  const teardown = async () => {
    await probe?.stop().catch(() => undefined);
    for (const a of agents) await a.stop().catch(() => undefined);
    await lab.teardown().catch(() => undefined);
    await bridge?.close().catch(() => undefined);
  };
  try {
    say(`lab: namespaces ${[...lab.hosts.values()].map((h) => h.ns).join(', ')}`);
    bridge = await bridgePort(lab, 'hub', port);
    // The reference scenario's settings: VRID 51, priorities 100/80, VRRPv2 at 1 s with the
    // tutorial's password, the built-in nginx supervision.
    const spec = referenceSpec({ name: DEMO_CLUSTER, version: 2, advertIntervalMs: 1000 });
    const started = await startEnrolledAgents(lab, api, {
      spec,
      hubSocket: bridge.path,
      onEnroll: (lb, url, token) => say(`${lb}: keepwatch-agent run --server ${url} --token ${token.slice(0, 8)}…`),
    });
    const cluster = { id: started.clusterId };
    agents.push(started.agent.lb1, started.agent.lb2);
    await lab.waitForHolders(REF.vip, ['lb1'], 30_000);
    await waitFor(
      async () =>
        (
          await api.query<{ node: string; to: string }[]>('clusters.transitions', { clusterId: cluster.id, limit: 20 })
        ).some((t) => t.to === 'master')
          ? true
          : undefined,
      { timeoutMs: 30_000, intervalMs: 250, what: 'the demo cluster to report a master' },
    );
    probe = await startProbe(lab, 'client', `http://${REF.vip}/`, {
      rateHz: PROBE_RATE_HZ,
      maxDurationMs: PROBE_MAX_MS,
    });
    return { lab, clusterId: cluster.id, agents: started.agent, nginx: started.nginx, probe, teardown };
  } catch (err) {
    await teardown();
    throw err;
  }
}
