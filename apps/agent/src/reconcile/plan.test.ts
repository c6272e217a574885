import { describe, expect, it } from 'vitest';
import { ClusterSpecSchema } from '@keepwatch/shared';
import { planRevision, type CheckPlan, type InstancePlan } from './plan.js';

/** A spec as input, loosely typed so that a row can edit any field (the schema checks it). */
type Input = {
  name: string;
  nodes: unknown[];
  vrrpInstances: Record<string, unknown>[];
  checks: Record<string, unknown>[];
};

function base(): Input {
  return {
    name: 'lab',
    nodes: [
      { name: 'lb1', interfaces: ['eth0', 'eth1'] },
      { name: 'lb2', interfaces: ['eth0', 'eth1'] },
      { name: 'lb3', interfaces: ['eth0', 'eth1'] },
    ],
    checks: [
      { name: 'chk_nginx', kind: 'script', command: { argv: ['/bin/true'] }, intervalMs: 1000, weight: -20 },
      { name: 'chk_tcp', kind: 'tcp', address: '192.0.2.21', port: 80 },
      { name: 'chk_idle', kind: 'tcp', address: '192.0.2.22', port: 80 },
    ],
    vrrpInstances: [
      {
        name: 'VI_1',
        vrid: 51,
        version: 3,
        advertIntervalMs: 100,
        interface: 'eth0',
        vips: [{ address: '192.0.2.100' }],
        members: [
          { node: 'lb1', priority: 150, initialState: 'master', unicastPeers: ['192.0.2.12'] },
          { node: 'lb2', priority: 100, initialState: 'backup', unicastPeers: ['192.0.2.11'] },
        ],
        trackChecks: [{ check: 'chk_nginx' }],
      },
      {
        name: 'VI_2',
        vrid: 52,
        version: 3,
        interface: 'eth0',
        vips: [{ address: '192.0.2.200' }],
        members: [
          { node: 'lb1', priority: 100, initialState: 'backup' },
          { node: 'lb2', priority: 150, initialState: 'master' },
        ],
      },
    ],
  };
}

const vi1 = (s: Input) => s.vrrpInstances[0]!;
const lb1 = (s: Input) => (vi1(s).members as Record<string, unknown>[])[0]!;

/** One edit of the base spec, and what lb1's plan must say. */
type Row = {
  edit: string;
  /** What both specs have (the spec's rules need it for the edit). */
  start?(s: Input): void;
  change(s: Input): void;
  instances: InstancePlan[];
  checks?: CheckPlan[];
  trackingChanged?: boolean;
};

const UNCHANGED_VI2: InstancePlan = { name: 'VI_2', kind: 'unchanged' };
const CHECK_SAME: CheckPlan[] = [{ name: 'chk_nginx', kind: 'unchanged' }];
const update = (...settings: string[]) => ({ name: 'VI_1', kind: 'update', settings }) as InstancePlan;
const restart = (...causes: string[]) => ({ name: 'VI_1', kind: 'restart', causes }) as InstancePlan;

