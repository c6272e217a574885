import { describe, expect, it } from 'vitest';
import { loadEnv } from '../../env';
import { clientAddress } from './client-address';

const req = (remoteAddress: string, xff?: string) => ({
  headers: xff === undefined ? {} : { 'x-forwarded-for': xff },
  socket: { remoteAddress },
});
const PROXY = ['127.0.0.1', '198.51.100.2'];

describe('the client address behind trusted proxies', () => {
  it.each([
    ['a direct client', req('203.0.113.7'), PROXY, '203.0.113.7'],
    ["a direct client's own X-Forwarded-For is ignored", req('203.0.113.7', '192.0.2.99'), PROXY, '203.0.113.7'],
    ['through the trusted proxy', req('127.0.0.1', '203.0.113.7'), PROXY, '203.0.113.7'],
    [
      'a spoofed first hop is skipped: the right-most untrusted one counts',
      req('127.0.0.1', '192.0.2.99, 203.0.113.7'),
      PROXY,
      '203.0.113.7',
    ],
    ['through two trusted proxies', req('127.0.0.1', '203.0.113.7, 198.51.100.2'), PROXY, '203.0.113.7'],
    ['an IPv4-mapped peer', req('::ffff:127.0.0.1', '203.0.113.7'), PROXY, '203.0.113.7'],
    ['no proxies configured', req('127.0.0.1', '203.0.113.7'), [], '127.0.0.1'],
    ['garbage in the header', req('127.0.0.1', 'nonsense'), PROXY, '127.0.0.1'],
  ])('%s', (_name, r, proxies, want) => {
    expect(clientAddress(r, proxies)).toBe(want);
  });
});

describe('KEEPWATCH_TRUSTED_PROXIES', () => {
  it('is a comma-separated list of addresses, and anything else is refused naming the variable', () => {
    expect(loadEnv({ KEEPWATCH_TRUSTED_PROXIES: '127.0.0.1, ::1' }).KEEPWATCH_TRUSTED_PROXIES).toEqual([
      '127.0.0.1',
      '::1',
    ]);
    expect(() => loadEnv({ KEEPWATCH_TRUSTED_PROXIES: '127.0.0.1,proxy.example' })).toThrow(
      'KEEPWATCH_TRUSTED_PROXIES: must be IP addresses separated by commas',
    );
  });
});
