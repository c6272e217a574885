import { describe, expect, it } from 'vitest';
import { ClusterSpecSchema, type ClusterSpecInput } from '@keepwatch/shared';
import { instanceConfig, nodeInstances, vrrpPart } from './instances.js';

const input: ClusterSpecInput = {
  name: 'lab',
  nodes: [
    { name: 'lb1', interfaces: ['eth0', 'eth1'] },
    { name: 'lb2', interfaces: ['eth0', 'eth1'] },
  ],
  checks: [
    { name: 'chk_nginx', kind: 'process', pidFile: '/run/nginx.pid', weight: -20, initFail: true },
    { name: 'chk_tcp', kind: 'tcp', address: '192.0.2.21', port: 80 },
  ],
  vrrpInstances: [
    {
      name: 'VI_1',
      vrid: 51,
      interface: 'eth0',
      vips: [{ address: '192.0.2.100' }, { address: '192.0.2.101', prefix: 24, dev: 'eth1' }],
      members: [
        {
          node: 'lb1',
          priority: 150,
          initialState: 'master',
          unicastPeers: ['192.0.2.12'],
          unicastSrcIp: '192.0.2.11',
        },
        { node: 'lb2', priority: 100, initialState: 'backup' },
      ],
      trackChecks: [{ check: 'chk_nginx' }, { check: 'chk_tcp', weight: 5 }],
      trackInterfaces: [{ interface: 'eth1' }],
    },
    {
      name: 'VI_6',
      vrid: 51,
      family: 6,
      version: 3,
      interface: 'eth0',
      vips: [{ address: '2001:db8::100' }],
      members: [{ node: 'lb2', priority: 100, initialState: 'backup' }],
    },
  ],
};
const spec = ClusterSpecSchema.parse(input);
const none = { promoted: [], maintenance: false };
const start = { primaryAddress: '192.0.2.11', resumeAsMaster: false };

describe('nodeInstances', () => {
  it('lists only the instances the node is a member of', () => {
    expect(nodeInstances(spec, 'lb1').map((m) => m.instance.name)).toEqual(['VI_1']);
    expect(nodeInstances(spec, 'lb2').map((m) => m.instance.name)).toEqual(['VI_1', 'VI_6']);
  });

  it('gives a VIP without prefix a host prefix and the instance interface as its device (keepalived)', () => {
    const [vi1] = nodeInstances(spec, 'lb1');
    expect(vi1?.vips).toEqual([
      { address: '192.0.2.100', prefix: 32, dev: 'eth0', family: 4 },
      { address: '192.0.2.101', prefix: 24, dev: 'eth1', family: 4 },
    ]);
    expect(nodeInstances(spec, 'lb2')[1]?.vips[0]?.prefix).toBe(128);
  });
});

describe('instanceConfig', () => {
  const [vi1] = nodeInstances(spec, 'lb1');
  if (!vi1) throw new Error('fixture');

  it("takes the member's priority and peers and the start's source address", () => {
    const c = instanceConfig(spec, vi1, none, start);
    expect(c).toMatchObject({
      name: 'VI_1',
      vrid: 51,
      basePriority: 150,
      unicastPeers: ['192.0.2.12'],
      primaryAddress: '192.0.2.11',
      vips: ['192.0.2.100', '192.0.2.101'],
      trackedInterfaces: ['eth1'],
    });
  });

  it("weights a tracked check by the track's weight, else the check's, and starts it failed with initFail", () => {
    expect(instanceConfig(spec, vi1, none, start).trackedChecks).toEqual([
      { name: 'chk_nginx', weight: -20, initiallyOk: false },
      { name: 'chk_tcp', weight: 5, initiallyOk: true },
    ]);
  });

  it('carries a standing promote and a warm restart', () => {
    const c = instanceConfig(spec, vi1, { promoted: ['VI_1'], maintenance: false }, { ...start, resumeAsMaster: true });
    expect(c).toMatchObject({ promoted: true, resumeAsMaster: true });
    expect(c.maintenance).toBeUndefined();
  });

  it('carries maintenance, and no flags when the operator set none', () => {
    expect(instanceConfig(spec, vi1, { promoted: [], maintenance: true }, start).maintenance).toBe(true);
    const plain = instanceConfig(spec, vi1, none, start);
    expect([plain.promoted, plain.maintenance, plain.resumeAsMaster]).toEqual([undefined, undefined, undefined]);
  });
});

describe('vrrpPart', () => {
  it('ignores changes outside nodes, instances and checks', () => {
    expect(vrrpPart({ ...spec, pools: [] })).toBe(vrrpPart(spec));
    expect(vrrpPart({ ...spec, checks: [] })).not.toBe(vrrpPart(spec));
  });
});
