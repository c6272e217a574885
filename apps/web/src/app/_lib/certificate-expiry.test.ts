import { describe, expect, it } from 'vitest';
import { expiryStatus } from './certificate-expiry';

const NOW = Date.parse('2026-12-05T12:00:00Z');
const at = (days: number) => new Date(NOW + days * 86_400_000);

describe('a certificate’s expiry status', () => {
  it.each([
    ['90 days ahead is fine', at(90), { daysLeft: 90, tone: 'master', label: '90 days left' }],
    ['21 days ahead is still fine', at(21), { daysLeft: 21, tone: 'master', label: '21 days left' }],
    ['20.5 days ahead warns', at(20.5), { daysLeft: 20, tone: 'warn', label: '20 days left' }],
    ['a few hours ahead warns that it expires today', at(0.2), { daysLeft: 0, tone: 'warn', label: 'expires today' }],
    ['a past date is expired', at(-3), { daysLeft: -3, tone: 'fault', label: 'expired' }],
  ] as const)('%s', (_b, notAfter, want) => {
    expect(expiryStatus(notAfter, NOW)).toEqual(want);
  });
});
