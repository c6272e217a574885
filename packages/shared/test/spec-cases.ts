// Test support: named cluster specs used by the nginx goldens and the keepalived tests.
import { ClusterSpecSchema, type ClusterSpec, type ClusterSpecInput } from '../src/spec/cluster.js';

const lbNodes = [
  { name: 'LVS_1', addresses: ['192.0.2.150'], interfaces: ['ens160'] },
  { name: 'LVS_2', addresses: ['192.0.2.151'], interfaces: ['ens160'] },
];

/** The reference scenario (seed/scenario.md) as a spec. */
export const REFERENCE_SPEC_INPUT: ClusterSpecInput = {
  name: 'reference',
  nodes: lbNodes,
  vrrpInstances: [
    {
      name: 'VI_1',
      vrid: 51,
      interface: 'ens160',
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
  checks: [{ kind: 'script', name: 'check_nginx', command: { argv: ['/etc/keepalived/check_nginx.sh'] } }],
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

const two = [
  { address: '198.51.100.11', port: 8080 },
  { address: '198.51.100.12', port: 8080 },
];

function withPool(name: string, pool: ClusterSpecInput['pools']): ClusterSpecInput {
  return {
    name,
    nodes: [{ name: 'lb1', interfaces: ['eth0'] }],
    pools: pool,
    virtualServers: [{ name: 'web', listen: [{ port: 80 }], locations: [{ path: '/', pool: pool?.[0]?.name ?? 'p' }] }],
  };
}

/** Golden cases: name → spec input. Names are the golden file names. */
export const GOLDEN_CASES: Record<string, ClusterSpecInput> = {
  reference: REFERENCE_SPEC_INPUT,
  'method-least-conn': withPool('least-conn', [{ name: 'app', method: { type: 'least_conn' }, servers: two }]),
  'method-ip-hash': withPool('ip-hash', [{ name: 'app', method: { type: 'ip_hash' }, servers: two }]),
  'method-hash': withPool('hash', [{ name: 'app', method: { type: 'hash', key: ['$request_uri'] }, servers: two }]),
  'method-hash-consistent': withPool('hash-consistent', [
    {
      name: 'app',
      method: { type: 'hash', key: ['$binary_remote_addr', '$request_uri'], consistent: true },
      servers: two,
    },
  ]),
  'method-random': withPool('random', [{ name: 'app', method: { type: 'random' }, servers: two }]),
  'backup-and-down': withPool('backup-down', [
    {
      name: 'app',
      servers: [
        { address: '198.51.100.11', port: 8080, weight: 3, maxFails: 2, failTimeoutMs: 5000 },
        { address: '198.51.100.12', port: 8080, down: true },
        { address: '198.51.100.13', port: 8080, backup: true, failTimeoutMs: 2000 },
      ],
      keepalive: 16,
    },
  ]),
  'several-virtual-servers': {
    name: 'several',
    nodes: [
      { name: 'lb1', interfaces: ['eth0'] },
      { name: 'lb2', interfaces: ['eth0'] },
    ],
    pools: [
      { name: 'www', servers: two },
      {
        name: 'api',
        method: { type: 'least_conn' },
        keepalive: 32,
        servers: [{ address: '203.0.113.21', port: 9000 }],
      },
    ],
    virtualServers: [
      {
        name: 'www',
        listen: [{ address: '192.0.2.10', port: 80, defaultServer: true }],
        serverNames: ['www.example.com', 'example.com'],
        locations: [
          {
            path: '/',
            pool: 'www',
            headers: [
              { name: 'Host', value: '$host' },
              { name: 'X-Forwarded-For', value: '$proxy_add_x_forwarded_for' },
            ],
          },
          {
            path: '/api/',
            pool: 'api',
            proxyConnectTimeoutMs: 2000,
            proxyReadTimeoutMs: 30_000,
            proxySendTimeoutMs: 500,
          },
        ],
      },
      {
        name: 'admin',
        listen: [{ address: '192.0.2.10', port: 8080 }, { port: 8443 }],
        serverNames: ['admin.example.com'],
        locations: [{ path: '/', pool: 'api', headers: [{ name: 'X-Served-By', value: 'keepwatch lb' }] }],
      },
    ],
  },
  'ipv6-upstreams': {
    name: 'ipv6',
    nodes: [{ name: 'lb1', interfaces: ['eth0'] }],
    pools: [
      {
        name: 'v6',
        servers: [
          { address: '2001:db8::11', port: 80 },
          { address: '2001:db8::12', port: 80, weight: 2 },
          { address: '198.51.100.13', port: 80, backup: true },
        ],
      },
    ],
    virtualServers: [
      {
        name: 'v6',
        listen: [
          { address: '2001:db8::10', port: 80 },
          { address: '192.0.2.10', port: 80 },
        ],
        serverNames: ['_'],
        locations: [{ path: '/', pool: 'v6' }],
      },
    ],
  },
};

/** Parses a case, failing loudly: the cases themselves must be valid. */
export function parseCase(input: ClusterSpecInput): ClusterSpec {
  return ClusterSpecSchema.parse(input);
}
