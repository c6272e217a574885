/**
 * The two things the pure core may take from the outside world, as injected ports (STYLE §F29).
 * Nothing here does I/O; the shell (`apps/agent`) and the simulation (`sim/`) implement them.
 */

/**
 * A monotonic clock. The shell reads it and passes the value to `step(state, event, now)`.
 *
 * Contract: `now()` returns integer milliseconds, never decreases, and is not wall-clock time
 * (use `performance.now()` or `process.hrtime` in the agent, never `Date.now()`).
 */
export interface Clock {
  now(): number;
}

/**
 * A source of uniform random numbers in [0, 1).
 *
 * The state machine needs none (VRRP has no jitter of its own: Skew_Time is deterministic).
 * The simulation uses one for loss, delay and duplication; the agent uses one for reconnect
 * backoff. Contract: deterministic for a given seed in tests.
 */
export interface Rng {
  next(): number;
}
