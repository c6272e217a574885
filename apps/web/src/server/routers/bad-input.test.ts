import { describe, expect, it } from 'vitest';
import { apiWithClusterForSuite, trpcError, type Api } from '../testing/api';

interface Case {
  name: string;
  call: (api: Api, ids: Ids) => Promise<unknown>;
  /** The start of the error message: the field path, then the grammar's complaint. */
  field: string;
}

type Ids = { clusterId: string; poolId: string; poolVersion: number };
type PoolInput = Parameters<Api['admin']['pools']['create']>[0]['pool'];
type VirtualServerInput = Parameters<Api['admin']['virtualServers']['create']>[0]['virtualServer'];
type InstanceInput = Parameters<Api['admin']['instances']['create']>[0]['instance'];

const server = { address: '192.0.2.10', port: 80 };

/** Creates pool p2 (one server, 192.0.2.10:80) with `o` in place of what the case makes bad. */
const createPool = (a: Api, i: Ids, o: Partial<PoolInput>) =>
  a.admin.pools.create({ clusterId: i.clusterId, pool: { name: 'p2', servers: [server], ...o } });

/** Pool webs (the cluster's, one server, 192.0.2.10:80) with `o` in place of what the case makes bad. */
const webs = (o: Partial<PoolInput>): PoolInput => ({ name: 'webs', servers: [server], ...o });
/** Updates pool webs to `webs(o)`. */
const updateWebs = (a: Api, i: Ids, o: Partial<PoolInput>) =>
  a.admin.pools.update({ id: i.poolId, version: i.poolVersion, pool: webs(o) });
/** Previews pool webs as `webs(o)`. */
const previewWebs = (a: Api, i: Ids, o: Partial<PoolInput>) =>
  a.admin.pools.preview({ clusterId: i.clusterId, id: i.poolId, pool: webs(o) });

/** Creates virtual server vs2 (port 81, / to the pool webs) with `o` in place of what the case makes bad. */
const createVirtualServer = (a: Api, i: Ids, o: Partial<VirtualServerInput>) =>
  a.admin.virtualServers.create({
    clusterId: i.clusterId,
    virtualServer: { name: 'vs2', listen: [{ port: 81 }], locations: [{ path: '/', pool: 'webs' }], ...o },
  });

/** Creates instance VI_2 (VRID 52 on eth0, LVS_1 master) with `o` in place of what the case makes bad. */
const createInstance = (a: Api, i: Ids, o: Partial<InstanceInput>) =>
  a.admin.instances.create({
    clusterId: i.clusterId,
    instance: {
      name: 'VI_2',
      vrid: 52,
      interface: 'eth0',
      members: [{ node: 'LVS_1', priority: 100, initialState: 'master' }],
      vips: [{ address: '192.0.2.181' }],
      ...o,
    },
  });

