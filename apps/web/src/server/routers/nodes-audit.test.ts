import { describe, expect, it } from 'vitest';
import { apiWithClusterForSuite, trpcError, type Api } from '../testing/api';

/** The Nodes page's list and one-step enrollment, and the audit log's server-side filters. */
describe('nodes.all and nodes.enroll', () => {
  let api: Api;
  let clusterId: string;
  apiWithClusterForSuite((s) => {
    ({ api, clusterId } = s);
  });

  it('adds the node and issues its one-time token in one step, both audited', async () => {
    const r = await api.admin.nodes.enroll({
      clusterId,
      node: { name: 'lb9', addresses: ['192.0.2.99'], interfaces: ['eth0'] },
    });
    expect(r.token).toMatch(/^kwe_[A-Za-z0-9_-]{32}$/);
    const row = (await api.viewer.nodes.all()).find((n) => n.name === 'lb9');
    expect(row).toMatchObject({
      clusterId,
      enrolled: false,
      online: false,
      lastSeenAt: null,
      staleAt: null,
      addresses: ['192.0.2.99'],
    });
    expect(row?.enrollTokenExpires?.getTime()).toBe(r.expiresAt.getTime());
    const actions = (await api.viewer.audit.list({ limit: 5 })).records.map((x) => x.action);
    expect(actions.slice(0, 2)).toEqual(['node.enroll-token', 'node.create']);
  });

  it('adds nothing when the node is refused, naming the field', async () => {
    const before = await api.db.prisma.node.count();
    const e = await trpcError(
      api.admin.nodes.enroll({ clusterId, node: { name: 'lb8', addresses: ['192.0.2.300'], interfaces: ['eth0'] } }),
    );
    expect([e.code, e.message.split(':')[0]]).toEqual(['BAD_REQUEST', 'node.addresses.0']);
    const dup = await trpcError(api.admin.nodes.enroll({ clusterId, node: { name: 'lb9', interfaces: ['eth0'] } }));
    expect([dup.code, dup.message.split(':')[0]]).toEqual(['CONFLICT', 'node.name']);
    expect(await api.db.prisma.node.count()).toBe(before);
  });

  it('is online only while the last frame is within three heartbeats, and stale after', async () => {
    const now = Date.now();
    const set = (name: string, lastSeenAt: Date | null, liveState: object | null = null) =>
      api.db.prisma.node.updateMany({
        where: { clusterId, name },
        data: { lastSeenAt, agentVersion: '0.1.0', agentAddress: '192.0.2.99', ...(liveState ? { liveState } : {}) },
      });
    await set('lb9', new Date(now - 2_000), { appliedRevision: 1 });
    let row = (await api.viewer.nodes.all()).find((n) => n.name === 'lb9');
    expect(row).toMatchObject({ online: true, agentVersion: '0.1.0', agentAddress: '192.0.2.99', appliedRevision: 1 });
    expect(row?.staleAt?.getTime()).toBe(now - 2_000 + 15_000);
    await set('lb9', new Date(now - 16_000));
    row = (await api.viewer.nodes.all()).find((n) => n.name === 'lb9');
    expect(row?.online).toBe(false);
    expect(row?.clusterRevision).toBeGreaterThan(1);
  });
});

describe('audit.list filters', () => {
  let api: Api;
  let edge: string;
  let other: string;
  apiWithClusterForSuite(async (s) => {
    ({ api, clusterId: edge } = s);
    other = (await api.admin.clusters.create({ name: 'other' })).id;
    const n = await api.admin.nodes.enroll({ clusterId: edge, node: { name: 'lb9', interfaces: ['eth0'] } });
    await api.admin.nodes.delete({ id: n.id, version: n.version });
    await api.admin.nodes.create({ clusterId: other, node: { name: 'x1', interfaces: ['eth0'] } });
    await api.admin.users.create({ username: 'otto', password: 'a long enough password', role: 'viewer' });
  });

  const actions = async (f: Parameters<Api['viewer']['audit']['list']>[0]) =>
    (await api.viewer.audit.list(f)).records.map((r) => r.action).sort();

  it('filters by action prefix and exact actor', async () => {
    expect(await actions({ limit: 100, action: 'user.' })).toEqual(['user.create']);
    expect(await actions({ limit: 100, action: 'node.create' })).toEqual(['node.create', 'node.create']);
    expect(await actions({ limit: 100, actor: 'nobody' })).toEqual([]);
    expect((await api.viewer.audit.list({ limit: 100, actor: 'admin1' })).records.length).toBe(
      (await api.viewer.audit.list({ limit: 100 })).records.length,
    );
  });

  it("filters by cluster, including an object created there and deleted since, and not another cluster's", async () => {
    expect(await actions({ limit: 100, clusterId: edge })).toEqual([
      'cluster.import',
      'node.create',
      'node.delete',
      'node.enroll-token',
    ]);
    expect(await actions({ limit: 100, clusterId: other })).toEqual(['cluster.create', 'node.create']);
  });

  it('filters by time range and refuses a range that ends before it starts', async () => {
    const all = (await api.viewer.audit.list({ limit: 100 })).records;
    const mid = all[2]!.at;
    expect((await api.viewer.audit.list({ limit: 100, from: mid })).records.map((r) => r.seq)).toEqual(
      all.filter((r) => r.at >= mid).map((r) => r.seq),
    );
    expect((await api.viewer.audit.list({ limit: 100, to: mid })).records.map((r) => r.seq)).toEqual(
      all.filter((r) => r.at < mid).map((r) => r.seq),
    );
    const e = await trpcError(api.viewer.audit.list({ limit: 10, from: mid, to: mid }));
    expect([e.code, e.message.split(':')[0]]).toEqual(['BAD_REQUEST', 'to']);
  });

  it('lists the actors and actions present for the filter pickers', async () => {
    const f = await api.viewer.audit.facets();
    expect(f.actors).toEqual(['admin1']);
    expect(f.actions).toEqual(expect.arrayContaining(['cluster.import', 'node.delete', 'user.create']));
  });
});

describe('audit.list and audit.facets: failed sign-ins', () => {
  let api: Api;
  apiWithClusterForSuite((s) => {
    ({ api } = s);
  });

  it('shows failed sign-ins, and the name typed, to admins only (a password typed as the user name stays hidden)', async () => {
    const typed = 'Tr0ub4dor&3-typed-as-user';
    await trpcError(api.anonymous.session.login({ username: typed, password: 'wrong password!' }));
    const seenBy = async (caller: Api['viewer']) => {
      const records = (await caller.audit.list({ limit: 50 })).records;
      const facets = await caller.audit.facets();
      return JSON.stringify({ records, facets }).includes(typed);
    };
    expect(await seenBy(api.admin)).toBe(true);
    expect(await seenBy(api.operator)).toBe(false);
    expect(await seenBy(api.viewer)).toBe(false);
    expect((await api.viewer.audit.list({ action: 'auth.login.failed' })).records).toEqual([]);
  });
});
