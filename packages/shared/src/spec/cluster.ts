/**
 * The cluster spec: the single definition of a cluster — nodes, VRRP instances with VIPs, health
 * checks, upstream pools and virtual servers. Per-object schemas check each value's grammar;
 * every rule that relates two fields or two objects lives in the one `superRefine` at the end
 * (STYLE §D21), so there is exactly one place to read them.
 */
import { z } from 'zod';
import { VRRP_STATES } from '@keepwatch/vrrp';
import {
  AbsolutePathSchema,
  ArgvSchema,
  AuthPassSchema,
  HeaderNameSchema,
  HeaderValueSchema,
  InterfaceNameSchema,
  IpAddressSchema,
  LocationPrefixSchema,
  NameSchema,
  NginxVariableSchema,
  PortSchema,
  PrioritySchema,
  ServerNameSchema,
  ShellLineSchema,
  UnixNameSchema,
  WeightSchema,
  addressFamily,
} from './grammar.js';

/** keepalived's default advert interval, 1 s. */
export const DEF_ADVERT_INTERVAL_MS = 1000;
/** keepalived `garp_master_delay` default: the second GARP burst 5 s after becoming master. */
export const DEF_GARP_MASTER_DELAY_MS = 5000;
/** keepalived `garp_master_repeat` default. */
export const DEF_GARP_MASTER_REPEAT = 5;
/** keepalived `garp_master_refresh_repeat` default. */
export const DEF_GARP_MASTER_REFRESH_REPEAT = 1;
/** keepalived `vrrp_script` default interval, 1 s. */
export const DEF_CHECK_INTERVAL_MS = 1000;

const msSchema = (max: number) => z.number().int().min(0).max(max);

/** A load-balancer host. `name` is what the agent matches against its own configured node name. */
export const NodeSchema = z.strictObject({
  name: NameSchema,
  /** The node's own addresses (management / primary); used for unicast defaults and display. */
  addresses: z.array(IpAddressSchema).max(64).default([]),
  /** Interfaces the spec may use on this node (instance interface, VIP devices, tracked links). */
  interfaces: z.array(InterfaceNameSchema).min(1).max(64),
});
/** A load-balancer host. */
export type Node = z.infer<typeof NodeSchema>;

/** A VRRP state as reported by the agent: the RFC states in keepalived's spelling. */
export const VrrpStateSchema = z.enum(VRRP_STATES);
/** A VRRP state: @keepwatch/vrrp's one definition. */
export type { VrrpState } from '@keepwatch/vrrp';

/** A virtual IP address of an instance (keepalived `virtual_ipaddress` entry). */
export const VipSchema = z.strictObject({
  address: IpAddressSchema,
  /** Prefix length; absent means a host address (/32 or /128), as keepalived does. */
  prefix: z.number().int().min(0).max(128).optional(),
  /** Interface to add it on; absent means the instance's interface. */
  dev: InterfaceNameSchema.optional(),
});
/** A virtual IP address. */
export type Vip = z.infer<typeof VipSchema>;

/** One node's part in an instance: keepalived's per-host settings. */
export const VrrpMemberSchema = z.strictObject({
  node: NameSchema,
  priority: PrioritySchema,
  /** keepalived `state`: where the node starts. keepalived starts MASTER as backup until the down timer. */
  initialState: z.enum(['master', 'backup']),
  /** The interface on this node, when it differs from the instance's `interface`. */
  interface: InterfaceNameSchema.optional(),
  /** keepalived `unicast_src_ip`. */
  unicastSrcIp: IpAddressSchema.optional(),
  /** keepalived `unicast_peer`: when non-empty the node advertises by unicast to these peers only. */
  unicastPeers: z.array(IpAddressSchema).max(64).default([]),
});
/** One node's part in a VRRP instance. */
export type VrrpMember = z.infer<typeof VrrpMemberSchema>;

/** A tracked interface (keepalived `track_interface`). Weight 0: link down puts the instance in Fault. */
export const TrackInterfaceSchema = z.strictObject({
  interface: InterfaceNameSchema,
  weight: WeightSchema.default(0),
});
/** A tracked interface. */
export type TrackInterface = z.infer<typeof TrackInterfaceSchema>;

/** A tracked health check (keepalived `track_script`); `weight` overrides the check's own weight. */
export const TrackCheckSchema = z.strictObject({
  check: NameSchema,
  weight: WeightSchema.optional(),
});
/** A tracked health check. */
export type TrackCheck = z.infer<typeof TrackCheckSchema>;

