/** How a certificate's expiry is shown: whole days left, and a warning from 21 days before. */
export const EXPIRY_WARNING_DAYS = 21;
const DAY_MS = 86_400_000;

export type ExpiryStatus = { daysLeft: number; tone: 'fault' | 'warn' | 'master'; label: string };

export function expiryStatus(notAfter: Date, now: number): ExpiryStatus {
  const ms = notAfter.getTime() - now;
  const daysLeft = Math.floor(ms / DAY_MS);
  if (ms <= 0) return { daysLeft, tone: 'fault', label: 'expired' };
  if (daysLeft < EXPIRY_WARNING_DAYS)
    return { daysLeft, tone: 'warn', label: daysLeft === 0 ? 'expires today' : `${daysLeft} days left` };
  return { daysLeft, tone: 'master', label: `${daysLeft} days left` };
}
