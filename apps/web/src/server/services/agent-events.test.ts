import { describe, expect, it } from 'vitest';
import { apiWithClusterForSuite, type Api } from '../testing/api';
import { transition } from '../../../test/fixtures';
import { recordApplyResult, recordTransition, type AgentNode } from './agent-events';

describe('agent events (for the hub)', () => {
  let api: Api;
  let clusterId: string;
  let lvs1: AgentNode;
  apiWithClusterForSuite((s) => {
    ({ api, clusterId } = s);
    lvs1 = { id: s.nodeIds.LVS_1!, clusterId };
  });

  it("a failed apply marks the deployment failed with nginx's output; a later success replaces it", async () => {
    const failed = {
      v: 1,
      type: 'apply-result',
      seq: 1,
      at: Date.UTC(2026, 10, 24, 12),
      revision: 1,
      outcome: 'failed',
      stage: 'test',
      message: 'nginx -t failed',
      nginxOutput: 'nginx: [emerg] unknown directive "bogus"',
      runningRevision: null,
    } as const;
    await api.db.prisma.$transaction((tx) => recordApplyResult(tx, lvs1, failed));
    await api.db.prisma.$transaction((tx) => recordApplyResult(tx, lvs1, failed)); // replayed
    const rev = await api.viewer.clusters.revision({ clusterId, number: 1 });
    expect(rev.deployments.find((d) => d.node === 'LVS_1')).toMatchObject({
      status: 'failed',
      stage: 'test',
      nginxOutput: 'nginx: [emerg] unknown directive "bogus"',
      finishedAt: new Date(failed.at),
    });
    expect(rev.deployments.find((d) => d.node === 'LVS_2')).toMatchObject({ status: 'pending' });
    await api.db.prisma.$transaction((tx) =>
      recordApplyResult(tx, lvs1, {
        v: 1,
        type: 'apply-result',
        seq: 2,
        at: failed.at + 1000,
        revision: 1,
        outcome: 'applied',
      }),
    );
    expect(
      (await api.viewer.clusters.deployments({ clusterId, limit: 10 })).find((d) => d.node === 'LVS_1'),
    ).toMatchObject({ status: 'applied', nginxOutput: null });
  });

  it('an apply result for an unknown revision is refused', async () => {
    await expect(
      api.db.prisma.$transaction((tx) =>
        recordApplyResult(tx, lvs1, { v: 1, type: 'apply-result', seq: 3, at: 0, revision: 99, outcome: 'applied' }),
      ),
    ).rejects.toThrow(/revision 99 does not exist/);
  });

  it("transitions keep the agent's timestamp and a replayed seq is stored once", async () => {
    const at = Date.UTC(2026, 10, 24, 12, 30);
    const msg = transition({ seq: 2 ** 40, at });
    expect(await api.db.prisma.$transaction((tx) => recordTransition(tx, lvs1, msg))).toBe(true);
    expect(await api.db.prisma.$transaction((tx) => recordTransition(tx, lvs1, msg))).toBe(false);
    expect(await api.viewer.clusters.transitions({ clusterId, limit: 10 })).toEqual([
      expect.objectContaining({ node: 'LVS_1', instance: 'VI_1', from: 'backup', to: 'master', at: new Date(at) }),
    ]);
  });
});