/** A VRRP instance (keepalived `vrrp_instance`): one virtual router with its VIPs. */
export const VrrpInstanceSchema = z.strictObject({
  name: NameSchema,
  /** Virtual Router Identifier, 1..255 (keepalived `virtual_router_id`). */
  vrid: z.number().int().min(1).max(255),
  /** VRRP version: 2 (RFC 3768, IPv4 only) or 3 (RFC 5798). keepalived's default is 2. */
  version: z.union([z.literal(2), z.literal(3)]).default(2),
  /** Address family of the instance's adverts and VIPs. */
  family: z.union([z.literal(4), z.literal(6)]).default(4),
  /** keepalived `interface`, shared by members unless a member overrides it. */
  interface: InterfaceNameSchema,
  /** keepalived `advert_int` in ms: v2 whole seconds 1..255 s, v3 centiseconds 10 ms..40.95 s. */
  advertIntervalMs: z.number().int().min(10).max(255_000).default(DEF_ADVERT_INTERVAL_MS),
  members: z.array(VrrpMemberSchema).min(1).max(64),
  /** false = keepalived `nopreempt`. RFC 5798 default is preempt. */
  preempt: z.boolean().default(true),
  /** keepalived `preempt_delay` (it reads decimal seconds), up to 1000 s. */
  preemptDelayMs: msSchema(1_000_000).default(0),
  /** VRRPv2 simple-text authentication (keepalived `authentication { auth_type PASS }`). */
  authentication: z.strictObject({ type: z.literal('pass'), password: AuthPassSchema }).optional(),
  vips: z.array(VipSchema).min(1).max(64),
  trackInterfaces: z.array(TrackInterfaceSchema).max(64).default([]),
  trackChecks: z.array(TrackCheckSchema).max(64).default([]),
  /** keepalived `garp_master_delay`: delay of the second gratuitous-ARP burst after becoming master. */
  garpMasterDelayMs: msSchema(3_600_000).default(DEF_GARP_MASTER_DELAY_MS),
  /** keepalived `garp_master_repeat`: gratuitous ARPs per burst. */
  garpMasterRepeat: z.number().int().min(1).max(255).default(DEF_GARP_MASTER_REPEAT),
  /** keepalived `garp_master_refresh`: periodic re-announcement while master; 0 = off. */
  garpMasterRefreshMs: msSchema(86_400_000).default(0),
  /** keepalived `garp_master_refresh_repeat`: gratuitous ARPs per refresh. */
  garpMasterRefreshRepeat: z.number().int().min(1).max(255).default(DEF_GARP_MASTER_REFRESH_REPEAT),
});
/** A VRRP instance. */
export type VrrpInstance = z.infer<typeof VrrpInstanceSchema>;

const checkCommon = {
  name: NameSchema,
  /** keepalived `interval`: time between runs. */
  intervalMs: z.number().int().min(10).max(4_294_000).default(DEF_CHECK_INTERVAL_MS),
  /** keepalived `timeout`: a run taking longer fails (its process group is killed). Absent: the interval. */
  timeoutMs: z.number().int().min(10).max(4_294_000).optional(),
  /**
   * keepalived `weight`, -254..254: on failure a negative weight is added to the priority, on
   * success a positive one; 0 means failure puts the tracking instances in Fault.
   */
  weight: WeightSchema.default(0),
  /** keepalived `fall`: consecutive failures before the check is failed. */
  fall: z.number().int().min(1).max(255).default(1),
  /** keepalived `rise`: consecutive successes before the check is healthy. */
  rise: z.number().int().min(1).max(255).default(1),
  /** keepalived `init_fail`: start in the failed state. */
  initFail: z.boolean().default(false),
  /** keepalived `user USER [GROUP]`: run as this user. Absent: the agent's script user. */
  user: z.strictObject({ user: UnixNameSchema, group: UnixNameSchema.optional() }).optional(),
};

/** The command of a script check: an argv executed directly, or a shell line run by `/bin/sh -c`. */
export const ScriptCommandSchema = z.union([
  z.strictObject({ argv: ArgvSchema }),
  z.strictObject({ shell: ShellLineSchema }),
]);
/** The command of a script check. */
export type ScriptCommand = z.infer<typeof ScriptCommandSchema>;

