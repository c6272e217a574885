import { describe, expect, it } from 'vitest';
import { LogThrottle } from './throttle.js';

describe('LogThrottle', () => {
  it('writes the first line of a key and suppresses the rest of its window', () => {
    const t = new LogThrottle(1000);
    const decisions = Array.from({ length: 1000 }, (_, i) => t.decide('VI_1 auth-failed 192.0.2.9', i));
    expect(decisions.filter((d) => d.log).length).toBe(1);
  });

  it('after the window, writes again and says how many lines it suppressed', () => {
    const t = new LogThrottle(1000);
    for (let i = 0; i < 50; i++) t.decide('k', i);
    expect(t.decide('k', 1000)).toEqual({ log: true, suppressed: 49 });
    expect(t.decide('k', 2000)).toEqual({ log: true, suppressed: 0 });
  });

  it('keeps keys apart: another reason or source is logged at once', () => {
    const t = new LogThrottle(1000);
    expect(t.decide('a', 0).log).toBe(true);
    expect(t.decide('b', 1).log).toBe(true);
    expect(t.decide('a', 2).log).toBe(false);
  });

  it('bounds its memory: spoofed sources beyond maxKeys evict the oldest key', () => {
    const t = new LogThrottle(10_000, 100);
    for (let i = 0; i < 10_000; i++) t.decide(`src ${i}`, i);
    expect(t.size).toBe(100);
    expect(t.decide('src 0', 10_001).log).toBe(true);
  });
});
