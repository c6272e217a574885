import { describe, expect, it } from 'vitest';
import { buildProxyHost, initProxyHost, parseSize } from './proxy-host-draft';

const locations = [{ path: '/', pool: 'webs', headers: [] }];

describe('the proxy-host fields of the new virtual server form', () => {
  it('adds nothing to the virtual server when left empty', () => {
    expect(buildProxyHost(initProxyHost(), locations)).toEqual({ locations });
  });

  it('reads redirects, rules, users with passwords, satisfy and the body size', () => {
    const out = buildProxyHost(
      {
        websocket: true,
        redirects: '/old/ 301 /new/\n= /blog 302 https://blog.example.com/',
        rules: 'deny 192.0.2.66\nallow 192.0.2.0/24',
        users: 'alice correct horse',
        realm: '',
        satisfyAny: true,
        bodySize: '10m',
      },
      locations,
    );
    expect(out).toEqual({
      locations: [{ ...locations[0], websocket: true }],
      redirects: [
        { path: '/old/', match: 'prefix', code: 301, to: '/new/' },
        { path: '/blog', match: 'exact', code: 302, to: 'https://blog.example.com/' },
      ],
      access: {
        rules: [
          { action: 'deny', source: '192.0.2.66' },
          { action: 'allow', source: '192.0.2.0/24' },
        ],
        basicAuth: { realm: 'Restricted', users: [{ name: 'alice', password: 'correct horse' }] },
        satisfy: 'any',
      },
      clientMaxBodySizeBytes: 10 * 1024 ** 2,
    });
  });

  it.each([
    { text: '0', want: 0 },
    { text: '1000', want: 1000 },
    { text: '512k', want: 512 * 1024 },
    { text: '2G', want: 2 * 1024 ** 3 },
    { text: '1.5m', want: NaN },
  ])('reads the body size $text as $want bytes', ({ text, want }) => {
    expect(parseSize(text)).toBe(want);
  });
});