/** A health check (keepalived `vrrp_script` semantics), discriminated on `kind`. */
export const HealthCheckSchema = z.discriminatedUnion('kind', [
  /** keepalived `vrrp_script`: exit status 0 is healthy. */
  z.strictObject({ kind: z.literal('script'), ...checkCommon, command: ScriptCommandSchema }),
  /** The reference scenario's check: start nginx when it is not running; fail when it cannot be started. */
  z.strictObject({ kind: z.literal('nginx'), ...checkCommon }),
  /** HTTP GET; healthy when the status equals `expectStatus`. */
  z.strictObject({
    kind: z.literal('http'),
    ...checkCommon,
    address: IpAddressSchema,
    port: PortSchema,
    path: LocationPrefixSchema.default('/'),
    /** Host header; absent: the address. */
    host: ServerNameSchema.optional(),
    expectStatus: z.number().int().min(100).max(599).default(200),
  }),
  /** TCP connect; healthy when the connection is established within the timeout. */
  z.strictObject({ kind: z.literal('tcp'), ...checkCommon, address: IpAddressSchema, port: PortSchema }),
  /** Process alive: the pid in `pidFile` names a live (not zombie) process. */
  z.strictObject({ kind: z.literal('process'), ...checkCommon, pidFile: AbsolutePathSchema }),
]);
/** A health check. */
export type HealthCheck = z.infer<typeof HealthCheckSchema>;
/** The kinds of health check. */
export type HealthCheckKind = HealthCheck['kind'];

/** nginx upstream balancing method (`least_conn`, `ip_hash`, `hash KEY [consistent]`, `random`). */
export const BalanceMethodSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('round_robin') }),
  z.strictObject({ type: z.literal('least_conn') }),
  z.strictObject({ type: z.literal('ip_hash') }),
  z.strictObject({
    type: z.literal('hash'),
    /** The key: allowed nginx variables, concatenated. */
    key: z.array(NginxVariableSchema).min(1).max(4),
    /** ketama consistent hashing. */
    consistent: z.boolean().default(false),
  }),
  z.strictObject({ type: z.literal('random') }),
]);
/** An upstream balancing method. */
export type BalanceMethod = z.infer<typeof BalanceMethodSchema>;

/** One backend of a pool (nginx upstream `server`). Absent optionals render nothing (nginx defaults). */
export const UpstreamServerSchema = z.strictObject({
  address: IpAddressSchema,
  port: PortSchema,
  /** nginx default 1. */
  weight: z.number().int().min(1).max(1000).optional(),
  /** nginx default 1; 0 disables failure accounting. */
  maxFails: z.number().int().min(0).max(1000).optional(),
  /** nginx default 10 s. Whole seconds: nginx parses `fail_timeout` in seconds only. */
  failTimeoutMs: z
    .number()
    .int()
    .min(0)
    .max(86_400_000)
    .multipleOf(1000, { message: 'must be whole seconds (a multiple of 1000): nginx refuses ms here' })
    .optional(),
  backup: z.boolean().default(false),
  /** Marked down: no new requests ("drain" renders this; open connections finish on reload). */
  down: z.boolean().default(false),
});
/** One backend of a pool. */
export type UpstreamServer = z.infer<typeof UpstreamServerSchema>;

/** An upstream pool (nginx `upstream`). */
export const UpstreamPoolSchema = z.strictObject({
  name: NameSchema,
  method: BalanceMethodSchema.default({ type: 'round_robin' }),
  /** nginx `keepalive`: idle connections to keep per worker; absent = none. */
  keepalive: z.number().int().min(1).max(10_000).optional(),
  servers: z.array(UpstreamServerSchema).min(1).max(1024),
});
/** An upstream pool. */
export type UpstreamPool = z.infer<typeof UpstreamPoolSchema>;

/** A `listen` socket of a virtual server; absent address means all addresses (`*`). */
export const ListenSchema = z.strictObject({
  address: IpAddressSchema.optional(),
  port: PortSchema,
  defaultServer: z.boolean().default(false),
});
/** A `listen` socket. */
export type Listen = z.infer<typeof ListenSchema>;

/** A header sent to the upstream (`proxy_set_header`). */
export const ProxyHeaderSchema = z.strictObject({ name: HeaderNameSchema, value: HeaderValueSchema });
/** A header sent to the upstream. */
export type ProxyHeader = z.infer<typeof ProxyHeaderSchema>;