const rows: Row[] = [
  {
    edit: "a check's interval",
    change: (s) => void (s.checks[0]!.intervalMs = 2000),
    instances: [{ name: 'VI_1', kind: 'unchanged' }, UNCHANGED_VI2],
    checks: [{ name: 'chk_nginx', kind: 'restart' }],
  },
  {
    edit: "a check's command",
    change: (s) => void (s.checks[0]!.command = { shell: 'exit 0' }),
    instances: [{ name: 'VI_1', kind: 'unchanged' }, UNCHANGED_VI2],
    checks: [{ name: 'chk_nginx', kind: 'restart' }],
  },
  {
    edit: "a check's weight (the instance's tracking, not the check's run)",
    change: (s) => void (s.checks[0]!.weight = -30),
    instances: [update('trackedChecks'), UNCHANGED_VI2],
    checks: CHECK_SAME,
    trackingChanged: true,
  },
  {
    edit: 'a check no instance here tracks',
    change: (s) => void (s.checks[2]!.intervalMs = 5000),
    instances: [{ name: 'VI_1', kind: 'unchanged' }, UNCHANGED_VI2],
  },
  {
    edit: 'a VIP added',
    change: (s) => void (vi1(s).vips as unknown[]).push({ address: '192.0.2.101' }),
    instances: [update('vips'), UNCHANGED_VI2],
  },
  {
    edit: 'a VIP removed',
    change: (s) => void (vi1(s).vips = [{ address: '192.0.2.101' }]),
    instances: [update('vips'), UNCHANGED_VI2],
  },
  {
    edit: 'a VIP moved to another device',
    change: (s) => void (vi1(s).vips = [{ address: '192.0.2.100', dev: 'eth1' }]),
    instances: [restart('vip-device'), UNCHANGED_VI2],
  },
  { edit: 'priority', change: (s) => void (lb1(s).priority = 160), instances: [update('basePriority'), UNCHANGED_VI2] },
  {
    edit: "another member's priority",
    change: (s) => void ((vi1(s).members as Record<string, unknown>[])[1]!.priority = 90),
    instances: [{ name: 'VI_1', kind: 'unchanged' }, UNCHANGED_VI2],
  },
  {
    edit: 'advert interval',
    change: (s) => void (vi1(s).advertIntervalMs = 200),
    instances: [update('advertIntervalMs'), UNCHANGED_VI2],
  },
  {
    edit: 'nopreempt',
    start: (s) => void (lb1(s).initialState = 'backup'),
    change: (s) => void (vi1(s).preempt = false),
    instances: [update('preempt'), UNCHANGED_VI2],
  },
  {
    edit: 'preempt delay',
    start: (s) => void (lb1(s).initialState = 'backup'),
    change: (s) => void (vi1(s).preemptDelayMs = 5000),
    instances: [update('preemptDelayMs'), UNCHANGED_VI2],
  },
  {
    edit: 'GARP settings',
    change: (s) => {
      vi1(s).garpMasterDelayMs = 2000;
      vi1(s).garpMasterRefreshMs = 60_000;
    },
    instances: [update('garpMasterDelayMs', 'garpMasterRefreshMs'), UNCHANGED_VI2],
  },
  {
    edit: 'a tracked interface added',
    change: (s) => void (vi1(s).trackInterfaces = [{ interface: 'eth1' }]),
    instances: [update('trackedInterfaces'), UNCHANGED_VI2],
  },
  {
    edit: 'a tracked check added',
    change: (s) => void (vi1(s).trackChecks = [{ check: 'chk_nginx' }, { check: 'chk_tcp', weight: 5 }]),
    instances: [update('trackedChecks'), UNCHANGED_VI2],
    checks: [...CHECK_SAME, { name: 'chk_tcp', kind: 'add' }],
    trackingChanged: true,
  },
  {
    edit: 'a tracked check removed',
    change: (s) => void (vi1(s).trackChecks = []),
    instances: [update('trackedChecks'), UNCHANGED_VI2],
    checks: [{ name: 'chk_nginx', kind: 'remove' }],
    trackingChanged: true,
  },
  {
    edit: 'unicast peers',
    change: (s) => void (lb1(s).unicastPeers = ['192.0.2.12', '192.0.2.13']),
    instances: [update('unicastPeers'), UNCHANGED_VI2],
  },
  {
    edit: 'a member added (another node)',
    change: (s) => void (vi1(s).members as unknown[]).push({ node: 'lb3', priority: 50, initialState: 'backup' }),
    instances: [{ name: 'VI_1', kind: 'unchanged' }, UNCHANGED_VI2],
  },
  {
    edit: 'a member removed (another node)',
    change: (s) => void (vi1(s).members = [lb1(s)]),
    instances: [{ name: 'VI_1', kind: 'unchanged' }, UNCHANGED_VI2],
  },
  {
    edit: 'this node removed from an instance',
    change: (s) => void (vi1(s).members = (vi1(s).members as Record<string, unknown>[]).slice(1)),
    instances: [UNCHANGED_VI2, { name: 'VI_1', kind: 'remove' }],
    checks: [{ name: 'chk_nginx', kind: 'remove' }],
    trackingChanged: true,
  },
  {
    edit: 'an instance added',
    change: (s) =>
      void s.vrrpInstances.push({
        name: 'VI_3',
        vrid: 53,
        interface: 'eth0',
        vips: [{ address: '192.0.2.150' }],
        members: [{ node: 'lb1', priority: 100, initialState: 'backup' }],
      }),
    instances: [{ name: 'VI_1', kind: 'unchanged' }, UNCHANGED_VI2, { name: 'VI_3', kind: 'add' }],
    trackingChanged: true,
  },
  {
    edit: 'interface',
    change: (s) => void (vi1(s).interface = 'eth1'),
    // The VIPs' device defaults to the instance's interface, so they move with it.
    instances: [restart('interface', 'vip-device'), UNCHANGED_VI2],
  },
  { edit: 'VRID', change: (s) => void (vi1(s).vrid = 61), instances: [restart('vrid'), UNCHANGED_VI2] },
  {
    edit: 'version',
    change: (s) => {
      vi1(s).version = 2;
      vi1(s).advertIntervalMs = 1000;
    },
    instances: [restart('version'), UNCHANGED_VI2],
  },
  {
    edit: 'the source address',
    change: (s) => void (lb1(s).unicastSrcIp = '192.0.2.11'),
    instances: [restart('source-address'), UNCHANGED_VI2],
  },
];

describe('planRevision', () => {
  it.each(rows)('plans $edit', (row) => {
    const before = base();
    const after = base();
    row.start?.(before);
    row.start?.(after);
    row.change(after);
    const plan = planRevision(ClusterSpecSchema.parse(before), ClusterSpecSchema.parse(after), 'lb1');
    expect(plan.instances).toEqual(row.instances);
    expect(plan.checks).toEqual(row.checks ?? CHECK_SAME);
    expect(plan.trackingChanged).toBe(row.trackingChanged ?? false);
  });

  it('plans nothing for the same spec', () => {
    const spec = ClusterSpecSchema.parse(base());
    const plan = planRevision(spec, ClusterSpecSchema.parse(base()), 'lb1');
    expect(plan.nothing).toBe(true);
    expect(plan.instances.every((i) => i.kind === 'unchanged')).toBe(true);
  });

  it('plans something when only a check changes', () => {
    const after = base();
    after.checks[0]!.intervalMs = 2000;
    expect(planRevision(ClusterSpecSchema.parse(base()), ClusterSpecSchema.parse(after), 'lb1').nothing).toBe(false);
  });
});
