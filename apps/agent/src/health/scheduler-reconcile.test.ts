import { describe, expect, it, vi } from 'vitest';
import type { Check, CheckOutcome } from './check.js';
import type { HealthScheduler } from './scheduler.js';
import { fakeCheck } from './__fixtures__/fake-check.js';
import { runsAfter, schedulerTimers, startScheduler } from './__fixtures__/scheduler.js';

const check = (name: string, outcomes: CheckOutcome[], over: Partial<Check> = {}) =>
  fakeCheck(outcomes, { name, ...over });

/**
 * After `ms`, restarts the check of `next`'s name with `next`'s definition; returns its status
 * (ok) just before and just after the restart.
 */
async function restartAfter(ms: number, s: HealthScheduler, next: Check): Promise<(boolean | undefined)[]> {
  await vi.advanceTimersByTimeAsync(ms);
  const before = s.states().get(next.name);
  s.reconcile([next], new Set([next.name]));
  return [before, s.states().get(next.name)];
}

describe('HealthScheduler.reconcile', () => {
  schedulerTimers();

  it('leaves a check that is not restarted alone (no extra run, same timer)', async () => {
    const a = check('a', [{ ok: true }]);
    const { s } = startScheduler([a]);
    await vi.advanceTimersByTimeAsync(500);
    s.reconcile([a], new Set());
    expect(await runsAfter(400, a)).toBe(1);
    expect(await runsAfter(200, a)).toBe(2);
  });

  it('restarts a changed check with its new definition', async () => {
    const a = check('a', [{ ok: true }]);
    const b = check('a', [{ ok: true }], { intervalMs: 2000 });
    const { s } = startScheduler([a]);
    await restartAfter(10, s, b);
    await vi.advanceTimersByTimeAsync(1500);
    expect([a.runs, b.runs]).toEqual([1, 1]);
    expect(await runsAfter(1000, b)).toBe(2);
  });

  it("keeps a restarted check's failed status and fall position until the new one's results count", async () => {
    const a = check('a', [{ ok: false }], { fall: 1, rise: 2 });
    const b = check('a', [{ ok: true }], { rise: 2, intervalMs: 100 });
    const { s, results } = startScheduler([a]);
    expect(await restartAfter(10, s, b)).toEqual([false, false]);
    await vi.advanceTimersByTimeAsync(10);
    expect(results.at(-1)).toMatchObject({ ok: false, changed: false, consecutiveOk: 1 });
    await vi.advanceTimersByTimeAsync(100);
    expect(results.at(-1)).toMatchObject({ ok: true, changed: true });
  });

  it('keeps a healthy check healthy across a restart, so a priority never dips', async () => {
    const a = check('a', [{ ok: true }], { initFail: true });
    const b = check('a', [{ ok: true }], { initFail: true, intervalMs: 2000 });
    const { s, results } = startScheduler([a]);
    expect(await restartAfter(10, s, b)).toEqual([true, true]);
    await vi.advanceTimersByTimeAsync(10);
    expect(results.map((r) => r.changed)).toEqual([true, false]);
  });

  it('starts an added check and stops a removed one', async () => {
    const a = check('a', [{ ok: true }]);
    const b = check('b', [{ ok: true }]);
    const closed = vi.fn();
    a.close = closed;
    const { s } = startScheduler([a]);
    await vi.advanceTimersByTimeAsync(10);
    s.reconcile([b], new Set());
    await vi.advanceTimersByTimeAsync(3000);
    expect([a.runs, b.runs]).toEqual([1, 4]);
    expect(closed).toHaveBeenCalledOnce();
    expect([...s.states().keys()]).toEqual(['b']);
  });

  it('drops the result of a run that was in flight when its check was restarted', async () => {
    let finish: (o: CheckOutcome) => void = () => undefined;
    const slow = check('a', [], { probe: () => new Promise<CheckOutcome>((r) => (finish = r)) });
    const b = check('a', [{ ok: true }], { intervalMs: 5000 });
    const { s, results } = startScheduler([slow]);
    await restartAfter(10, s, b);
    await vi.advanceTimersByTimeAsync(10);
    finish({ ok: false });
    await vi.advanceTimersByTimeAsync(10);
    expect(results.map((r) => r.outcome.ok)).toEqual([true]);
  });
});
