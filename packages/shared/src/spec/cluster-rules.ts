// The cluster spec's cross-object rules, checked by the one `superRefine` in cluster.ts
// (STYLE §D21): node, instance, check, pool and server references, VRIDs, families, addresses.
import type { z } from 'zod';
import { addressFamily } from './grammar.js';
import type { ClusterSpecObjectSchema } from './cluster.js';

export type Path = (string | number)[];
export type Issue = (path: Path, message: string) => void;

export function unique<T>(
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

/** `unique` by one string field of each item, the issue at `<path>.<index>.<field>`. */
export function uniqueField<K extends string, T extends Record<K, string>>(
  items: readonly T[],
  path: Path,
  field: K,
  what: string,
  issue: Issue,
): void {
  unique(
    items,
    (t) => t[field],
    (i) => [...path, i, field],
    what,
    issue,
  );
}

export function checkInstances(spec: z.infer<typeof ClusterSpecObjectSchema>, issue: Issue): void {
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
    if (inst.authentication && inst.authHmac) {
      issue(at('authHmac'), 'authHmac and authentication exclude each other (keepalived drops the legacy one)');
    }
    // keepalived resets preempt_delay under nopreempt ("incompatible with nopreempt mode").
    if (!inst.preempt && inst.preemptDelayMs > 0)
      issue(at('preemptDelayMs'), 'preemptDelayMs needs preempt: with nopreempt there is nothing to delay');
    uniqueField(inst.members, at('members'), 'node', 'member', issue);
    uniqueField(inst.vips, at('vips'), 'address', 'VIP', issue);
    uniqueField(inst.trackChecks, at('trackChecks'), 'check', 'tracked check', issue);
    uniqueField(inst.trackInterfaces, at('trackInterfaces'), 'interface', 'tracked interface', issue);
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

export function checkPoolsAndServers(spec: z.infer<typeof ClusterSpecObjectSchema>, issue: Issue): void {
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
    uniqueField(vs.locations, ['virtualServers', i, 'locations'], 'path', 'location', issue);
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
