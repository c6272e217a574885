import {
  DEF_RECONNECT_INITIAL_MS,
  DEF_RECONNECT_JITTER,
  DEF_RECONNECT_MAX_MS,
  DEF_RECONNECT_MULTIPLIER,
} from '../config/defaults.js';

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  multiplier: number;
  /** 0..1: the share of the base that jitter may take off. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  initialMs: DEF_RECONNECT_INITIAL_MS,
  maxMs: DEF_RECONNECT_MAX_MS,
  multiplier: DEF_RECONNECT_MULTIPLIER,
  jitter: DEF_RECONNECT_JITTER,
};

/**
 * Exponential backoff with jitter; the formula and a worked sequence are in config/defaults.ts.
 * The RNG (uniform in [0, 1)) is injected so tests are deterministic.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly rng: () => number,
    private readonly opts: BackoffOptions = DEFAULT_BACKOFF,
  ) {}

  /** The delay before the next attempt, in ms; each call counts one more failed attempt. */
  next(): number {
    const base = Math.min(this.opts.maxMs, this.opts.initialMs * this.opts.multiplier ** this.attempt);
    // Stop growing the exponent once the cap is reached (no overflow to Infinity on long outages).
    if (base < this.opts.maxMs) this.attempt++;
    return Math.round(base * (1 - this.opts.jitter * this.rng()));
  }

  /** After a successful session: the next delay starts from the initial value again. */
  reset(): void {
    this.attempt = 0;
  }
}

/**
 * The reconnect schedule: at most one pending retry, each after the backoff's next delay. The
 * control client runs its reconnects through it, and its test drives it under fake timers.
 */
export class RetryTimer {
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly backoff: Backoff) {}

  /** Runs `attempt` after the next delay; the delay, or null when a retry is already pending. */
  schedule(attempt: () => void): number | null {
    if (this.timer) return null;
    const delay = this.backoff.next();
    this.timer = setTimeout(() => {
      this.timer = null;
      attempt();
    }, delay);
    return delay;
  }

  /** Drops the pending retry, if any. */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** After a successful session: the next delay starts from the initial value again. */
  reset(): void {
    this.backoff.reset();
  }
}
