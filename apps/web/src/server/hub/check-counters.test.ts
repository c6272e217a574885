import type { CheckResultMessage } from '@keepwatch/shared';
import { describe, expect, it } from 'vitest';
import { apiWithClusterForSuite } from '../testing/api';
import { checkResult } from '../../../test/fixtures';
import { createLogger } from '../logger';
import { LiveStateWriter, type NodeRef } from './live-state-writer';

/** The rise/fall counters of check results, from the hub's writer to `clusters.live`. */
describe('check result rise/fall counters', () => {
  const s = apiWithClusterForSuite();
  const lvs1 = (): NodeRef => ({ id: s.nodeIds.LVS_1!, clusterId: s.clusterId });
  const writer = () => new LiveStateWriter({ db: s.api.db.prisma, log: createLogger('silent') });
  /** LVS_1's row of `clusters.live`. */
  const liveLvs1 = async () =>
    (await s.api.viewer.clusters.live({ clusterId: s.clusterId })).nodes.find((n) => n.name === 'LVS_1')!;

  const result = (over: Partial<CheckResultMessage>) =>
    checkResult({ ok: false, durationMs: 2, output: 'nginx not running', ...over });

  it('are stored as the agent sent them and returned by clusters.live; the newest result replaces the last', async () => {
    const w = writer();
    w.checkResult(lvs1(), result({ consecutiveOk: 0, consecutiveFailed: 1 }));
    await w.flush();
    const first = await liveLvs1();
    expect(first.checks).toEqual([
      expect.objectContaining({
        check: 'check_nginx',
        status: 'healthy',
        ok: false,
        consecutiveOk: 0,
        consecutiveFailed: 1,
      }),
    ]);
    w.checkResult(lvs1(), result({ seq: 2, status: 'failed', consecutiveOk: 0, consecutiveFailed: 2 }));
    await w.close();
    const second = await liveLvs1();
    expect(second.checks).toEqual([
      expect.objectContaining({ status: 'failed', consecutiveOk: 0, consecutiveFailed: 2 }),
    ]);
  });

  it('read as null from an agent that does not send them', async () => {
    const w = writer();
    w.checkResult(lvs1(), result({ seq: 3, check: 'check_http', ok: true }));
    await w.close();
    const live = await liveLvs1();
    expect(live.checks.find((c) => c.check === 'check_http')).toMatchObject({
      consecutiveOk: null,
      consecutiveFailed: null,
    });
  });
});
