import { describe, expect, it } from 'vitest';
import { ClusterSpecSchema } from './cluster.js';
import { nodeChecks } from './node-checks.js';

const spec = ClusterSpecSchema.parse({
  name: 'c',
  nodes: [
    { name: 'lb1', addresses: ['192.0.2.11'], interfaces: ['eth0'] },
    { name: 'lb2', addresses: ['192.0.2.12'], interfaces: ['eth0'] },
    { name: 'lb3', addresses: ['192.0.2.13'], interfaces: ['eth0'] },
  ],
  vrrpInstances: [
    {
      name: 'VI_1',
      vrid: 51,
      interface: 'eth0',
      members: [
        { node: 'lb1', priority: 100, initialState: 'master' },
        { node: 'lb2', priority: 80, initialState: 'backup' },
      ],
      vips: [{ address: '192.0.2.100' }],
      trackChecks: [{ check: 'nginx_up' }],
    },
    {
      name: 'VI_2',
      vrid: 52,
      interface: 'eth0',
      members: [{ node: 'lb2', priority: 100, initialState: 'master' }],
      vips: [{ address: '192.0.2.101' }],
      trackChecks: [{ check: 'api_up' }],
    },
  ],
  checks: [
    { kind: 'nginx', name: 'nginx_up' },
    { kind: 'tcp', name: 'api_up', address: '192.0.2.50', port: 8080 },
    { kind: 'tcp', name: 'untracked', address: '192.0.2.50', port: 9090 },
  ],
});

describe('nodeChecks: the checks a node runs are those its instances track', () => {
  it.each([
    { node: 'lb1', checks: ['nginx_up'] },
    { node: 'lb2', checks: ['nginx_up', 'api_up'] },
    { node: 'lb3', checks: [] },
  ])('$node runs $checks', ({ node, checks }) => {
    expect(nodeChecks(spec, node).map((c) => c.name)).toEqual(checks);
  });
});