// Strings meant to smuggle nginx directives (or shell) into a rendered config: each must be
// refused by the strict grammars before anything is stored.
const CASES: Case[] = [
  {
    name: 'pool name with a directive',
    field: 'pool.name:',
    call: (a, i) => createPool(a, i, { name: 'x; include /etc/passwd' }),
  },
  {
    name: 'pool name closing the block',
    field: 'pool.name:',
    call: (a, i) => createPool(a, i, { name: 'x}server{' }),
  },
  {
    name: 'server address with a directive',
    field: 'pool.servers.0.address:',
    call: (a, i) => createPool(a, i, { servers: [{ address: '192.0.2.1:80; proxy_pass http://evil', port: 80 }] }),
  },
  {
    name: 'port out of range',
    field: 'pool.servers.0.port:',
    call: (a, i) => createPool(a, i, { servers: [{ address: '192.0.2.1', port: 70000 }] }),
  },
  {
    name: 'an unknown field (strict objects)',
    field: 'pool.servers.0:',
    call: (a, i) => createPool(a, i, { servers: [{ ...server, extra: 'proxy_pass http://evil;' } as never] }),
  },
  {
    name: 'hash key that is not an allowed variable',
    field: 'pool.method.key.0:',
    call: (a, i) => updateWebs(a, i, { method: { type: 'hash', key: ['$host; return 200' as never] } }),
  },
  {
    name: 'header value with quote and semicolon',
    field: 'virtualServer.locations.0.headers.0.value:',
    call: (a, i) =>
      createVirtualServer(a, i, {
        locations: [{ path: '/', pool: 'webs', headers: [{ name: 'X-A', value: 'a"; proxy_pass http://evil; #' }] }],
      }),
  },
  {
    name: 'header value with a newline',
    field: 'virtualServer.locations.0.headers.0.value:',
    call: (a, i) =>
      createVirtualServer(a, i, {
        locations: [{ path: '/', pool: 'webs', headers: [{ name: 'X-A', value: 'a\nreturn 200;' }] }],
      }),
  },
  {
    name: 'server_name with a brace',
    field: 'virtualServer.serverNames.0:',
    call: (a, i) => createVirtualServer(a, i, { serverNames: ['a.example} server {'] }),
  },
  {
    name: 'location path with a space and $',
    field: 'virtualServer.locations.0.path:',
    call: (a, i) => createVirtualServer(a, i, { locations: [{ path: '/ { return 200 $host', pool: 'webs' }] }),
  },
  {
    name: 'script argv with shell syntax',
    field: 'check.command.argv.1:',
    call: (a, i) =>
      a.admin.checks.create({
        clusterId: i.clusterId,
        check: { kind: 'script', name: 'c2', command: { argv: ['/bin/true', '$(reboot)'] } },
      }),
  },
  {
    name: 'node interface name too long',
    field: 'node.interfaces.0:',
    call: (a, i) =>
      a.admin.nodes.create({
        clusterId: i.clusterId,
        node: { name: 'LVS_3', interfaces: ['eth0-much-too-long-name'] },
      }),
  },
  {
    name: 'VIP that is not an address',
    field: 'instance.vips.0.address:',
    call: (a, i) => createInstance(a, i, { vips: [{ address: '192.0.2.300' }] }),
  },
  {
    name: 'VRRP password with a quote',
    field: 'instance.authentication.password:',
    call: (a, i) => createInstance(a, i, { authentication: { type: 'pass', password: 'a"b' } }),
  },
  { name: 'cluster name with a slash', field: 'name:', call: (a) => a.admin.clusters.create({ name: '../etc' }) },
  {
    name: 'id that is not a UUID',
    field: 'clusterId:',
    call: (a) => a.viewer.pools.list({ clusterId: "1' OR '1'='1" }),
  },
  {
    name: 'version that is not a positive integer',
    field: 'version:',
    call: (a, i) => a.admin.pools.delete({ id: i.poolId, version: 0 }),
  },
  {
    name: 'a pool preview with a directive in a server address',
    field: 'pool.servers.0.address:',
    call: (a, i) => previewWebs(a, i, { servers: [{ address: '192.0.2.1; include /etc/passwd', port: 80 }] }),
  },
  {
    name: 'a timeline window that is not a date',
    field: 'since:',
    call: (a, i) => a.viewer.clusters.timeline({ clusterId: i.clusterId, since: 'yesterday' as never }),
  },
  {
    name: 'a weak password for a new user',
    field: 'password:',
    call: (a) => a.admin.users.create({ username: 'newbie', password: 'short', role: 'viewer' }),
  },
  {
    name: 'a role that does not exist',
    field: 'role:',
    call: (a) => a.admin.users.create({ username: 'newbie', password: 'long enough password', role: 'root' as never }),
  },
  {
    name: 'an enrolled node with an interface name holding a space',
    field: 'node.interfaces.0:',
    call: (a, i) => a.admin.nodes.enroll({ clusterId: i.clusterId, node: { name: 'LVS_3', interfaces: ['eth0 up'] } }),
  },
  {
    name: 'an audit action filter with a quote',
    field: 'action:',
    call: (a) => a.viewer.audit.list({ action: "pool' OR 1=1" }),
  },
  {
    name: 'an audit time range that ends before it starts',
    field: 'to:',
    call: (a) => a.viewer.audit.list({ from: new Date(2026, 1, 2), to: new Date(2026, 1, 1) }),
  },
];

describe('bad input', () => {
  let api: Api;
  let ids: Ids;
  apiWithClusterForSuite(async (s) => {
    api = s.api;
    const pool = (await api.viewer.pools.list({ clusterId: s.clusterId }))[0]!;
    ids = { clusterId: s.clusterId, poolId: pool.id, poolVersion: pool.version };
  });

  it.each(CASES)('$name is refused naming $field and changes nothing', async ({ call, field }) => {
    const before = {
      audit: await api.db.prisma.auditLog.count(),
      revisions: await api.db.prisma.configRevision.count(),
    };
    const e = await trpcError(call(api, ids));
    expect(e.code).toBe('BAD_REQUEST');
    expect(e.message.startsWith(field), `message "${e.message}" should start with "${field}"`).toBe(true);
    expect({
      audit: await api.db.prisma.auditLog.count(),
      revisions: await api.db.prisma.configRevision.count(),
    }).toEqual(before);
  });

  it('puts the field and every issue in the error data for forms', async () => {
    const e = await trpcError(
      api.admin.pools.create({
        clusterId: ids.clusterId,
        pool: { name: 'bad name', servers: [{ address: 'nope', port: 0 }] },
      }),
    );
    const lines = e.message.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^pool\.name: /),
        expect.stringMatching(/^pool\.servers\.0\.address: /),
        expect.stringMatching(/^pool\.servers\.0\.port: /),
      ]),
    );
  });
});
