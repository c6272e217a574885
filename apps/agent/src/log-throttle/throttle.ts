/**
 * Rate limit for log lines about received packets (issue #15 finding 6): a flood of bad adverts
 * must not become a flood of log lines (138k warnings in 5 s before). Per key (instance, reason,
 * source), the first line in each window is written, with how many were suppressed since the last
 * one; the counters (Prometheus) stay exact. Pure apart from the clock passed in; memory bounded.
 */
export type ThrottleDecision = { log: false } | { log: true; suppressed: number };

export class LogThrottle {
  private readonly windows = new Map<string, { until: number; suppressed: number }>();

  /**
   * @param windowMs - one line per key per this many ms.
   * @param maxKeys - keys kept at most (sources can be spoofed): beyond it the oldest is forgotten.
   */
  constructor(
    private readonly windowMs = 10_000,
    private readonly maxKeys = 1024,
  ) {}

  decide(key: string, now: number): ThrottleDecision {
    const w = this.windows.get(key);
    if (w && now < w.until) {
      w.suppressed += 1;
      return { log: false };
    }
    const suppressed = w?.suppressed ?? 0;
    this.windows.delete(key); // re-inserted last: Map order is the eviction order
    this.windows.set(key, { until: now + this.windowMs, suppressed: 0 });
    if (this.windows.size > this.maxKeys) this.windows.delete(this.windows.keys().next().value!);
    return { log: true, suppressed };
  }

  /** Keys tracked now (for tests). */
  get size(): number {
    return this.windows.size;
  }
}
