import { describe, expect, it, vi } from 'vitest';
import { fakeCheck } from './__fixtures__/fake-check.js';
import { runsAfter, schedulerTimers, startScheduler } from './__fixtures__/scheduler.js';

describe('HealthScheduler', () => {
  schedulerTimers();

  it('runs a check at once and then every interval', async () => {
    const check = fakeCheck([{ ok: true }]);
    startScheduler([check]);
    expect(await runsAfter(1, check)).toBe(1);
    expect(await runsAfter(1000, check)).toBe(2);
  });

  it('reports a state change when the check fails', async () => {
    const { s, results } = startScheduler([fakeCheck([{ ok: true }, { ok: false, detail: 'down' }])]);
    await vi.advanceTimersByTimeAsync(1001);
    s.stop();
    expect(results.map((r) => [r.ok, r.changed])).toEqual([
      [true, false],
      [false, true],
    ]);
    expect(results[1]?.outcome.detail).toBe('down');
  });

  it('reports the rise/fall counters of every run (ok, ok, fail, fail with fall 2)', async () => {
    const check = fakeCheck([{ ok: true }, { ok: true }, { ok: false }, { ok: false }], { fall: 2, rise: 3 });
    const { s, results } = startScheduler([check]);
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
    const { s, results } = startScheduler([fakeCheck(['hang'])]);
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
    const { s } = startScheduler([check]);
    await vi.advanceTimersByTimeAsync(500);
    s.stop();
    expect(maxConcurrent).toBe(1);
  });

  it('runs a check at once when it wakes itself', async () => {
    let wake: () => void = () => undefined;
    const check = fakeCheck([{ ok: true }], { intervalMs: 60_000, subscribe: (w) => ((wake = w), () => undefined) });
    startScheduler([check]);
    expect(await runsAfter(1, check)).toBe(1);
    wake();
    expect(await runsAfter(1, check)).toBe(2);
  });
});
