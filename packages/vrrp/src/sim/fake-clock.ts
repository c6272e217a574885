import type { Clock } from '../ports.js';

/**
 * A clock that only moves when told to: the simulation jumps it to the next deadline or
 * delivery. The one place under `src/` that holds mutable time (STYLE §F33).
 */
export class FakeClock implements Clock {
  private t: number;

  constructor(startMs = 0) {
    this.t = startMs;
  }

  now(): number {
    return this.t;
  }

  /** Move to `ms`; throws if that would go back in time (the clock is monotonic). */
  set(ms: number): void {
    if (ms < this.t) throw new Error(`fake clock cannot go back from ${this.t} to ${ms}`);
    this.t = ms;
  }
}
