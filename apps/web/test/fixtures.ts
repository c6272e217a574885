import { referenceSpec as labReferenceSpec } from '@keepwatch/lab';
import type { ClusterSpecInput, HeartbeatMessage } from '@keepwatch/shared';

/**
 * The reference scenario (two nginx LBs, one VIP, a pool of two web servers) as the dashboard's
 * unit tests know it: the lab's one reference spec with the tutorial's router ids (LVS_1, LVS_2)
 * and addresses, VRRPv2 at 1 s with its password.
 */
export function referenceSpec(name = 'reference'): ClusterSpecInput {
  return labReferenceSpec({ name, hosts: 'tutorial', version: 2 });
}

/** A heartbeat as the agent sends it (what the hub stores in Node.liveState), VI_1 at priority 80. */
export function heartbeat(
  o: {
    state?: 'backup' | 'master' | 'fault';
    nginx?: boolean;
    maintenance?: boolean;
    override?: 'none' | 'promoted';
    instance?: string;
  } = {},
): HeartbeatMessage {
  return {
    v: 1,
    type: 'heartbeat',
    at: Date.now(),
    appliedRevision: 1,
    maintenance: o.maintenance ?? false,
    nginx: { running: o.nginx ?? true, pid: o.nginx === false ? null : 4242 },
    instances: [
      {
        instance: o.instance ?? 'VI_1',
        vrid: 51,
        state: o.state ?? 'backup',
        basePriority: 80,
        effectivePriority: 80,
        holdsVips: o.state === 'master',
        since: Date.now() - 1000,
        override: o.override ?? 'none',
      },
    ],
  };
}
