/**
 * When an ACME certificate is renewed and when a failed order is tried again (pure; the clock is
 * the caller's). Renewal is due when 2/3 of the lifetime has passed or 30 days before notAfter,
 * whichever comes first (Let's Encrypt's advice for 90-day certificates: renew at 60 days).
 */

const DAY_MS = 86_400_000;
/** Renew at the latest this long before notAfter. */
export const RENEW_BEFORE_MS = 30 * DAY_MS;
/** A failed order is tried again after 1 min, doubling per failure in a row, at most every 6 h. */
export const RETRY_MIN_MS = 60_000;
export const RETRY_MAX_MS = 6 * 3_600_000;

/**
 * When a certificate valid from `notBefore` to `notAfter` is due for renewal. Never before half its
 * life: for a short-lived certificate (Let's Encrypt's 6-day ones, pebble's) "30 days before" is
 * before it was issued, and renewing at once would order again and again.
 */
export function renewalDueAt(notBefore: Date, notAfter: Date): Date {
  const from = notBefore.getTime();
  const lifetime = notAfter.getTime() - from;
  const first = Math.min(from + Math.floor((lifetime * 2) / 3), notAfter.getTime() - RENEW_BEFORE_MS);
  return new Date(Math.max(first, from + Math.floor(lifetime / 2)));
}

/** When to try again after `failures` failed orders in a row (the last one at `at`). */
export function retryAt(at: Date, failures: number): Date {
  const exp = Math.min(Math.max(failures - 1, 0), 20);
  return new Date(at.getTime() + Math.min(RETRY_MIN_MS * 2 ** exp, RETRY_MAX_MS));
}

export interface ScheduledRow {
  notBefore: Date | null;
  notAfter: Date | null;
  nextAttemptAt: Date | null;
}

/**
 * Whether the renewal timer orders this ACME certificate now: not issued yet or due for renewal,
 * and not waiting out a backoff.
 */
export function orderDue(row: ScheduledRow, now: Date): boolean {
  if (row.nextAttemptAt && row.nextAttemptAt > now) return false;
  if (!row.notBefore || !row.notAfter) return true;
  return renewalDueAt(row.notBefore, row.notAfter) <= now;
}
