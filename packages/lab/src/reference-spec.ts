/**
 * The reference scenario as a Keepwatch cluster spec — the one definition the integration tests,
 * the benchmarks, the demo and the dashboard's unit tests build their clusters from.
 */
import type { ClusterSpecInput } from '@keepwatch/shared';
import { REF } from './reference-topology.js';

type Instance = NonNullable<ClusterSpecInput['vrrpInstances']>[number];

/** Where the scenario's hosts are: the LBs' node names and addresses, the web servers', the VIP. */
export type ReferenceHosts = {
  lb1: { node: string; address: string };
  lb2: { node: string; address: string };
  web1: string;
  web2: string;
  vip: string;
};

/** The scenario's hosts at `at`, the LBs named `names` (default lb1 and lb2). */
export function referenceHosts(
  at: { lb1: string; lb2: string; web1: string; web2: string; vip: string },
  names: readonly [string, string] = ['lb1', 'lb2'],
): ReferenceHosts {
  return {
    lb1: { node: names[0], address: at.lb1 },
    lb2: { node: names[1], address: at.lb2 },
    web1: at.web1,
    web2: at.web2,
    vip: at.vip,
  };
}

/** The tutorial's router ids and its addresses on 192.0.2.0/24 (parse-only: no lab host has them). */
const TUTORIAL = referenceHosts(
  { lb1: '192.0.2.150', lb2: '192.0.2.151', web1: '192.0.2.152', web2: '192.0.2.153', vip: '192.0.2.180' },
  ['LVS_1', 'LVS_2'],
);
const LAB = referenceHosts(REF);

export type ReferenceSpecOptions = {
  /** The cluster's name (default "reference"). */
  name?: string;
  /** VRRPv3 (default) or v2, which carries the tutorial's PASS password. */
  version?: 2 | 3;
  /** Default: 0.1 s with v3, 1 s with v2. */
  advertIntervalMs?: number;
  /** The built-in nginx supervision as `check_nginx` (default), other checks, or none (nothing tracked). */
  check?: ClusterSpecInput['checks'] | null;
  /** The pool of web1 and web2 behind `server-1` (default); without, the agent leaves nginx's site alone. */
  pools?: boolean;
  /** The lab's lb1/lb2 on its addresses (default), the tutorial's LVS_1/LVS_2 on 192.0.2.150–.153 and .180, or others. */
  hosts?: 'lab' | 'tutorial' | ReferenceHosts;
  /** The VIP's family: 6 puts the lab's IPv6 VIP on VRRPv3. */
  family?: 4 | 6;
  /** Adverts to the peer's address instead of the multicast group. */
  unicast?: boolean;
  /** 1: lb1 alone, a cluster of one LB (default 2). */
  lbs?: 1 | 2;
  /** Further settings of VI_1 (e.g. garpMasterDelayMs). */
  instance?: Partial<Instance>;
};

/**
 * The reference scenario: two LBs (priorities 100 and 80, VRID 51), one VIP, the pool of web1 and
 * web2 — the same as importing the tutorial's keepalived.conf and lb.conf (see the shared package's
 * import tests), with the lab's addresses and VRRPv3 at 0.1 s by default.
 */
export function referenceSpec(opts: ReferenceSpecOptions = {}): ClusterSpecInput {
  const version = opts.version ?? 3;
  const lbs = opts.lbs === 1 ? (['lb1'] as const) : (['lb1', 'lb2'] as const);
  const at = opts.hosts === 'tutorial' ? TUTORIAL : opts.hosts === 'lab' || !opts.hosts ? LAB : opts.hosts;
  const checks =
    opts.check === undefined ? [{ kind: 'nginx' as const, name: 'check_nginx', intervalMs: 1000 }] : opts.check;
  const tracked = checks?.[0]?.name;
  const member = (self: 'lb1' | 'lb2', peer: 'lb1' | 'lb2', priority: number, initialState: 'master' | 'backup') => ({
    node: at[self].node,
    priority,
    initialState,
    ...(opts.unicast ? { unicastSrcIp: at[self].address, unicastPeers: [at[peer].address] } : {}),
  });
  return {
    name: opts.name ?? 'reference',
    nodes: lbs.map((lb) => ({ name: at[lb].node, addresses: [at[lb].address], interfaces: ['eth0'] })),
    vrrpInstances: [
      {
        name: 'VI_1',
        vrid: 51,
        version,
        ...(opts.family ? { family: opts.family } : {}),
        interface: 'eth0',
        advertIntervalMs: opts.advertIntervalMs ?? (version === 3 ? 100 : 1000),
        members: [member('lb1', 'lb2', 100, 'master'), member('lb2', 'lb1', 80, 'backup')].slice(0, lbs.length),
        ...(version === 2 ? { authentication: { type: 'pass' as const, password: '1111' } } : {}),
        vips: [{ address: opts.family === 6 ? REF.vip6 : at.vip }],
        ...(tracked ? { trackChecks: [{ check: tracked }] } : {}),
        ...opts.instance,
      },
    ],
    ...(checks ? { checks } : {}),
    ...(opts.pools === false
      ? {}
      : {
          pools: [
            {
              name: 'webs',
              servers: [
                { address: at.web1, port: 80 },
                { address: at.web2, port: 80 },
              ],
            },
          ],
          virtualServers: [{ name: 'server-1', listen: [{ port: 80 }], locations: [{ path: '/', pool: 'webs' }] }],
        }),
  };
}
