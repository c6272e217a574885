import type { ClusterSpecInput } from '@keepwatch/shared';

/** The reference scenario (two nginx LBs, one VIP, a pool of two web servers) as a spec. */
export function referenceSpec(name = 'reference'): ClusterSpecInput {
  return {
    name,
    nodes: [
      { name: 'LVS_1', addresses: ['192.0.2.150'], interfaces: ['eth0'] },
      { name: 'LVS_2', addresses: ['192.0.2.151'], interfaces: ['eth0'] },
    ],
    vrrpInstances: [
      {
        name: 'VI_1',
        vrid: 51,
        interface: 'eth0',
        advertIntervalMs: 1000,
        members: [
          { node: 'LVS_1', priority: 100, initialState: 'master' },
          { node: 'LVS_2', priority: 80, initialState: 'backup' },
        ],
        authentication: { type: 'pass', password: '1111' },
        vips: [{ address: '192.0.2.180' }],
        trackChecks: [{ check: 'check_nginx' }],
      },
    ],
    checks: [{ kind: 'nginx', name: 'check_nginx' }],
    pools: [
      {
        name: 'webs',
        servers: [
          { address: '192.0.2.152', port: 80 },
          { address: '192.0.2.153', port: 80 },
        ],
      },
    ],
    virtualServers: [{ name: 'server-1', listen: [{ port: 80 }], locations: [{ path: '/', pool: 'webs' }] }],
  };
}