/** A prefix location proxying to a pool. */
export const LocationSchema = z.strictObject({
  path: LocationPrefixSchema,
  pool: NameSchema,
  /** `proxy_connect_timeout`; absent = nginx default (60 s). */
  proxyConnectTimeoutMs: z.number().int().min(1).max(3_600_000).optional(),
  /** `proxy_read_timeout`; absent = nginx default (60 s). */
  proxyReadTimeoutMs: z.number().int().min(1).max(86_400_000).optional(),
  /** `proxy_send_timeout`; absent = nginx default (60 s). */
  proxySendTimeoutMs: z.number().int().min(1).max(86_400_000).optional(),
  headers: z.array(ProxyHeaderSchema).max(64).default([]),
});
/** A prefix location. */
export type Location = z.infer<typeof LocationSchema>;

/** A virtual server (nginx `server` block). */
export const VirtualServerSchema = z.strictObject({
  name: NameSchema,
  listen: z.array(ListenSchema).min(1).max(32),
  serverNames: z.array(ServerNameSchema).max(64).default([]),
  locations: z.array(LocationSchema).min(1).max(256),
});
/** A virtual server. */
export type VirtualServer = z.infer<typeof VirtualServerSchema>;

/** The object shape of the cluster spec, before its cross-field rules. */
export const ClusterSpecObjectSchema = z.strictObject({
  name: NameSchema,
  nodes: z.array(NodeSchema).min(1).max(64),
  vrrpInstances: z.array(VrrpInstanceSchema).max(255).default([]),
  checks: z.array(HealthCheckSchema).max(256).default([]),
  pools: z.array(UpstreamPoolSchema).max(1024).default([]),
  virtualServers: z.array(VirtualServerSchema).max(1024).default([]),
});

type Path = (string | number)[];
type Issue = (path: Path, message: string) => void;

function unique<T>(
  items: readonly T[],
  key: (t: T) => string,
  at: (i: number) => Path,
  what: string,
  issue: Issue,
): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const k = key(item);
    const first = seen.get(k);
    if (first === undefined) seen.set(k, i);
    else issue(at(i), `duplicate ${what} "${k}" (also at index ${first})`);
  });
}

