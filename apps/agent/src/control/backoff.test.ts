import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Backoff, RetryTimer } from './backoff.js';

describe('Backoff', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('follows the worked sequence of config/defaults.ts with r = 0.5', () => {
    const b = new Backoff(() => 0.5);
    expect(Array.from({ length: 9 }, () => b.next())).toEqual([375, 750, 1500, 3000, 6000, 12000, 22500, 22500, 22500]);
  });

  it('never exceeds the base and never goes under half of it', () => {
    expect(new Backoff(() => 0).next()).toBe(500);
    expect(new Backoff(() => 0.999999).next()).toBe(250);
  });

  it('starts from the initial delay again after reset', () => {
    const b = new Backoff(() => 0);
    b.next();
    b.next();
    b.reset();
    expect(b.next()).toBe(500);
  });

  it('schedules one retry at a time, each after the next delay, and cancels a pending one', async () => {
    const retry = new RetryTimer(new Backoff(() => 0.5));
    const attempts: number[] = [];
    const t0 = Date.now();
    const attempt = () => {
      attempts.push(Date.now() - t0);
      if (attempts.length < 4) retry.schedule(attempt);
    };
    expect(retry.schedule(attempt)).toBe(375);
    // A second request while one is pending is the same retry, not another.
    expect(retry.schedule(attempt)).toBeNull();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(attempts).toEqual([375, 375 + 750, 375 + 750 + 1500, 375 + 750 + 1500 + 3000]);
    retry.reset();
    expect(retry.schedule(attempt)).toBe(375);
    retry.cancel();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(attempts).toHaveLength(4);
  });
});
