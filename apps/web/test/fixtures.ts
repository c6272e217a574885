import { referenceSpec as labReferenceSpec } from '@keepwatch/lab';
import type {
  CheckResultMessage,
  ClusterSpecInput,
  HeartbeatMessage,
  InstanceStatus,
  StateTransitionMessage,
} from '@keepwatch/shared';
import { sampleInstanceStatus, sampleTransition } from '@keepwatch/shared/testing';

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
    since?: number;
    /** The instance's effective priority (its base is 80). */
    priority?: number;
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
      instanceStatus({
        instance: o.instance ?? 'VI_1',
        state: o.state ?? 'backup',
        basePriority: 80,
        effectivePriority: o.priority ?? 80,
        holdsVips: o.state === 'master',
        override: o.override ?? 'none',
        since: o.since ?? Date.now() - 1000,
      }),
    ],
  };
}

/** One instance's line of a heartbeat: shared's sample (VI_1 master at 100, holding its VIPs) for a second now. */
export function instanceStatus(o: Partial<InstanceStatus> = {}): InstanceStatus {
  return sampleInstanceStatus({ since: Date.now() - 1000, ...o });
}

/** A state transition as the agent reports it, numbered and now: shared's sample (VI_1 backup → master). */
export function transition(o: Partial<StateTransitionMessage> = {}): StateTransitionMessage {
  return { seq: 1, ...sampleTransition({ at: Date.now() }), ...o };
}

/** A check result as the agent reports it: check_nginx passed in 3 ms and is healthy. */
export function checkResult(o: Partial<CheckResultMessage> = {}): CheckResultMessage {
  return {
    v: 1,
    type: 'check-result',
    seq: 1,
    at: Date.now(),
    check: 'check_nginx',
    ok: true,
    status: 'healthy',
    durationMs: 3,
    exitCode: null,
    timedOut: false,
    output: '',
    ...o,
  };
}