function checkInstances(spec: z.infer<typeof ClusterSpecObjectSchema>, issue: Issue): void {
  const nodes = new Map(spec.nodes.map((n) => [n.name, n]));
  const checks = new Set(spec.checks.map((c) => c.name));
  const checkWeights = new Map(spec.checks.map((c) => [c.name, c.weight]));
  // RFC 5798: a VRID names one virtual router on a LAN per address family, so the key is
  // (node, interface, family, vrid) — IPv4 and IPv6 instances may share a VRID, as in keepalived.
  const vridOwners = new Map<string, string>();
  spec.vrrpInstances.forEach((inst, i) => {
    const at = (...rest: Path): Path => ['vrrpInstances', i, ...rest];
    if (inst.version === 2) {
      if (inst.family === 6) issue(at('version'), 'VRRPv2 is IPv4 only (RFC 3768); use version 3 for IPv6');
      if (inst.advertIntervalMs % 1000 !== 0 || inst.advertIntervalMs < 1000) {
        issue(
          at('advertIntervalMs'),
          'VRRPv2 advertises whole seconds: must be a multiple of 1000 from 1000 to 255000',
        );
      }
    } else {
      if (inst.advertIntervalMs % 10 !== 0 || inst.advertIntervalMs > 40_950) {
        issue(at('advertIntervalMs'), 'VRRPv3 advertises centiseconds: must be a multiple of 10 from 10 to 40950');
      }
      if (inst.authentication) issue(at('authentication'), 'authentication is VRRPv2 only (RFC 5798 removed it)');
    }
    // keepalived resets preempt_delay under nopreempt ("incompatible with nopreempt mode").
    if (!inst.preempt && inst.preemptDelayMs > 0)
      issue(at('preemptDelayMs'), 'preemptDelayMs needs preempt: with nopreempt there is nothing to delay');
    unique(
      inst.members,
      (m) => m.node,
      (j) => at('members', j, 'node'),
      'member',
      issue,
    );
    unique(
      inst.vips,
      (v) => v.address,
      (j) => at('vips', j, 'address'),
      'VIP',
      issue,
    );
    unique(
      inst.trackChecks,
      (t) => t.check,
      (j) => at('trackChecks', j, 'check'),
      'tracked check',
      issue,
    );
    unique(
      inst.trackInterfaces,
      (t) => t.interface,
      (j) => at('trackInterfaces', j, 'interface'),
      'tracked interface',
      issue,
    );
    inst.vips.forEach((vip, j) => {
      const fam = addressFamily(vip.address);
      if (fam !== null && fam !== inst.family)
        issue(at('vips', j, 'address'), `IPv${fam} VIP in an IPv${inst.family} instance`);
      if (vip.prefix !== undefined && inst.family === 4 && vip.prefix > 32)
        issue(at('vips', j, 'prefix'), 'IPv4 prefix must be 0..32');
    });
    inst.trackChecks.forEach((t, j) => {
      if (!checks.has(t.check)) issue(at('trackChecks', j, 'check'), `unknown check "${t.check}"`);
    });
    const owners = inst.members.filter((m) => m.priority === 255);
    if (owners.length > 1) {
      issue(
        at('members'),
        `at most one member may own the addresses (priority 255); found ${owners.map((m) => m.node).join(', ')}`,
      );
    }
    inst.members.forEach((m, j) => {
      const mat = (...rest: Path): Path => at('members', j, ...rest);
      const node = nodes.get(m.node);
      if (!node) {
        issue(mat('node'), `unknown node "${m.node}"`);
        return;
      }
      const ifname = m.interface ?? inst.interface;
      if (!node.interfaces.includes(ifname)) {
        issue(
          m.interface === undefined ? at('interface') : mat('interface'),
          `interface "${ifname}" is not among node "${m.node}"'s interfaces`,
        );
      }
      const key = `${m.node}/${ifname}/${inst.family}/${inst.vrid}`;
      const other = vridOwners.get(key);
      if (other !== undefined)
        issue(
          at('vrid'),
          `VRID ${inst.vrid} is already used by instance "${other}" on ${m.node} ${ifname} (IPv${inst.family})`,
        );
      else vridOwners.set(key, inst.name);
      inst.vips.forEach((vip, k) => {
        if (vip.dev !== undefined && !node.interfaces.includes(vip.dev)) {
          issue(at('vips', k, 'dev'), `interface "${vip.dev}" is not among node "${m.node}"'s interfaces`);
        }
      });
      inst.trackInterfaces.forEach((t, k) => {
        // keepalived ignores tracking the instance's own interface: it is always tracked.
        if (t.interface === ifname)
          issue(at('trackInterfaces', k, 'interface'), `the instance's own interface "${ifname}" is always tracked`);
        else if (!node.interfaces.includes(t.interface)) {
          issue(
            at('trackInterfaces', k, 'interface'),
            `interface "${t.interface}" is not among node "${m.node}"'s interfaces`,
          );
        }
      });
      // keepalived ignores weighted tracking on an address owner: its priority stays 255.
      if (m.priority === 255) {
        const weighted = [
          ...inst.trackChecks
            .filter((t) => (t.weight ?? checkWeights.get(t.check) ?? 0) !== 0)
            .map((t) => `check "${t.check}"`),
          ...inst.trackInterfaces.filter((t) => t.weight !== 0).map((t) => `interface "${t.interface}"`),
        ];
        if (weighted.length > 0)
          issue(
            mat('priority'),
            `the address owner (priority 255) cannot track with weights (${weighted.join(', ')}); use weight 0 or a lower priority`,
          );
      }
      // keepalived clears nopreempt and preempt_delay on an instance that starts as MASTER.
      if (m.initialState === 'master' && (!inst.preempt || inst.preemptDelayMs > 0)) {
        issue(
          mat('initialState'),
          'nopreempt and preemptDelayMs need initialState "backup" on every member (keepalived ignores them on MASTER)',
        );
      }
      if (m.unicastSrcIp !== undefined && addressFamily(m.unicastSrcIp) !== inst.family) {
        issue(mat('unicastSrcIp'), `must be an IPv${inst.family} address like the instance`);
      }
      m.unicastPeers.forEach((p, k) => {
        if (addressFamily(p) !== inst.family)
          issue(mat('unicastPeers', k), `must be an IPv${inst.family} address like the instance`);
        else if (p === m.unicastSrcIp) issue(mat('unicastPeers', k), 'a node is not its own unicast peer');
      });
      unique(
        m.unicastPeers,
        (p) => p,
        (k) => mat('unicastPeers', k),
        'unicast peer',
        issue,
      );
    });
  });
}

