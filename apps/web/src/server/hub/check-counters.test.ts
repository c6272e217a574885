import type { CheckResultMessage } from '@keepwatch/shared';
import { describe, expect, it } from 'vitest';
import { apiWithClusterForSuite, type Api } from '../testing/api';
import { checkResult } from '../../../test/fixtures';
import { createLogger } from '../logger';
import { LiveStateWriter, type NodeRef } from './live-state-writer';

/** The rise/fall counters of check results, from the hub's writer to `clusters.live`. */
describe('check result rise/fall counters', () => {
  let api: Api;
  let clusterId: string;
  let lvs1: NodeRef;
  apiWithClusterForSuite((s) => {
    ({ api, clusterId } = s);
    lvs1 = { id: s.nodeIds.LVS_1!, clusterId };
  });

  const result = (over: Partial<CheckResultMessage>) =>
    checkResult({ ok: false, durationMs: 2, output: 'nginx not running', ...over });

  it('are stored as the agent sent them and returned by clusters.live; the newest result replaces the last', async () => {
    const w = new LiveStateWriter({ db: api.db.prisma, log: createLogger('silent') });
    w.checkResult(lvs1, result({ consecutiveOk: 0, consecutiveFailed: 1 }));
    await w.flush();
    const first = (await api.viewer.clusters.live({ clusterId })).nodes.find((n) => n.name === 'LVS_1')!;
    expect(first.checks).toEqual([
      expect.objectContaining({
        check: 'check_nginx',
        status: 'healthy',
        ok: false,
        consecutiveOk: 0,
        consecutiveFailed: 1,
      }),
    ]);
    w.checkResult(lvs1, result({ seq: 2, status: 'failed', consecutiveOk: 0, consecutiveFailed: 2 }));
    await w.close();
    const second = (await api.viewer.clusters.live({ clusterId })).nodes.find((n) => n.name === 'LVS_1')!;
    expect(second.checks).toEqual([
      expect.objectContaining({ status: 'failed', consecutiveOk: 0, consecutiveFailed: 2 }),
    ]);
  });

  it('read as null from an agent that does not send them', async () => {
    const w = new LiveStateWriter({ db: api.db.prisma, log: createLogger('silent') });
    w.checkResult(lvs1, result({ seq: 3, check: 'check_http', ok: true }));
    await w.close();
    const live = (await api.viewer.clusters.live({ clusterId })).nodes.find((n) => n.name === 'LVS_1')!;
    expect(live.checks.find((c) => c.check === 'check_http')).toMatchObject({
      consecutiveOk: null,
      consecutiveFailed: null,
    });
  });
});
