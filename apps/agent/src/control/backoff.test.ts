import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Backoff } from './backoff.js';

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

  it('drives reconnect timers deterministically under fake timers', async () => {
    const b = new Backoff(() => 0.5);
    const attempts: number[] = [];
    const schedule = () =>
      setTimeout(() => {
        attempts.push(Date.now());
        if (attempts.length < 4) schedule();
      }, b.next());
    const t0 = Date.now();
    schedule();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(attempts.map((t) => t - t0)).toEqual([375, 375 + 750, 375 + 750 + 1500, 375 + 750 + 1500 + 3000]);
  });
});
