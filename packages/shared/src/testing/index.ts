// Sample agent messages for the tests of code that sends, frames, stores or shows them: one valid
// message of a kind, changed per test by overrides. Tests only: `@keepwatch/shared/testing`, not
// the main entry.
import type { HeartbeatMessage, InstanceStatus, StateTransitionMessage } from '../protocol/messages.js';

/** A state transition before the outbox numbers it (no seq). */
export type SampleTransition = Omit<StateTransitionMessage, 'seq'>;

/** VI_1 (VRID 51) goes from Backup to Master at priority 100 when its Master_Down_Timer fires. */
export function sampleTransition(overrides: Partial<SampleTransition> = {}): SampleTransition {
  return {
    v: 1,
    type: 'state-transition',
    at: 1000,
    instance: 'VI_1',
    vrid: 51,
    from: 'backup',
    to: 'master',
    reason: 'master-down-timer',
    priority: 100,
    ...overrides,
  };
}

/** VI_1 (VRID 51) as a heartbeat reports it: Master at priority 100, holding its VIPs. */
export function sampleInstanceStatus(overrides: Partial<InstanceStatus> = {}): InstanceStatus {
  return {
    instance: 'VI_1',
    vrid: 51,
    state: 'master',
    basePriority: 100,
    effectivePriority: 100,
    holdsVips: true,
    since: 1000,
    override: 'none',
    ...overrides,
  };
}

/** A heartbeat of a node running revision 1 with nginx up and `sampleInstanceStatus()`. */
export function sampleHeartbeat(overrides: Partial<HeartbeatMessage> = {}): HeartbeatMessage {
  return {
    v: 1,
    type: 'heartbeat',
    at: 1000,
    appliedRevision: 1,
    maintenance: false,
    nginx: { running: true, pid: 1234 },
    instances: [sampleInstanceStatus()],
    ...overrides,
  };
}
