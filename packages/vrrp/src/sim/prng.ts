import type { Rng } from '../ports.js';

/**
 * A small seeded PRNG (the mulberry32 construction: a 32-bit counter stepped by a Weyl constant
 * and mixed by multiply-xorshift). Not cryptographic; deterministic for a seed, which is what a
 * replayable simulation needs.
 */
export class SeededRng implements Rng {
  private s: number;

  /** @param seed any integer; the same seed always gives the same sequence */
  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
}
