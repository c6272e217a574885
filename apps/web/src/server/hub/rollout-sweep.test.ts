import { afterAll, beforeAll, describe, it } from 'vitest';
import { createApiWithCluster, type Api } from '../testing/api';
import { serveHub, type HubServer } from '../testing/hub-server';
import { connectAgent, type ProtocolAgent } from '../testing/protocol-agent';
import { checkResult, heartbeat } from '../../../test/fixtures';

/**
 * A commit asks the hub for a sweep (rolloutNow) that steps only the clusters with a revision it
 * has not stepped yet (issue 16: in a burst every commit stepped every cluster still rolling out).
 * The poll is off here, so only rolloutNow can push.
 */
describe('rollout after a commit, without the poll', () => {
  let api: Api;
  let clusterId: string;
  let server: HubServer;
  let master: ProtocolAgent;
  let backup: ProtocolAgent;

  beforeAll(async () => {
    let nodeIds: Record<string, string>;
    ({ api, clusterId, nodeIds } = await createApiWithCluster());
    server = await serveHub({ db: api.db.prisma, heartbeatIntervalMs: 1000, rolloutPollMs: 3_600_000 });
    const connect = (node: string) =>
      connectAgent(api, server.url, { nodeId: nodeIds[node]!, node, agentVersion: '0.1.0', appliedRevision: 1 });
    [master, backup] = [await connect('LVS_1'), await connect('LVS_2')];
    // A session's frames are handled in order: once the check result is acked, its heartbeat is known.
    master.send(heartbeat({ state: 'master' }));
    master.send(checkResult({ seq: 1 }));
    backup.send(heartbeat({ state: 'backup' }));
    backup.send(checkResult({ seq: 1 }));
    await master.until('ack 1', (f) => f.type === 'ack' && f.seq === 1);
    await backup.until('ack 1', (f) => f.type === 'ack' && f.seq === 1);
  });
  afterAll(async () => {
    master?.close();
    backup?.close();
    await server?.close();
    await api?.close();
  });

  async function editPool(keepalive: number): Promise<number> {
    const [p] = await api.viewer.pools.list({ clusterId });
    const { revision } = await api.admin.pools.update({
      id: p!.id,
      version: p!.version,
      pool: { ...p!.pool, keepalive },
    });
    return revision!;
  }

  it('pushes a committed revision to the backup', async () => {
    const revision = await editPool(8);
    await server.hub.rolloutNow();
    await backup.until(`config-push ${revision}`, (f) => f.type === 'config-push' && f.revision === revision);
  });

  it('pushes a revision committed while the one before is still rolling out', async () => {
    const revision = await editPool(9);
    await server.hub.rolloutNow();
    await backup.until(`config-push ${revision}`, (f) => f.type === 'config-push' && f.revision === revision);
  });
});
