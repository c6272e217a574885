import { describe, expect, it } from 'vitest';
import { metricsRefusal } from './metrics-access';

const req = (remoteAddress: string, headers: Record<string, string> = {}) => ({ headers, socket: { remoteAddress } });
const TOKEN = 'a-metrics-token-of-some-length';

describe('who may read /metrics', () => {
  it.each([
    ['a direct scrape from this host', req('127.0.0.1'), undefined, true],
    ['a direct scrape over IPv6 loopback', req('::1'), undefined, true],
    ['a remote client with no token configured', req('198.51.100.7'), undefined, false],
    [
      'the public through a TLS proxy on this host',
      req('127.0.0.1', { 'x-forwarded-for': '203.0.113.9' }),
      undefined,
      false,
    ],
    [
      'a scraper with the right token, from anywhere',
      req('198.51.100.7', { authorization: `Bearer ${TOKEN}` }),
      TOKEN,
      true,
    ],
    ['a wrong token', req('198.51.100.7', { authorization: 'Bearer guess' }), TOKEN, false],
    ['this host without the token once one is configured', req('127.0.0.1'), TOKEN, false],
  ])('%s: allowed %s', (_name, r, token, allowed) => {
    expect(metricsRefusal(r, token) === null).toBe(allowed);
  });
});
