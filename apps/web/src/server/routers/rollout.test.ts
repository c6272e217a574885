import { describe, expect, it } from 'vitest';
import { referenceSpec } from '../../../test/fixtures';
import { apiWithClusterForSuite, trpcError, type Api } from '../testing/api';

/** Sets the check's interval through the API, as the page does: one new revision. */
async function setInterval(api: Api, clusterId: string, intervalMs: number): Promise<number> {
  const [check] = await api.viewer.checks.list({ clusterId });
  const r = await api.admin.checks.update({
    id: check!.id,
    version: check!.version,
    check: { ...check!.check, intervalMs },
  });
  return r.revision!;
}

const newest = async (api: Api, clusterId: string) => (await api.viewer.clusters.get({ id: clusterId })).revision;

describe('rollout.revert', () => {
  let api: Api;
  let clusterId: string;
  apiWithClusterForSuite((s) => {
    ({ api, clusterId } = s);
  });

  it('shows the diff from the cluster now to the revision first, and stores nothing', async () => {
    const edited = await setInterval(api, clusterId, 2000);
    const p = await api.admin.rollout.revertPreview({ clusterId, number: 1 });
    expect(p).toMatchObject({ from: edited, to: 1, added: 1, removed: 1 });
    expect(p.changes).toEqual([{ area: 'checks', put: ['check_nginx'], remove: [] }]);
    expect(p.patch).toMatch(/^- +"intervalMs": 2000,$/m);
    expect(p.patch).toMatch(/^\+ +"intervalMs": 1000,$/m);
    expect(await newest(api, clusterId)).toBe(edited);
  });

  it('creates a new revision with the old content, rolled out as any edit, and audits from/to', async () => {
    const from = await newest(api, clusterId);
    const r = await api.admin.rollout.revert({ clusterId, number: 1, basedOn: from });
    expect(r).toEqual({ revision: from + 1, revertedTo: 1, from });
    const [old, now] = await Promise.all([
      api.viewer.clusters.revision({ clusterId, number: 1 }),
      api.viewer.clusters.revision({ clusterId, number: r.revision }),
    ]);
    expect(now.specHash).toBe(old.specHash);
    expect(now.summary).toBe('reverted to revision 1');
    expect(now.deployments.map((d) => d.status)).toEqual(['pending', 'pending']);
    const audit = await api.db.prisma.auditLog.findFirst({
      where: { action: 'revision.revert' },
      orderBy: { seq: 'desc' },
    });
    expect(audit).toMatchObject({
      targetId: clusterId,
      actor: 'admin1',
      before: { revision: from },
      after: { revision: r.revision, revertedTo: 1, specHash: old.specHash },
    });
  });

  it('refuses a revision with the same content as the cluster now, naming the number', async () => {
    const e = await trpcError(api.admin.rollout.revertPreview({ clusterId, number: 1 }));
    expect(e.code).toBe('BAD_REQUEST');
    expect(e.message).toMatch(/^number: revision 1 has the same content as the cluster now .*nothing to revert/);
  });

  it('refuses an unknown revision number, naming the field', async () => {
    const e = await trpcError(api.admin.rollout.revert({ clusterId, number: 99, basedOn: 1 }));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toMatch(/^number: this cluster has no revision 99 \(its revisions are 1 to \d+\)/);
  });

  it("refuses a revision number that exists only in another cluster (numbers are the cluster's own)", async () => {
    const other = (await api.admin.clusters.import({ spec: referenceSpec('other') })).id;
    for (const ms of [1100, 1200, 1300, 1400, 1500, 1600]) await setInterval(api, other, ms);
    const mine = await newest(api, clusterId);
    const e = await trpcError(api.admin.rollout.revertPreview({ clusterId, number: mine + 2 }));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toMatch(/^number: this cluster has no revision/);
  });

  it('refuses a revert of a cluster that has no revision yet', async () => {
    const empty = (await api.admin.clusters.create({ name: 'empty' })).id;
    const e = await trpcError(api.admin.rollout.revertPreview({ clusterId: empty, number: 1 }));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toBe('number: this cluster has no revisions yet');
  });

  it('refuses with CONFLICT when the cluster changed since the diff was shown', async () => {
    const shown = await setInterval(api, clusterId, 3000);
    await setInterval(api, clusterId, 4000);
    const e = await trpcError(api.admin.rollout.revert({ clusterId, number: 1, basedOn: shown }));
    expect(e.code).toBe('CONFLICT');
    expect(e.message).toMatch(/^basedOn: the cluster changed since the diff was shown/);
  });

  it('refuses a revision whose nodes differ from the cluster now, naming the node', async () => {
    await api.admin.nodes.create({
      clusterId,
      node: { name: 'LVS_3', addresses: ['192.0.2.13'], interfaces: ['eth0'] },
    });
    const e = await trpcError(api.admin.rollout.revertPreview({ clusterId, number: 1 }));
    expect(e.code).toBe('BAD_REQUEST');
    expect(e.message).toMatch(/^number: revision 1 cannot be restored: node "LVS_3" joined after it/);
  });

  it('is refused for an operator', async () => {
    const e = await trpcError(api.operator.rollout.revert({ clusterId, number: 1, basedOn: 1 }));
    expect(e.code).toBe('FORBIDDEN');
  });
});

