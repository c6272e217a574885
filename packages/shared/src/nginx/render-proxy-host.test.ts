import { describe, expect, it } from 'vitest';
import { ClusterSpecSchema, type ClusterSpecInput } from '../spec/cluster.js';
import { nginxTest } from '../../test/nginx-t.js';
import { renderNginxConfig } from './render.js';
import { DEF_AUTH_DIR, htpasswdPath, nginxSize, renderHtpasswd } from './render-proxy-host.js';

/** Hashes of "Hello world!" (Drepper's SHA-crypt test vectors) and of "secret" (bcrypt cost 5). */
const SHA512_HASH =
  '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1';
const SHA512_ROUNDS_HASH =
  '$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.';
const BCRYPT_HASH = '$2b$05$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a';

const AUTH_DIR = '/srv/keepwatch/nginx-auth';

function base(virtualServers: ClusterSpecInput['virtualServers']): ClusterSpecInput {
  return {
    name: 'proxy-host',
    nodes: [{ name: 'lb1', interfaces: ['eth0'] }],
    pools: [
      { name: 'app', servers: [{ address: '198.51.100.11', port: 8080 }] },
      { name: 'app-ka', keepalive: 8, servers: [{ address: '198.51.100.12', port: 8080 }] },
    ],
    virtualServers,
  };
}

/** Golden cases of the proxy-host options: name → spec input (golden file `proxy-host-<name>.conf`). */
const CASES: Record<string, { input: ClusterSpecInput; want: string[] }> = {
  websocket: {
    input: base([
      {
        name: 'ws',
        listen: [{ port: 80 }],
        locations: [
          { path: '/', pool: 'app', websocket: true },
          { path: '/live/', pool: 'app-ka', websocket: true },
          { path: '/api/', pool: 'app-ka' },
        ],
      },
    ]),
    want: [
      'map $http_upgrade $keepwatch_connection_upgrade {',
      "'' close;",
      'map $http_upgrade $keepwatch_connection_upgrade_keepalive {',
      "'' '';",
      'proxy_set_header Upgrade $http_upgrade;',
      'proxy_set_header Connection $keepwatch_connection_upgrade;',
      'proxy_set_header Connection $keepwatch_connection_upgrade_keepalive;',
      'proxy_set_header Connection "";',
    ],
  },
  redirects: {
    input: base([
      {
        name: 'site',
        listen: [{ port: 80 }],
        serverNames: ['www.example.com'],
        locations: [{ path: '/', pool: 'app' }],
        redirects: [
          { path: '/old/', to: '/new/', code: 301 },
          { path: '/blog', match: 'exact', to: 'https://blog.example.com/', code: 302 },
          { path: '/shop/', to: 'https://shop.example.com$request_uri', code: 307 },
        ],
      },
      {
        name: 'bare-domain',
        listen: [{ port: 80 }],
        serverNames: ['example.com'],
        locations: [],
        redirects: [{ path: '/', to: 'https://www.example.com$request_uri' }],
      },
    ]),
    want: [
      'location /old/ {',
      'return 301 "/new/";',
      'location = /blog {',
      'return 302 "https://blog.example.com/";',
      'return 307 "https://shop.example.com$request_uri";',
      'return 308 "https://www.example.com$request_uri";',
    ],
  },
  access: {
    input: base([
      {
        name: 'admin',
        listen: [{ port: 80 }],
        serverNames: ['admin.example.com'],
        locations: [{ path: '/', pool: 'app' }],
        access: {
          rules: [
            { action: 'deny', source: '192.0.2.66' },
            { action: 'allow', source: '192.0.2.0/24' },
            { action: 'allow', source: '2001:db8:1::/48' },
          ],
          basicAuth: {
            realm: 'Admin area',
            users: [
              { name: 'alice', passwordHash: SHA512_HASH },
              { name: 'bob', passwordHash: SHA512_ROUNDS_HASH },
              { name: 'carol', passwordHash: BCRYPT_HASH },
            ],
          },
          satisfy: 'any',
        },
      },
      {
        name: 'blocklist',
        listen: [{ port: 80 }],
        serverNames: ['www.example.com'],
        locations: [{ path: '/', pool: 'app' }],
        access: {
          rules: [
            { action: 'deny', source: '203.0.113.0/24' },
            { action: 'allow', source: 'all' },
          ],
        },
      },
      {
        name: 'password-only',
        listen: [{ port: 80 }],
        serverNames: ['private.example.com'],
        locations: [{ path: '/', pool: 'app' }],
        access: { basicAuth: { users: [{ name: 'alice', passwordHash: SHA512_HASH }] } },
      },
    ]),
    want: [
      'satisfy any;',
      'deny 192.0.2.66;',
      'allow 192.0.2.0/24;',
      'allow 2001:db8:1::/48;',
      'deny all;',
      'auth_basic "Admin area";',
      `auth_basic_user_file ${AUTH_DIR}/admin.htpasswd;`,
      'deny 203.0.113.0/24;',
      'allow all;',
      'auth_basic "Restricted";',
      `auth_basic_user_file ${AUTH_DIR}/password-only.htpasswd;`,
    ],
  },
  'body-size': {
    input: base([
      { name: 'upload', listen: [{ port: 80 }], locations: [{ path: '/', pool: 'app' }], clientMaxBodySizeBytes: 0 },
      {
        name: 'api',
        listen: [{ port: 8080 }],
        locations: [{ path: '/', pool: 'app' }],
        clientMaxBodySizeBytes: 10 * 1024 ** 2,
      },
    ]),
    want: ['client_max_body_size 0;', 'client_max_body_size 10m;'],
  },
};

