import { describe, expect, it } from 'vitest';
import type { HeartbeatMessage } from '@keepwatch/shared';
import { instanceStatus } from '../../../test/fixtures';
import { isOnline, toNodeStatus, type LivenessRule } from './node-status';

const RULE: LivenessRule = { heartbeatIntervalMs: 1000, missedHeartbeats: 3 };

describe('node liveness rule', () => {
  it.each<{ name: string; lastSeenAt: number | null; now: number; online: boolean }>([
    { name: 'never seen is offline', lastSeenAt: null, now: 10_000, online: false },
    { name: 'just heard from is online', lastSeenAt: 10_000, now: 10_000, online: true },
    { name: 'exactly missedHeartbeats × interval old is still online', lastSeenAt: 7_000, now: 10_000, online: true },
    { name: 'one ms past missedHeartbeats × interval is offline', lastSeenAt: 6_999, now: 10_000, online: false },
    {
      name: 'a clock step backwards (lastSeenAt in the future) counts as online',
      lastSeenAt: 12_000,
      now: 10_000,
      online: true,
    },
  ])('$name', ({ lastSeenAt, now, online }) => {
    expect(isOnline(lastSeenAt, now, RULE)).toBe(online);
  });

  const row = {
    id: 'n',
    clusterId: 'c',
    name: 'LVS_1',
    maintenance: false,
    credentialHash: 'h',
    agentVersion: '1',
    agentAddress: 'unix',
    checkResults: {},
  };
  const hb: HeartbeatMessage = {
    v: 1,
    type: 'heartbeat',
    at: 1,
    appliedRevision: 4,
    maintenance: false,
    nginx: { running: true, pid: 7 },
    instances: [instanceStatus({ since: 1 })],
  };

  it('reports a stale master with its age and offline, never as current', () => {
    const s = toNodeStatus({ ...row, lastSeenAt: new Date(1_000), liveState: hb }, 61_000, RULE);
    expect(s).toMatchObject({ online: false, ageMs: 60_000, staleAfterMs: 3000, appliedRevision: 4 });
    expect(s.heartbeat?.instances[0]?.state).toBe('master');
  });

  it('reads a stored heartbeat that no longer parses as absent', () => {
    const s = toNodeStatus(
      { ...row, lastSeenAt: new Date(1_000), liveState: { type: 'heartbeat', what: 'old shape' } },
      1_500,
      RULE,
    );
    expect(s).toMatchObject({ online: true, ageMs: 500, heartbeat: null, appliedRevision: null });
  });
});
