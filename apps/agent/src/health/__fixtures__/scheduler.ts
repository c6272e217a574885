import { afterEach, beforeEach, vi } from 'vitest';
import type { Check } from '../check.js';
import { HealthScheduler, type CheckResult } from '../scheduler.js';

/** Schedulers started by `startScheduler` and not yet stopped after their test. */
const started: HealthScheduler[] = [];

/**
 * For each test of the calling `describe`: fake timers (STYLE §H46: the scheduler's setTimeout,
 * Date and performance), and afterwards every scheduler `startScheduler` started is stopped, so a
 * failed test leaves none running.
 */
export function schedulerTimers(): void {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] }));
  afterEach(() => {
    for (const s of started.splice(0)) s.stop();
    vi.useRealTimers();
  });
}

/** A started scheduler over `checks` that keeps every result in `results`; stopped after the test. */
export function startScheduler(checks: Check[]): { s: HealthScheduler; results: CheckResult[] } {
  const results: CheckResult[] = [];
  const s = new HealthScheduler(checks, (r) => results.push(r));
  started.push(s);
  s.start();
  return { s, results };
}

/** Advances the fake clock by `ms` and tells how often `check` has run by then. */
export async function runsAfter(ms: number, check: { runs: number }): Promise<number> {
  await vi.advanceTimersByTimeAsync(ms);
  return check.runs;
}
