import { describe, expect, it } from 'vitest';
import type { VrrpState } from '@keepwatch/shared';
import { moveSteps, type MoveRequest } from './move-steps';

const T = Date.UTC(2026, 10, 24, 12, 0, 0);
const req: MoveRequest = { instance: 'VI_1', target: 'lb2', previous: 'lb1', requestedAt: T };
const tr = (node: string, to: VrrpState, atMs: number, reason = 'x') => ({
  node,
  instance: 'VI_1',
  to,
  reason,
  at: new Date(T + atMs),
});
const cmd = (status: string, reason: string | null = null, node = 'lb2') => ({
  commands: [{ kind: 'promote', instance: 'VI_1', node, status, reason, createdAt: new Date(T + 5).toISOString() }],
});
const unknown = () => null;

describe('moveSteps', () => {
  it('right after the request: the command is under way, lb2 not master yet, lb1 still holds', () => {
    const r = moveSteps(req, [tr('lb1', 'master', -60_000)], cmd('sent'), unknown);
    expect(r.done).toBe(false);
    expect(r.steps.map((s) => s.state)).toEqual(['done', 'active', 'active', 'waiting']);
    expect(r.steps[1]!.detail).toBe('sent');
  });

  it('done once lb2 reports master after the request, and lb1 gave up once it reports backup', () => {
    const r = moveSteps(
      req,
      [tr('lb2', 'master', 300, 'promoted'), tr('lb1', 'backup', 350)],
      cmd('completed'),
      unknown,
    );
    expect(r.done).toBe(true);
    expect(r.steps.map((s) => s.state)).toEqual(['done', 'done', 'done', 'done']);
    expect(r.steps[2]!.detail).toBe('promoted');
  });

  it('an old master report of lb2 (before the request) does not count', () => {
    expect(moveSteps(req, [tr('lb2', 'master', -600_000)], cmd('sent'), unknown).done).toBe(false);
  });

  it('the live heartbeat saying lb2 is master counts too', () => {
    expect(moveSteps(req, [], { commands: [] }, (n) => n === 'lb2').done).toBe(true);
  });

  it("a refusal shows the agent's reason verbatim", () => {
    const r = moveSteps(req, [], cmd('refused', 'peer-priority: another router advertises 254'), unknown);
    expect(r.refused).toBe('peer-priority: another router advertises 254');
    expect(r.steps[1]).toMatchObject({
      state: 'failed',
      detail: 'refused: peer-priority: another router advertises 254',
    });
  });

  it('a status in another shape is ignored rather than trusted', () => {
    const r = moveSteps(req, [], { commands: 'nope' }, unknown);
    expect(r.steps[1]).toMatchObject({ state: 'active', detail: undefined });
  });
});
