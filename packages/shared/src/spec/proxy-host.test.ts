import { describe, expect, it } from 'vitest';
import { ClusterSpecSchema, type ClusterSpecInput } from './cluster.js';
import { AccessSourceSchema, PasswordHashSchema, RedirectTargetSchema } from './proxy-host.js';
import { HealthCheckSchema } from './checks.js';

type VsInput = NonNullable<ClusterSpecInput['virtualServers']>[number];

function spec(vs: Partial<VsInput>): ClusterSpecInput {
  return {
    name: 'c',
    nodes: [{ name: 'lb1', interfaces: ['eth0'] }],
    pools: [{ name: 'app', servers: [{ address: '198.51.100.11', port: 8080 }] }],
    virtualServers: [{ name: 'web', listen: [{ port: 80 }], locations: [{ path: '/', pool: 'app' }], ...vs }],
  };
}

/** The issues of a spec as `path: message` lines. */
function issues(input: ClusterSpecInput): string[] {
  const r = ClusterSpecSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

const SHA512 = '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1';

describe('proxy-host spec', () => {
  describe('rules', () => {
    it.each<{ name: string; vs: Partial<VsInput>; want: RegExp }>([
      {
        name: 'a server with neither a location nor a redirect',
        vs: { locations: [] },
        want: /^virtualServers\.0\.locations: a virtual server needs at least one location or redirect/,
      },
      {
        name: 'a prefix redirect on a location path (nginx: duplicate location)',
        vs: { redirects: [{ path: '/', to: '/x' }] },
        want: /^virtualServers\.0\.redirects\.0\.path: location \/ already proxies/,
      },
      {
        name: 'the same redirect path twice',
        vs: {
          redirects: [
            { path: '/a', to: '/x' },
            { path: '/a', to: '/y' },
          ],
        },
        want: /^virtualServers\.0\.redirects\.1\.path: duplicate redirect path/,
      },
      {
        name: 'an Upgrade header on a WebSocket location',
        vs: { locations: [{ path: '/', pool: 'app', websocket: true, headers: [{ name: 'upgrade', value: 'x' }] }] },
        want: /^virtualServers\.0\.locations\.0\.headers\.0\.name: upgrade is set by the WebSocket upgrade/,
      },
      {
        name: '"all" before the last rule',
        vs: {
          access: {
            rules: [
              { action: 'allow', source: 'all' },
              { action: 'deny', source: '192.0.2.1' },
            ],
          },
        },
        want: /^virtualServers\.0\.access\.rules\.0\.source: "all" must be the last rule/,
      },
      {
        name: 'an access list that checks nothing',
        vs: { access: { rules: [] } },
        want: /^virtualServers\.0\.access: an access list needs address rules or basic auth/,
      },
      {
        name: 'the same user twice',
        vs: {
          access: {
            basicAuth: {
              users: [
                { name: 'a', passwordHash: SHA512 },
                { name: 'a', passwordHash: SHA512 },
              ],
            },
          },
        },
        want: /^virtualServers\.0\.access\.basicAuth\.users\.1\.name: duplicate user/,
      },
      {
        name: 'a plain password instead of a hash',
        vs: { access: { basicAuth: { users: [{ name: 'a', passwordHash: 'hunter2' }] } } },
        want: /^virtualServers\.0\.access\.basicAuth\.users\.0\.passwordHash: must be a sha512-crypt/,
      },
      {
        name: 'a redirect code that is not a redirect',
        vs: { redirects: [{ path: '/a', to: '/x', code: 200 as 301 }] },
        want: /^virtualServers\.0\.redirects\.0\.code/,
      },
    ])('refuses $name', ({ vs, want }) => {
      const found = issues(spec(vs));
      expect(
        found.some((i) => want.test(i)),
        found.join('\n'),
      ).toBe(true);
    });

    it.each<{ name: string; vs: Partial<VsInput> }>([
      {
        name: 'a server of redirects only (a host redirect)',
        vs: { locations: [], redirects: [{ path: '/', to: 'https://www.example.com$request_uri' }] },
      },
      { name: 'an exact redirect on a location path', vs: { redirects: [{ path: '/', match: 'exact', to: '/home' }] } },
      {
        name: 'a blocklist ending in allow all',
        vs: {
          access: {
            rules: [
              { action: 'deny', source: '192.0.2.66' },
              { action: 'allow', source: 'all' },
            ],
          },
        },
      },
      { name: 'basic auth only', vs: { access: { basicAuth: { users: [{ name: 'alice', passwordHash: SHA512 }] } } } },
      { name: 'no request body limit (0)', vs: { clientMaxBodySizeBytes: 0 } },
    ])('accepts $name', ({ vs }) => {
      expect(issues(spec(vs))).toEqual([]);
    });

    it('leaves a spec without proxy-host options as it was (no defaults added)', () => {
      const parsed = ClusterSpecSchema.parse(spec({}));
      expect(Object.keys(parsed.virtualServers[0]!).sort()).toEqual(['listen', 'locations', 'name', 'serverNames']);
      expect(Object.keys(parsed.virtualServers[0]!.locations[0]!).sort()).toEqual(['headers', 'path', 'pool']);
    });
  });

  describe('redirect targets', () => {
    it.each([
      '/new/',
      'https://www.example.com',
      'http://example.com:8080/a?b=c#d',
      'https://[2001:db8::1]/x',
      '$request_uri',
      'https://x.example.com$request_uri',
    ])('accepts %j', (to) => expect(RedirectTargetSchema.safeParse(to).success).toBe(true));

    it.each([
      'example.com',
      '//evil.example',
      'ftp://x.example',
      '/a b',
      '/a"b',
      '/a$b',
      '/a\\b',
      'https:///x',
      '$host',
      '/x{y}',
    ])('refuses %j', (to) => expect(RedirectTargetSchema.safeParse(to).success).toBe(false));
  });

  describe('access sources', () => {
    it.each(['all', '192.0.2.1', '192.0.2.0/24', '0.0.0.0/0', '2001:db8::/32', '2001:db8::1', '2001:db8::1/128'])(
      'accepts %j',
      (s) => expect(AccessSourceSchema.safeParse(s).success).toBe(true),
    );

    it.each([
      '192.0.2.1/24',
      '2001:db8::1/64',
      '192.0.2.0/33',
      '192.0.2.0/',
      'unix:',
      'example.com',
      '192.0.2.0/24; allow all',
    ])('refuses %j (host bits set, or not an address)', (s) =>
      expect(AccessSourceSchema.safeParse(s).success).toBe(false),
    );
  });

  describe('password hashes', () => {
    it.each([SHA512, '$2y$10$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a'])('accepts %j', (h) =>
      expect(PasswordHashSchema.safeParse(h).success).toBe(true),
    );

    it.each([
      '',
      'secret',
      '$1$abc$def',
      `${SHA512}\n`,
      '$2a$10$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a',
    ])('refuses %j', (h) => expect(PasswordHashSchema.safeParse(h).success).toBe(false));
  });

  describe('proxy check', () => {
    it('goes to nginx on 127.0.0.1:80 and expects 2xx or 3xx unless told otherwise', () => {
      expect(HealthCheckSchema.parse({ kind: 'proxy', name: 'through', host: 'app.example.com' })).toMatchObject({
        address: '127.0.0.1',
        port: 80,
        path: '/',
        expectStatus: ['2xx', '3xx'],
      });
    });

    it.each([
      { host: '*.example.com' },
      { host: 'a.example', expectStatus: ['5xx'] },
      { host: 'a.example', expectStatus: [] },
    ])('refuses %j', (c) =>
      expect(HealthCheckSchema.safeParse({ kind: 'proxy', name: 'through', ...c }).success).toBe(false),
    );
  });
});