function checkPoolsAndServers(spec: z.infer<typeof ClusterSpecObjectSchema>, issue: Issue): void {
  const pools = new Set(spec.pools.map((p) => p.name));
  spec.pools.forEach((pool, i) => {
    unique(
      pool.servers,
      (s) => `${s.address}:${s.port}`,
      (j) => ['pools', i, 'servers', j],
      'server',
      issue,
    );
    // nginx: an upstream of backup servers only is "no servers in upstream" ([emerg]).
    if (pool.servers.every((s) => s.backup)) issue(['pools', i, 'servers'], 'at least one server must not be a backup');
    pool.servers.forEach((s, j) => {
      // nginx: hash, ip_hash and random do not support "backup" (nginx -t fails).
      if (s.backup && pool.method.type !== 'round_robin' && pool.method.type !== 'least_conn') {
        issue(
          ['pools', i, 'servers', j, 'backup'],
          `balancing method ${pool.method.type} does not support backup servers`,
        );
      }
    });
  });
  const defaults = new Map<string, string>();
  const names = new Map<string, string>();
  spec.virtualServers.forEach((vs, i) => {
    // nginx warns "conflicting server name" and ignores the second server: refuse it instead.
    // No server_name is nginx's "" name, which conflicts the same way.
    vs.listen.forEach((l, j) => {
      for (const n of vs.serverNames.length === 0 ? [''] : vs.serverNames) {
        const k = `${l.address ?? '*'}:${l.port} ${n.toLowerCase()}`;
        const other = names.get(k);
        if (other !== undefined && other !== vs.name) {
          issue(
            ['virtualServers', i, 'listen', j],
            `server name "${n}" on ${l.address ?? '*'}:${l.port} is already served by virtual server "${other}"`,
          );
        } else names.set(k, vs.name);
      }
    });
    unique(
      vs.listen,
      (l) => `${l.address ?? '*'}:${l.port}`,
      (j) => ['virtualServers', i, 'listen', j],
      'listen',
      issue,
    );
    unique(
      vs.locations,
      (l) => l.path,
      (j) => ['virtualServers', i, 'locations', j, 'path'],
      'location',
      issue,
    );
    unique(
      vs.serverNames,
      (s) => s.toLowerCase(),
      (j) => ['virtualServers', i, 'serverNames', j],
      'server name',
      issue,
    );
    vs.listen.forEach((l, j) => {
      if (!l.defaultServer) return;
      const k = `${l.address ?? '*'}:${l.port}`;
      const other = defaults.get(k);
      // nginx: "a duplicate default server" is an [emerg].
      if (other !== undefined)
        issue(['virtualServers', i, 'listen', j, 'defaultServer'], `${k} already has default server "${other}"`);
      else defaults.set(k, vs.name);
    });
    vs.locations.forEach((loc, j) => {
      if (!pools.has(loc.pool)) issue(['virtualServers', i, 'locations', j, 'pool'], `unknown pool "${loc.pool}"`);
      unique(
        loc.headers,
        (h) => h.name.toLowerCase(),
        (k) => ['virtualServers', i, 'locations', j, 'headers', k, 'name'],
        'header',
        issue,
      );
    });
  });
}

/**
 * The cluster spec with every cross-field rule. Parse with `safeParse`; issue paths name the
 * offending field (`vrrpInstances.0.vips.1.address`). {@link formatZodError} renders them.
 */
export const ClusterSpecSchema = ClusterSpecObjectSchema.superRefine((spec, ctx) => {
  const issue: Issue = (path, message) => ctx.addIssue({ code: 'custom', path, message });
  unique(
    spec.nodes,
    (n) => n.name,
    (i) => ['nodes', i, 'name'],
    'node name',
    issue,
  );
  unique(
    spec.vrrpInstances,
    (n) => n.name,
    (i) => ['vrrpInstances', i, 'name'],
    'instance name',
    issue,
  );
  unique(
    spec.checks,
    (n) => n.name,
    (i) => ['checks', i, 'name'],
    'check name',
    issue,
  );
  unique(
    spec.pools,
    (n) => n.name,
    (i) => ['pools', i, 'name'],
    'pool name',
    issue,
  );
  unique(
    spec.virtualServers,
    (n) => n.name,
    (i) => ['virtualServers', i, 'name'],
    'virtual server name',
    issue,
  );
  spec.nodes.forEach((n, i) =>
    unique(
      n.interfaces,
      (s) => s,
      (j) => ['nodes', i, 'interfaces', j],
      'interface',
      issue,
    ),
  );
  checkInstances(spec, issue);
  checkPoolsAndServers(spec, issue);
});
/** The cluster spec, as parsed (defaults applied). */
export type ClusterSpec = z.infer<typeof ClusterSpecSchema>;
/** The cluster spec as written (defaults may be omitted). */
export type ClusterSpecInput = z.input<typeof ClusterSpecSchema>;
