import { describe, expect, it } from 'vitest';
import { masterDownInterval, skewTime } from './timers.js';

type Case = { name: string; version: 2 | 3; priority: number; intervalMs: number; skew: number; down: number };

describe('machine', () => {
  describe('timers', () => {
    it.each<Case>([
      {
        name: 'v2 Skew_Time is (256 − Priority)/256 s (RFC 3768 6.1)',
        version: 2,
        priority: 100,
        intervalMs: 1000,
        skew: 609,
        down: 3609,
      },
      {
        name: 'v2 Skew_Time ignores the advert interval (RFC 3768 6.1)',
        version: 2,
        priority: 100,
        intervalMs: 3000,
        skew: 609,
        down: 9609,
      },
      {
        name: 'v3 Skew_Time scales with Master_Adver_Interval (RFC 5798 6.1)',
        version: 3,
        priority: 100,
        intervalMs: 1000,
        skew: 609,
        down: 3609,
      },
      {
        name: 'v3 fast interval 100 ms at priority 200 (RFC 5798 6.1)',
        version: 3,
        priority: 200,
        intervalMs: 100,
        skew: 21,
        down: 321,
      },
      {
        name: 'v3 owner has the smallest skew (RFC 5798 6.1)',
        version: 3,
        priority: 255,
        intervalMs: 1000,
        skew: 3,
        down: 3003,
      },
      {
        name: 'v3 priority 1 has the largest skew (RFC 5798 6.1)',
        version: 3,
        priority: 1,
        intervalMs: 1000,
        skew: 996,
        down: 3996,
      },
    ])('$name', ({ version, priority, intervalMs, skew, down }) => {
      expect(skewTime(version, priority, intervalMs)).toBe(skew);
      expect(masterDownInterval(version, priority, intervalMs)).toBe(down);
    });

    it('a higher priority always gives a shorter Master_Down_Interval (RFC 5798 6.1)', () => {
      for (let p = 1; p < 255; p++) {
        expect(masterDownInterval(3, p + 1, 100)).toBeLessThanOrEqual(masterDownInterval(3, p, 100));
      }
    });
  });
});
