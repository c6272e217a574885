import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Check, CheckOutcome } from './check.js';
import { HealthScheduler, type CheckResult } from './scheduler.js';
import { fakeCheck } from './__fixtures__/fake-check.js';

const check = (name: string, outcomes: CheckOutcome[], over: Partial<Check> = {}) =>
  fakeCheck(outcomes, { name, ...over });

describe('HealthScheduler.reconcile', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] }));
  afterEach(() => vi.useRealTimers());

  it('leaves a check that is not restarted alone (no extra run, same timer)', async () => {
    const a = check('a', [{ ok: true }]);
    const s = new HealthScheduler([a], () => undefined);
    s.start();
    await vi.advanceTimersByTimeAsync(500);
    s.reconcile([a], new Set());
    await vi.advanceTimersByTimeAsync(400);
    expect(a.runs).toBe(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(a.runs).toBe(2);
    s.stop();
  });

  it('restarts a changed check with its new definition', async () => {
    const a = check('a', [{ ok: true }]);
    const b = check('a', [{ ok: true }], { intervalMs: 2000 });
    const s = new HealthScheduler([a], () => undefined);
    s.start();
    await vi.advanceTimersByTimeAsync(10);
    s.reconcile([b], new Set(['a']));
    await vi.advanceTimersByTimeAsync(1500);
    expect([a.runs, b.runs]).toEqual([1, 1]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(b.runs).toBe(2);
    s.stop();
  });

  it("keeps a restarted check's failed status and fall position until the new one's results count", async () => {
    const results: CheckResult[] = [];
    const a = check('a', [{ ok: false }], { fall: 1, rise: 2 });
    const b = check('a', [{ ok: true }], { rise: 2, intervalMs: 100 });
    const s = new HealthScheduler([a], (r) => results.push(r));
    s.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(s.states().get('a')).toBe(false);
    s.reconcile([b], new Set(['a']));
    expect(s.states().get('a')).toBe(false);
    await vi.advanceTimersByTimeAsync(10);
    expect(results.at(-1)).toMatchObject({ ok: false, changed: false, consecutiveOk: 1 });
    await vi.advanceTimersByTimeAsync(100);
    expect(results.at(-1)).toMatchObject({ ok: true, changed: true });
    s.stop();
  });

  it('keeps a healthy check healthy across a restart, so a priority never dips', async () => {
    const results: CheckResult[] = [];
    const a = check('a', [{ ok: true }], { initFail: true });
    const b = check('a', [{ ok: true }], { initFail: true, intervalMs: 2000 });
    const s = new HealthScheduler([a], (r) => results.push(r));
    s.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(s.states().get('a')).toBe(true);
    s.reconcile([b], new Set(['a']));
    expect(s.states().get('a')).toBe(true);
    await vi.advanceTimersByTimeAsync(10);
    expect(results.map((r) => r.changed)).toEqual([true, false]);
    s.stop();
  });

  it('starts an added check and stops a removed one', async () => {
    const a = check('a', [{ ok: true }]);
    const b = check('b', [{ ok: true }]);
    const closed = vi.fn();
    a.close = closed;
    const s = new HealthScheduler([a], () => undefined);
    s.start();
    await vi.advanceTimersByTimeAsync(10);
    s.reconcile([b], new Set());
    await vi.advanceTimersByTimeAsync(3000);
    expect([a.runs, b.runs]).toEqual([1, 4]);
    expect(closed).toHaveBeenCalledOnce();
    expect([...s.states().keys()]).toEqual(['b']);
    s.stop();
  });

  it('drops the result of a run that was in flight when its check was restarted', async () => {
    const results: CheckResult[] = [];
    let finish: (o: CheckOutcome) => void = () => undefined;
    const slow = check('a', [], { probe: () => new Promise<CheckOutcome>((r) => (finish = r)) });
    const b = check('a', [{ ok: true }], { intervalMs: 5000 });
    const s = new HealthScheduler([slow], (r) => results.push(r));
    s.start();
    await vi.advanceTimersByTimeAsync(10);
    s.reconcile([b], new Set(['a']));
    await vi.advanceTimersByTimeAsync(10);
    finish({ ok: false });
    await vi.advanceTimersByTimeAsync(10);
    expect(results.map((r) => r.outcome.ok)).toEqual([true]);
    s.stop();
  });
});
