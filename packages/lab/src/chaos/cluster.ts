/**
 * The chaos soak's cluster: three LBs (lb1–lb3, VRRPv3 at 0.1 s, priorities 100/80/60), two web
 * backends and a client on one segment, each LB's agent enrolled in a real dashboard on
 * PostgreSQL; tcpdump of VRRP and a probe through the VIP on the client.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterSpecInput } from '@keepwatch/shared';
import { agentConfig, bridgePort, LabAgent, type PortBridge } from '../agent.js';
import { startBackend } from '../backend.js';
import { Lab } from '../lab.js';
import { LabNginx } from '../nginx.js';
import { waitFor } from '../poll.js';
import { referenceSpec } from '../reference-spec.js';
import { REF } from '../reference-topology.js';
import { waitRevisionApplied } from '../enrolled.js';
import { startChaosPlane, type ChaosPlane } from './plane.js';

export const CHAOS_LBS = ['lb1', 'lb2', 'lb3'] as const;
export type ChaosLb = (typeof CHAOS_LBS)[number];
export const CHAOS_ADDR: Record<ChaosLb, string> = { lb1: REF.lb1, lb2: REF.lb2, lb3: '198.51.100.13' };
export const CHAOS_PRIORITY: Record<ChaosLb, number> = { lb1: 100, lb2: 80, lb3: 60 };
/** The VIP a 'vip-add' edit adds (and its undoing removes). */
export const CHAOS_EXTRA_VIP = '198.51.100.201';

export type ChaosCluster = {
  lab: Lab;
  plane: ChaosPlane;
  bridge: PortBridge;
  clusterId: string;
  nodeIds: Record<ChaosLb, string>;
  instanceId: string;
  nginx: Record<ChaosLb, LabNginx>;
  agent: Record<ChaosLb, LabAgent>;
  /** The client's tcpdump of VRRP (-tt). */
  capture: string;
  /** The bridge-side port of each LB's link (for a partition). */
  port: Record<ChaosLb, string>;
  stop(): Promise<void>;
};

/** The reference spec grown to three LBs, with a tracked script check the soak edits. */
export function chaosSpec(): ClusterSpecInput {
  const ref = referenceSpec({ name: 'chaos' });
  const vi = ref.vrrpInstances![0]!;
  return {
    ...ref,
    nodes: CHAOS_LBS.map((lb) => ({ name: lb, addresses: [CHAOS_ADDR[lb]], interfaces: ['eth0'] })),
    checks: [
      ...(ref.checks ?? []),
      { kind: 'script', name: 'check_alive', intervalMs: 500, command: { argv: ['/bin/true'] } },
    ],
    vrrpInstances: [
      {
        ...vi,
        members: CHAOS_LBS.map((lb) => ({
          node: lb,
          priority: CHAOS_PRIORITY[lb],
          initialState: lb === 'lb1' ? ('master' as const) : ('backup' as const),
        })),
        trackChecks: [...(vi.trackChecks ?? []), { check: 'check_alive' }],
      },
    ],
  };
}

export async function startChaosCluster(): Promise<ChaosCluster> {
  const v6 = (n: number) => [`2001:db8:51::${n}/64`];
  const hosts = [
    { name: 'lb1', ipv4: [`${REF.lb1}/24`], ipv6: v6(11) },
    { name: 'lb2', ipv4: [`${REF.lb2}/24`], ipv6: v6(12) },
    { name: 'lb3', ipv4: [`${CHAOS_ADDR.lb3}/24`], ipv6: v6(13) },
    { name: 'web1', ipv4: [`${REF.web1}/24`] },
    { name: 'web2', ipv4: [`${REF.web2}/24`] },
    { name: 'client', ipv4: [`${REF.client}/24`] },
  ];
  let lab: Lab | undefined;
  let plane: ChaosPlane | undefined;
  let bridge: PortBridge | undefined;
  const agents: Partial<Record<ChaosLb, LabAgent>> = {};
  const stop = async () => {
    for (const a of Object.values(agents)) await a.stop().catch(() => undefined);
    await lab?.teardown().catch(() => undefined);
    await bridge?.close().catch(() => undefined);
    await plane?.stop().catch(() => undefined);
  };
  try {
    plane = await startChaosPlane();
    lab = await Lab.create({ hosts });
    bridge = await bridgePort(lab, 'hub', plane.port);
    // Lab.create names host i's bridge-side veth kw<runId>p<i>, in the order given.
    const port = Object.fromEntries(CHAOS_LBS.map((lb, i) => [lb, `kw${lab!.runId}p${i}`])) as Record<ChaosLb, string>;
    const capture = join(lab.host('client').dir, 'vrrp.txt');
    lab.spawn('client', 'tcpdump', ['-i', 'eth0', '-n', '-l', '-tt', '-U', 'ip proto 112'], {
      logFile: capture,
      what: 'tcpdump',
    });
    await waitFor(() => readFileSync(capture, 'utf8').includes('listening on'), {
      timeoutMs: 10_000,
      what: 'tcpdump to listen',
    });
    await startBackend(lab, 'web1', 'web1');
    await startBackend(lab, 'web2', 'web2');
    const spec = chaosSpec();
    const clusterId = (await plane.mutate<{ id: string }>('clusters.import', { spec })).id;
    const nodes = await plane.query<{ id: string; node: { name: string } }[]>('nodes.list', { clusterId });
    const nodeIds = Object.fromEntries(
      CHAOS_LBS.map((lb) => [lb, nodes.find((n) => n.node.name === lb)!.id]),
    ) as Record<ChaosLb, string>;
    const nginx = {} as Record<ChaosLb, LabNginx>;
    for (const lb of CHAOS_LBS) {
      nginx[lb] = new LabNginx(lab, lb);
      nginx[lb].configure('# replaced by the agent\n');
      await nginx[lb].start();
      const { token } = await plane.mutate<{ token: string }>('nodes.issueEnrollToken', { id: nodeIds[lb] });
      const { spec: _standalone, ...cfg } = agentConfig(lab, nginx[lb], spec);
      const agent = new LabAgent(lab, lb, {
        ...cfg,
        metrics: undefined,
        controlPlane: { url: `ws+unix://${bridge.path}:/agent`, enrollToken: token },
      });
      agents[lb] = agent;
      await agent.start();
    }
    await waitRevisionApplied(plane, clusterId, 1, 60_000);
    await lab.waitForHolders(REF.vip, ['lb1'], 20_000);
    const status = await plane.query<{ instances: { id: string }[] }>('failover.status', { clusterId });
    return {
      lab,
      plane,
      bridge,
      clusterId,
      nodeIds,
      instanceId: status.instances[0]!.id,
      nginx,
      agent: agents as Record<ChaosLb, LabAgent>,
      capture,
      port,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
