/**
 * Rate limits for sign-ins and agent handshakes: attempts counted per key in a sliding window;
 * over the limit, attempts are refused without checking the secret. Kept in memory per dashboard
 * instance (each instance enforces it on its own; failures are also in the audit log). Memory is
 * bounded: a key's list keeps only what its limit needs, expired keys are pruned, and past
 * `maxKeys` the least recently failed keys are dropped (an attacker inventing keys then loses
 * counts of their own making first).
 */
export interface LoginLimits {
  windowMs: number;
  /** Failures per username within the window. */
  perUser: number;
  /** Failures per source address within the window. */
  perAddress: number;
  /** Keys remembered at most (default {@link DEF_MAX_KEYS}). */
  maxKeys?: number;
}

export const DEF_MAX_KEYS = 10_000;
export const DEF_LOGIN_LIMITS: LoginLimits = { windowMs: 15 * 60_000, perUser: 5, perAddress: 20 };

/** Timestamps of recent failures per key, newest last; pure apart from the clock it is given. */
export class FailureWindow {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly windowMs: number,
    private readonly maxKeys: number,
    private readonly now: () => number,
  ) {}

  get size(): number {
    return this.failures.size;
  }

  private recent(key: string): number[] {
    const since = this.now() - this.windowMs;
    const list = (this.failures.get(key) ?? []).filter((t) => t > since);
    if (list.length === 0) this.failures.delete(key);
    return list;
  }

  /** null when `key` may try, else the ms until it may (`max` failures are in the window). */
  wait(key: string, max: number): number | null {
    const list = this.recent(key);
    if (list.length < max) return null;
    return (list[list.length - max] as number) + this.windowMs - this.now();
  }

  /** Counts a failure (or a reserved attempt) at now; returns its timestamp. */
  record(key: string, max: number): number {
    const t = this.now();
    const list = [...this.recent(key), t].slice(-Math.max(1, max));
    // Re-inserted so the Map's order is least recently failed first (what eviction drops).
    this.failures.delete(key);
    this.failures.set(key, list);
    if (this.failures.size > this.maxKeys) this.prune();
    return t;
  }

  /** Takes back one attempt recorded at `t` (a reservation that turned out well). */
  release(key: string, t: number): void {
    const list = this.failures.get(key);
    const i = list ? list.lastIndexOf(t) : -1;
    if (!list || i < 0) return;
    list.splice(i, 1);
    if (list.length === 0) this.failures.delete(key);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  private prune(): void {
    for (const key of [...this.failures.keys()]) this.recent(key);
    for (const key of this.failures.keys()) {
      if (this.failures.size <= this.maxKeys) break;
      this.failures.delete(key);
    }
  }
}

/** A sign-in attempt counted before the password is checked: `succeed` takes it back. */
export interface LoginAttempt {
  username: string;
  address: string | null;
  at: number;
}

export class LoginRateLimiter {
  private readonly window: FailureWindow;

  constructor(
    private readonly limits: LoginLimits = DEF_LOGIN_LIMITS,
    now: () => number = Date.now,
  ) {
    this.window = new FailureWindow(limits.windowMs, limits.maxKeys ?? DEF_MAX_KEYS, now);
  }

  /** Keys remembered now (bounded by `maxKeys`). */
  get size(): number {
    return this.window.size;
  }

  private keys(username: string, address: string | null): [string, number][] {
    const k: [string, number][] = [[`u:${username.toLowerCase()}`, this.limits.perUser]];
    if (address) k.push([`a:${address}`, this.limits.perAddress]);
    return k;
  }

  /** null when an attempt may proceed, else the ms until one may. */
  check(username: string, address: string | null): number | null {
    let wait: number | null = null;
    for (const [key, max] of this.keys(username, address)) {
      const w = this.window.wait(key, max);
      if (w !== null) wait = Math.max(wait ?? 0, w);
    }
    return wait;
  }

  /**
   * Counts the attempt as a failure before the password is checked, so guesses sent in parallel
   * are all counted: `{ waitMs }` when over the limit (nothing counted), else the attempt to hand
   * to `succeed` if the password was right.
   */
  reserve(username: string, address: string | null): { waitMs: number } | { attempt: LoginAttempt } {
    const waitMs = this.check(username, address);
    if (waitMs !== null) return { waitMs };
    let at = 0;
    for (const [key, max] of this.keys(username, address)) at = this.window.record(key, max);
    return { attempt: { username, address, at } };
  }

  fail(username: string, address: string | null): void {
    for (const [key, max] of this.keys(username, address)) this.window.record(key, max);
  }

  /**
   * A successful login clears the username's failures; of the address's, only the attempt itself
   * is taken back (others' failures from that address still count).
   */
  succeed(username: string, attempt?: LoginAttempt): void {
    this.window.forget(`u:${username.toLowerCase()}`);
    if (attempt?.address) this.window.release(`a:${attempt.address}`, attempt.at);
  }
}
