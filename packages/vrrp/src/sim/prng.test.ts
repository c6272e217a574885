import { describe, expect, it } from 'vitest';
import { FakeClock } from './fake-clock.js';
import { SeededRng } from './prng.js';

describe('sim', () => {
  describe('prng', () => {
    it('gives the same sequence for the same seed', () => {
      const a = new SeededRng(42);
      const b = new SeededRng(42);
      expect(Array.from({ length: 5 }, () => a.next())).toEqual(Array.from({ length: 5 }, () => b.next()));
    });

    it('gives different sequences for different seeds', () => {
      expect(new SeededRng(1).next()).not.toBe(new SeededRng(2).next());
    });

    it('stays in [0, 1) and is roughly uniform', () => {
      const r = new SeededRng(7);
      let sum = 0;
      for (let i = 0; i < 10_000; i++) {
        const x = r.next();
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThan(1);
        sum += x;
      }
      expect(sum / 10_000).toBeGreaterThan(0.48);
      expect(sum / 10_000).toBeLessThan(0.52);
    });

    it('int(lo, hi) stays within its bounds', () => {
      const r = new SeededRng(3);
      for (let i = 0; i < 1000; i++) {
        const x = r.int(2, 5);
        expect(x >= 2 && x <= 5).toBe(true);
      }
    });
  });

  describe('fake clock', () => {
    it('refuses to go back in time', () => {
      const c = new FakeClock(10);
      c.set(20);
      expect(c.now()).toBe(20);
      expect(() => c.set(19)).toThrow(/cannot go back/);
    });
  });
});
