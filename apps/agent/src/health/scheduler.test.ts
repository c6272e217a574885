import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HealthScheduler, type CheckResult } from './scheduler.js';
import { fakeCheck } from './__fixtures__/fake-check.js';

describe('HealthScheduler', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] }));
  afterEach(() => vi.useRealTimers());

  it('runs a check at once and then every interval', async () => {
    const check = fakeCheck([{ ok: true }]);
    const s = new HealthScheduler([check], () => undefined);
    s.start();
    await vi.advanceTimersByTimeAsync(1);
    expect(check.runs).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(check.runs).toBe(2);
    s.stop();
  });

  it('reports a state change when the check fails', async () => {
    const results: CheckResult[] = [];
    const s = new HealthScheduler([fakeCheck([{ ok: true }, { ok: false, detail: 'down' }])], (r) => results.push(r));
    s.start();
    await vi.advanceTimersByTimeAsync(1001);
    s.stop();
    expect(results.map((r) => [r.ok, r.changed])).toEqual([
      [true, false],
      [false, true],
    ]);
    expect(results[1]?.outcome.detail).toBe('down');
  });

  it('reports the rise/fall counters of every run (ok, ok, fail, fail with fall 2)', async () => {
    const results: CheckResult[] = [];
    const check = fakeCheck([{ ok: true }, { ok: true }, { ok: false }, { ok: false }], { fall: 2, rise: 3 });
    const s = new HealthScheduler([check], (r) => results.push(r));
    s.start();
    await vi.advanceTimersByTimeAsync(3001);
    s.stop();
    expect(results.map((r) => [r.ok, r.consecutiveOk, r.consecutiveFailed, r.changed])).toEqual([
      [true, 1, 0, false],
      [true, 2, 0, false],
      [true, 0, 1, false],
      [false, 0, 2, true],
    ]);
  });

  it('counts a run that exceeds its timeout as a failure', async () => {
    const results: CheckResult[] = [];
    const s = new HealthScheduler([fakeCheck(['hang'])], (r) => results.push(r));
    s.start();
    await vi.advanceTimersByTimeAsync(600);
    s.stop();
    expect(results[0]?.ok).toBe(false);
    expect(results[0]?.outcome.detail).toMatch(/timed out after 500 ms/);
    expect(results[0]?.outcome.timedOut).toBe(true);
  });

  it('never overlaps two runs of one check', async () => {
    let concurrent = 0;
    let maxConcurrent = 0;
    const check = fakeCheck([], {
      intervalMs: 10,
      timeoutMs: 1000,
      probe: async () => {
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        await new Promise((r) => setTimeout(r, 50));
        concurrent--;
        return { ok: true };
      },
    });
    const s = new HealthScheduler([check], () => undefined);
    s.start();
    await vi.advanceTimersByTimeAsync(500);
    s.stop();
    expect(maxConcurrent).toBe(1);
  });

  it('runs a check at once when it wakes itself', async () => {
    let wake: () => void = () => undefined;
    const check = fakeCheck([{ ok: true }], { intervalMs: 60_000, subscribe: (w) => ((wake = w), () => undefined) });
    const s = new HealthScheduler([check], () => undefined);
    s.start();
    await vi.advanceTimersByTimeAsync(1);
    expect(check.runs).toBe(1);
    wake();
    await vi.advanceTimersByTimeAsync(1);
    expect(check.runs).toBe(2);
    s.stop();
  });
});
