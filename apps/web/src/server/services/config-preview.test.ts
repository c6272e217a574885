import { describe, expect, it } from 'vitest';
import { apiWithClusterForSuite, trpcError, type Api } from '../testing/api';
import { recordApplyResult } from './agent-events';

/** The nginx previews of creating and deleting virtual servers and pools (the cluster page's New and Delete). */
describe('nginx previews of creates and deletes', () => {
  let api: Api;
  let clusterId: string;
  apiWithClusterForSuite(async (s) => {
    ({ api, clusterId } = s);
    // Both nodes run revision 1: the previews diff against its rendered config.
    await api.db.prisma.$transaction(async (tx) => {
      for (const id of Object.values(s.nodeIds))
        await recordApplyResult(
          tx,
          { id, clusterId },
          { v: 1, type: 'apply-result', seq: 100, at: Date.now(), revision: 1, outcome: 'applied' },
        );
    });
  });

  const siteDraft = (pool = 'webs') => ({
    name: 'api-site',
    listen: [{ port: 8080, defaultServer: false }],
    serverNames: ['api.example.net'],
    locations: [{ path: '/api', pool, headers: [] }],
  });

  it("a new virtual server's preview adds its server block, and stores nothing", async () => {
    const revisions = await api.db.prisma.configRevision.count();
    const { diffs } = await api.admin.virtualServers.preview({ clusterId, virtualServer: siteDraft() });
    expect(diffs).toHaveLength(1);
    expect(diffs[0]).toMatchObject({ runningRevision: 1, removed: 0 });
    expect(diffs[0]!.patch).toMatch(/^\+\s*listen 8080;$/m);
    expect(diffs[0]!.patch).toMatch(/^\+\s*server_name api\.example\.net;$/m);
    expect(await api.db.prisma.configRevision.count()).toBe(revisions);
  });

  it('a virtual server draft naming an unknown pool is refused naming its field', async () => {
    const e = await trpcError(api.admin.virtualServers.preview({ clusterId, virtualServer: siteDraft('nope') }));
    expect(e.code).toBe('BAD_REQUEST');
    expect(e.message).toMatch(/^virtualServer\.locations\.0\.pool: /);
  });

  it('deleting a virtual server previews the removal of its server block', async () => {
    const [site] = await api.viewer.virtualServers.list({ clusterId });
    const { diffs } = await api.admin.virtualServers.previewDelete({ clusterId, id: site!.id });
    expect(diffs[0]).toMatchObject({ runningRevision: 1, added: 0 });
    expect(diffs[0]!.patch).toMatch(/^-\s*listen 80;$/m);
  });

  it('deleting a pool a virtual server uses is refused naming the location that uses it', async () => {
    const [webs] = await api.viewer.pools.list({ clusterId });
    const e = await trpcError(api.admin.pools.previewDelete({ clusterId, id: webs!.id }));
    expect(e.code).toBe('BAD_REQUEST');
    expect(e.message).toMatch(/^spec\.virtualServers\.0\.locations\.0\.pool: /);
  });

  it('a viewer may not preview a delete', async () => {
    const [webs] = await api.viewer.pools.list({ clusterId });
    expect((await trpcError(api.viewer.pools.previewDelete({ clusterId, id: webs!.id }))).code).toBe('FORBIDDEN');
  });
});