const cases = Object.entries(CASES).map(([name, { input, want }]) => ({
  name,
  want,
  text: renderNginxConfig(ClusterSpecSchema.parse(input), 'lb1', { authDir: AUTH_DIR }),
}));

describe('proxy-host rendering', () => {
  it.each(cases)('renders $name as its golden file', async ({ name, text }) => {
    await expect(text).toMatchFileSnapshot(`./__golden__/proxy-host-${name}.conf`);
  });

  it.each(cases)('renders the key directives of $name', ({ text, want }) => {
    const lines = text.split('\n').map((l) => l.trim());
    for (const d of want) expect(lines).toContain(d);
  });

  it.each(cases)('is accepted by real nginx -t: $name', ({ text }) => {
    const r = nginxTest(text);
    expect(r.output).toBe('');
    expect(r.ok).toBe(true);
  });

  it('renders each upgrade map once, however many locations use it', () => {
    const text = cases.find((c) => c.name === 'websocket')!.text;
    expect(text.match(/map \$http_upgrade \$keepwatch_connection_upgrade \{/g)).toHaveLength(1);
    expect(text.match(/proxy_http_version 1\.1;/g)).toHaveLength(3);
  });

  it('renders no map without a WebSocket location', () => {
    for (const c of cases.filter((x) => x.name !== 'websocket')) expect(c.text).not.toMatch(/map /);
  });

  it("names the default state dir's htpasswd folder when no authDir is given (the dashboard's previews)", () => {
    const spec = ClusterSpecSchema.parse(CASES.access!.input);
    expect(renderNginxConfig(spec, 'lb1')).toContain(`auth_basic_user_file ${DEF_AUTH_DIR}/admin.htpasswd;`);
    expect(() => renderNginxConfig(spec, 'lb1', { authDir: 'relative' })).toThrow(/authDir must be absolute/);
  });

  it('throws instead of rendering a redirect target with a quote that slipped past validation', () => {
    const spec = ClusterSpecSchema.parse(CASES.redirects!.input);
    const vs = spec.virtualServers[1]!;
    const bad = { ...vs, redirects: [{ ...vs.redirects![0]!, to: 'https://x.example/"; include /etc/passwd; "' }] };
    expect(() => renderNginxConfig({ ...spec, virtualServers: [bad] }, 'lb1')).toThrow(/redirect target/);
  });
});

describe('htpasswd', () => {
  it('writes name:hash per line', () => {
    const users = [
      { name: 'alice', passwordHash: SHA512_HASH },
      { name: 'carol', passwordHash: BCRYPT_HASH },
    ];
    expect(renderHtpasswd({ realm: 'r', users })).toBe(`alice:${SHA512_HASH}\ncarol:${BCRYPT_HASH}\n`);
  });

  it('refuses a hash with a newline that slipped past validation', () => {
    const users = [{ name: 'alice', passwordHash: `${SHA512_HASH}\nmallory:x` }];
    expect(() => renderHtpasswd({ realm: 'r', users })).toThrow(/not a crypt\(3\) string/);
  });

  it('names the file after the virtual server', () => {
    expect(htpasswdPath('/var/lib/keepwatch/nginx-auth/', 'admin')).toBe(
      '/var/lib/keepwatch/nginx-auth/admin.htpasswd',
    );
  });
});

describe('nginxSize', () => {
  it.each([
    { bytes: 0, want: '0' },
    { bytes: 1000, want: '1000' },
    { bytes: 1536 * 1024, want: '1536k' },
    { bytes: 10 * 1024 ** 2, want: '10m' },
    { bytes: 2 * 1024 ** 3, want: '2g' },
  ])('formats $bytes bytes as $want', ({ bytes, want }) => {
    expect(nginxSize(bytes)).toBe(want);
  });
});
