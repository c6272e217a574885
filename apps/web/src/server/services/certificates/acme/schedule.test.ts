import { describe, expect, it } from 'vitest';
import { orderDue, renewalDueAt, retryAt, RETRY_MAX_MS } from './schedule';

const DAY = 86_400_000;
const t0 = new Date('2026-12-01T00:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

describe('ACME renewal schedule', () => {
  it('renews a 90-day certificate 30 days before notAfter (2/3 of its life)', () => {
    expect(renewalDueAt(t0, at(90 * DAY))).toEqual(at(60 * DAY));
  });

  it('renews a one-year certificate after 2/3 of its life, before 30 days before notAfter', () => {
    expect(renewalDueAt(t0, at(360 * DAY))).toEqual(at(240 * DAY));
  });

  it('renews a 50-day certificate 30 days before notAfter, but not before half its life', () => {
    expect(renewalDueAt(t0, at(70 * DAY))).toEqual(at(40 * DAY));
    expect(renewalDueAt(t0, at(50 * DAY))).toEqual(at(25 * DAY));
  });

  it('renews a short-lived certificate at half its life, not at once', () => {
    expect(renewalDueAt(t0, at(3_600_000))).toEqual(at(1_800_000));
  });

  it('retries after 1 min, doubling per failure in a row, at most every 6 h', () => {
    expect([1, 2, 3].map((f) => retryAt(t0, f).getTime() - t0.getTime())).toEqual([60_000, 120_000, 240_000]);
    expect(retryAt(t0, 50).getTime() - t0.getTime()).toBe(RETRY_MAX_MS);
  });

  it('orders a certificate not issued yet, and not one waiting out a backoff', () => {
    expect(orderDue({ notBefore: null, notAfter: null, nextAttemptAt: null }, t0)).toBe(true);
    expect(orderDue({ notBefore: null, notAfter: null, nextAttemptAt: at(1) }, t0)).toBe(false);
  });

  it('orders an issued certificate once its renewal time has come', () => {
    const row = { notBefore: t0, notAfter: at(90 * DAY), nextAttemptAt: null };
    expect(orderDue(row, at(60 * DAY - 1))).toBe(false);
    expect(orderDue(row, at(60 * DAY))).toBe(true);
  });
});
