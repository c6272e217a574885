/**
 * Login rate limit: failed attempts are counted per username and per source address in a sliding
 * window; over the limit, attempts are refused without checking the password. Kept in memory per
 * dashboard instance (each instance enforces it on its own; failures are also in the audit log).
 */
export interface LoginLimits {
  windowMs: number;
  /** Failures per username within the window. */
  perUser: number;
  /** Failures per source address within the window. */
  perAddress: number;
}

export const DEF_LOGIN_LIMITS: LoginLimits = { windowMs: 15 * 60_000, perUser: 5, perAddress: 20 };

export class LoginRateLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limits: LoginLimits = DEF_LOGIN_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  private keys(username: string, address: string | null): [string, number][] {
    const k: [string, number][] = [[`u:${username.toLowerCase()}`, this.limits.perUser]];
    if (address) k.push([`a:${address}`, this.limits.perAddress]);
    return k;
  }

  private recent(key: string): number[] {
    const since = this.now() - this.limits.windowMs;
    const list = (this.failures.get(key) ?? []).filter((t) => t > since);
    if (list.length === 0) this.failures.delete(key);
    else this.failures.set(key, list);
    return list;
  }

  /** null when an attempt may proceed, else the ms until one may. */
  check(username: string, address: string | null): number | null {
    let wait: number | null = null;
    for (const [key, max] of this.keys(username, address)) {
      const list = this.recent(key);
      if (list.length >= max) {
        const w = (list[list.length - max] as number) + this.limits.windowMs - this.now();
        wait = Math.max(wait ?? 0, w);
      }
    }
    return wait;
  }

  fail(username: string, address: string | null): void {
    for (const [key] of this.keys(username, address)) this.failures.set(key, [...this.recent(key), this.now()]);
  }

  /** A successful login clears the username's failures (not the address's). */
  succeed(username: string): void {
    this.failures.delete(`u:${username.toLowerCase()}`);
  }
}
