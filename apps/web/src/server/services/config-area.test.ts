import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ClusterSpecSchema } from '@keepwatch/shared';
import { apiWithClusterForSuite, trpcError, type Api } from '../testing/api';
import { canonicalJson } from './canonical-json';
import { loadClusterSpec } from './revisions';

/**
 * An edit that keeps the object's name (and every delete) builds its revision from the spec read
 * under the lock before the change, with the object put in or taken out, instead of reading the
 * cluster again: the revision must be exactly what the tables hold afterwards.
 */
describe('config area edits', () => {
  let api: Api;
  let clusterId: string;
  apiWithClusterForSuite((s) => {
    ({ api, clusterId } = s);
  });

  /** The newest revision and the spec (and its hash) read back from the tables now. */
  async function newestAndTables() {
    const { revision } = await api.viewer.clusters.get({ id: clusterId });
    const stored = await api.admin.clusters.revision({ clusterId, number: revision });
    const tables = ClusterSpecSchema.parse(await loadClusterSpec(api.db.prisma, clusterId));
    const tablesHash = createHash('sha256').update(canonicalJson(tables)).digest('hex');
    return { stored, tables, tablesHash };
  }

  async function expectRevisionIsTables() {
    const { stored, tables, tablesHash } = await newestAndTables();
    expect(stored.spec).toEqual(tables);
    expect(stored.specHash).toBe(tablesHash);
    return stored;
  }

  it('a pool edit that keeps the name stores the revision the tables read back', async () => {
    const [p] = await api.viewer.pools.list({ clusterId });
    await api.admin.pools.update({
      id: p!.id,
      version: p!.version,
      pool: {
        ...p!.pool,
        method: { type: 'hash', key: ['$remote_addr'], consistent: true },
        keepalive: 8,
        servers: [...p!.pool.servers, { address: '192.0.2.160', port: 8080, weight: 2, maxFails: 0, down: true }],
      },
    });
    const stored = await expectRevisionIsTables();
    expect(stored.spec.pools[0]?.servers.at(-1)).toMatchObject({ address: '192.0.2.160', weight: 2, down: true });
  });

  it('a check edit that keeps the name stores the revision the tables read back', async () => {
    const [c] = await api.viewer.checks.list({ clusterId });
    await api.admin.checks.update({ id: c!.id, version: c!.version, check: { ...c!.check, intervalMs: 3000 } });
    const stored = await expectRevisionIsTables();
    expect(stored.spec.checks[0]).toMatchObject({ name: c!.check.name, intervalMs: 3000 });
  });

  it('a virtual server edit that keeps the name stores the revision the tables read back', async () => {
    const [v] = await api.viewer.virtualServers.list({ clusterId });
    const location = { ...v!.virtualServer.locations[0]!, proxyReadTimeoutMs: 5000 };
    await api.admin.virtualServers.update({
      id: v!.id,
      version: v!.version,
      virtualServer: {
        ...v!.virtualServer,
        serverNames: ['www.example.org'],
        locations: [location, { ...location, path: '/api/', headers: [{ name: 'X-Via', value: 'kw' }] }],
      },
    });
    const stored = await expectRevisionIsTables();
    expect(stored.spec.virtualServers[0]?.locations.map((l) => l.path)).toEqual(['/', '/api/']);
  });

  it('a VRRP instance edit stores the revision the tables read back, its password included', async () => {
    const [i] = await api.admin.instances.list({ clusterId });
    await api.admin.instances.update({ id: i!.id, version: i!.version, instance: { ...i!.instance, vrid: 77 } });
    const stored = await expectRevisionIsTables();
    expect(stored.spec.vrrpInstances[0]).toMatchObject({ vrid: 77, authentication: i!.instance.authentication });
  });

  it('renaming a pool renames it in the locations that use it, in the same revision', async () => {
    const [p] = await api.viewer.pools.list({ clusterId });
    await api.admin.pools.update({ id: p!.id, version: p!.version, pool: { ...p!.pool, name: 'webs2' } });
    const stored = await expectRevisionIsTables();
    expect(stored.spec.virtualServers[0]?.locations[0]?.pool).toBe('webs2');
  });

  it('deleting a node stores a revision without it and no deployment for it', async () => {
    const created = await api.admin.nodes.create({
      clusterId,
      node: { name: 'LVS_3', addresses: ['192.0.2.13'], interfaces: ['eth0'] },
    });
    await api.admin.nodes.delete({ id: created.id, version: created.version });
    const stored = await expectRevisionIsTables();
    expect(stored.spec.nodes.map((n) => n.name)).toEqual(['LVS_1', 'LVS_2']);
    expect(stored.deployments.map((d) => d.node).sort()).toEqual(['LVS_1', 'LVS_2']);
  });

  it('deleting a check stores the revision the tables read back', async () => {
    const { id } = await api.admin.checks.create({
      clusterId,
      check: { kind: 'tcp', name: 'tcp_extra', address: '192.0.2.152', port: 80 },
    });
    await api.admin.checks.delete({ id, version: 1 });
    const stored = await expectRevisionIsTables();
    expect(stored.spec.checks.map((c) => c.name)).not.toContain('tcp_extra');
  });

  it('an edit of an object deleted meanwhile gets NOT_FOUND', async () => {
    const { id } = await api.admin.checks.create({
      clusterId,
      check: { kind: 'tcp', name: 'tcp_gone', address: '192.0.2.152', port: 80 },
    });
    await api.admin.checks.delete({ id, version: 1 });
    const e = await trpcError(
      api.admin.checks.update({
        id,
        version: 1,
        check: { kind: 'tcp', name: 'tcp_gone', address: '192.0.2.152', port: 81 },
      }),
    );
    expect(e.code).toBe('NOT_FOUND');
  });
});