describe('rollout.abort', () => {
  let api: Api;
  let clusterId: string;
  let nodeIds: Record<string, string>;
  apiWithClusterForSuite((s) => {
    ({ api, clusterId, nodeIds } = s);
  });

  /** Marks the node's deployment of revision `number` applied, as the hub does on its apply-result. */
  const applied = (node: string, number: number) =>
    api.db.prisma.deployment.updateMany({
      where: { nodeId: nodeIds[node]!, revision: { clusterId, number } },
      data: { status: 'applied', finishedAt: new Date() },
    });

  it('stops the newest revision where it got to, durably, and the status says which node runs what', async () => {
    await applied('LVS_1', 1);
    await applied('LVS_2', 1);
    const rev = await setInterval(api, clusterId, 2000);
    await applied('LVS_2', rev);
    const r = await api.admin.rollout.abort({ clusterId, number: rev });
    expect(r).toEqual({ revision: rev, applied: ['LVS_2'], keptBack: ['LVS_1'] });
    expect(await api.db.prisma.rolloutAbort.count({ where: { clusterId } })).toBe(1);
    const s = await api.viewer.rollout.status({ clusterId });
    expect(s).toMatchObject({ revision: rev, aborted: { by: 'admin1' } });
    expect(s.nodes.map((n) => [n.node, n.runs, n.newest])).toEqual([
      ['LVS_1', 1, 'pending'],
      ['LVS_2', rev, 'applied'],
    ]);
  });

  it('is audited with the revision and where it got to', async () => {
    const audit = await api.db.prisma.auditLog.findFirst({
      where: { action: 'rollout.abort' },
      orderBy: { seq: 'desc' },
    });
    const rev = await newest(api, clusterId);
    expect(audit).toMatchObject({
      targetId: clusterId,
      actor: 'admin1',
      after: { revision: rev, applied: ['LVS_2'], keptBack: ['LVS_1'] },
    });
  });

  it('refuses to abort a rollout twice', async () => {
    const e = await trpcError(api.admin.rollout.abort({ clusterId, number: await newest(api, clusterId) }));
    expect(e.message).toMatch(/^number: the rollout of revision \d+ is already aborted/);
  });

  it('a later edit starts a new rollout that is not aborted', async () => {
    const rev = await setInterval(api, clusterId, 3000);
    const s = await api.viewer.rollout.status({ clusterId });
    expect(s).toMatchObject({ revision: rev, aborted: null });
  });

  it('refuses a revision that is not the newest', async () => {
    const e = await trpcError(api.admin.rollout.abort({ clusterId, number: 1 }));
    expect(e.code).toBe('BAD_REQUEST');
    expect(e.message).toMatch(/^number: only the newest revision's rollout can be aborted/);
  });

  it('refuses a revision applied on every node', async () => {
    const rev = await newest(api, clusterId);
    await applied('LVS_1', rev);
    await applied('LVS_2', rev);
    const e = await trpcError(api.admin.rollout.abort({ clusterId, number: rev }));
    expect(e.message).toMatch(/^number: revision \d+ is applied on every node: there is no rollout to abort/);
  });
});
