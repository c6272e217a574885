import { renameSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { nginxTest } from '../../test/nginx-t.js';
import { tlsDirWith } from '../../test/tls-dir.js';
import { ClusterSpecSchema, type ClusterSpecInput } from '../spec/cluster.js';
import { renderNginxConfig, type NginxRenderOptions } from './render.js';
import { DEF_TLS_DIR } from './render-tls.js';

const TLS_DIR = '/var/lib/keepwatch/tls';
/** An RFC 7638 thumbprint's shape (43 base64url characters). */
const THUMBPRINT = 'LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0';

type VsInput = NonNullable<ClusterSpecInput['virtualServers']>[number];
const spec = (...virtualServers: VsInput[]) =>
  ClusterSpecSchema.parse({
    name: 'tls',
    nodes: [{ name: 'lb1', interfaces: ['eth0'] }],
    pools: [{ name: 'app', servers: [{ address: '198.51.100.11', port: 8080 }] }],
    virtualServers,
  } satisfies ClusterSpecInput);
const site = (tls: VsInput['tls'], listen: VsInput['listen'] = [{ port: 80 }, { port: 443, ssl: true }]): VsInput => ({
  name: 'www',
  listen,
  serverNames: ['www.example.com'],
  locations: [{ path: '/', pool: 'app' }],
  tls,
});

type Golden = { name: string; input: VsInput[]; opts: NginxRenderOptions; want: string[]; nginxT: boolean };

const COMMON = [
  'ssl_certificate /var/lib/keepwatch/tls/www-cert.pem;',
  'ssl_certificate_key /var/lib/keepwatch/tls/www-cert.key;',
  'ssl_protocols TLSv1.2 TLSv1.3;',
  'ssl_prefer_server_ciphers off;',
  'ssl_session_cache shared:kw_ssl:10m;',
  'ssl_session_timeout 1d;',
  'ssl_session_tickets off;',
];

/** Goldens per nginx version family (issue #17 item 4) and per feature. */
const GOLDENS: Golden[] = [
  {
    name: 'tls-1.14',
    input: [site({ certificate: 'www-cert' })],
    opts: { tlsDir: TLS_DIR, nginxVersion: '1.14.1' },
    want: ['listen 80;', 'listen 443 ssl http2;', ...COMMON],
    nginxT: true,
  },
  {
    name: 'tls-1.22',
    input: [site({ certificate: 'www-cert' })],
    opts: { tlsDir: TLS_DIR, nginxVersion: '1.22.1' },
    want: ['listen 80;', 'listen 443 ssl http2;', ...COMMON],
    nginxT: true,
  },
  {
    name: 'tls-1.26',
    input: [site({ certificate: 'www-cert' })],
    opts: { tlsDir: TLS_DIR, nginxVersion: '1.26.3' },
    want: ['listen 80;', 'listen 443 ssl;', 'http2 on;', ...COMMON],
    // `http2 on;` is unknown to the 1.22 here: nginx -t cannot check this family.
    nginxT: false,
  },
  {
    name: 'tls-acme',
    input: [
      site({ certificate: 'www-cert' }),
      { name: 'plain', listen: [{ port: 8080 }], locations: [{ path: '/', pool: 'app' }] },
    ],
    opts: { tlsDir: TLS_DIR, acmeThumbprint: THUMBPRINT },
    want: [
      'location ~ "^/\\.well-known/acme-challenge/([-_A-Za-z0-9]+)$" {',
      'default_type text/plain;',
      `return 200 "$1.${THUMBPRINT}";`,
    ],
    nginxT: true,
  },
  {
    name: 'tls-redirect',
    input: [site({ certificate: 'www-cert', redirectHttp: true, http2: false })],
    opts: { tlsDir: TLS_DIR, acmeThumbprint: THUMBPRINT },
    want: ['return 308 https://$host$request_uri;', 'listen 443 ssl;', `return 200 "$1.${THUMBPRINT}";`],
    nginxT: true,
  },
  {
    name: 'tls-hsts',
    input: [
      site({ certificate: 'www-cert', hsts: { maxAgeS: 63_072_000, includeSubdomains: true } }, [
        { address: '192.0.2.10', port: 443, ssl: true, defaultServer: true },
      ]),
    ],
    opts: { tlsDir: `${TLS_DIR}/` },
    want: [
      'listen 192.0.2.10:443 default_server ssl http2;',
      'add_header Strict-Transport-Security "max-age=63072000; includeSubDomains" always;',
    ],
    nginxT: true,
  },
];

const rendered = GOLDENS.map((g) => ({ ...g, text: renderNginxConfig(spec(...g.input), 'lb1', g.opts) }));
const lines = (text: string) => text.split('\n').map((l) => l.trim());

describe('renderNginxConfig with TLS', () => {
  it.each(rendered)('renders $name as its golden file', async ({ name, text }) => {
    await expect(text).toMatchFileSnapshot(`./__golden__/${name}.conf`);
  });

  it.each(rendered)('renders the key directives of $name', ({ text, want }) => {
    for (const d of want) expect(lines(text)).toContain(d);
  });

  it('sends HSTS only from the ssl block, never over plain HTTP (RFC 6797 7.2)', () => {
    const text = renderNginxConfig(spec(site({ certificate: 'c', hsts: { maxAgeS: 60 } })), 'lb1', { tlsDir: TLS_DIR });
    const [plain, ssl] = text.split('# virtual server www').slice(1);
    expect(plain).toContain('listen 80;');
    expect(plain).not.toContain('Strict-Transport-Security');
    expect(ssl).toContain('add_header Strict-Transport-Security "max-age=60" always;');
  });

  it('answers the ACME challenge on the plain block before the redirect, and not on the ssl block', () => {
    const text = rendered.find((r) => r.name === 'tls-redirect')!.text;
    const [plain, ssl] = text.split('# virtual server www').slice(1);
    expect(plain!.indexOf('acme-challenge')).toBeGreaterThan(0);
    expect(plain).toContain('return 308');
    expect(ssl).not.toContain('acme-challenge');
  });

  it("names the default state dir's tls folder without tlsDir (the dashboard's preview and export)", () => {
    const text = renderNginxConfig(spec(site({ certificate: 'c' })), 'lb1');
    expect(lines(text)).toContain(`ssl_certificate ${DEF_TLS_DIR}/c.pem;`);
    expect(DEF_TLS_DIR).toBe('/var/lib/keepwatch/tls');
  });

  it.each(['too-short', `${THUMBPRINT.slice(1)}=`, `${THUMBPRINT.slice(1)}"`, `${THUMBPRINT};`])(
    'refuses the ACME thumbprint %j',
    (bad) => {
      expect(() =>
        renderNginxConfig(spec(site({ certificate: 'c' })), 'lb1', { tlsDir: TLS_DIR, acmeThumbprint: bad }),
      ).toThrow(/acmeThumbprint must be 43 base64url/);
    },
  );

  it('refuses TLS on an nginx older than 1.13, naming the node', () => {
    expect(() =>
      renderNginxConfig(spec(site({ certificate: 'c' })), 'lb1', { tlsDir: TLS_DIR, nginxVersion: '1.12.2' }),
    ).toThrow(/node lb1 runs nginx 1.12.2, older than 1.13.0/);
  });

  it('refuses a malformed nginx version or a relative tlsDir', () => {
    const s = spec(site({ certificate: 'c' }));
    expect(() => renderNginxConfig(s, 'lb1', { tlsDir: TLS_DIR, nginxVersion: '1.22' })).toThrow(
      /not major.minor.patch/,
    );
    expect(() => renderNginxConfig(s, 'lb1', { tlsDir: 'tls' })).toThrow(/tlsDir must be absolute/);
  });

  it('leaves a server without tls as it was, one block', () => {
    const plain = { name: 'plain', listen: [{ port: 80 }], locations: [{ path: '/', pool: 'app' }] };
    const text = renderNginxConfig(spec(plain), 'lb1');
    expect(text.match(/server \{/g)).toHaveLength(1);
    expect(text).not.toMatch(/ssl|acme/);
  });
});

describe('nginx -t on the TLS goldens (real nginx 1.22, a throwaway certificate)', () => {
  const dir = tlsDirWith(['www-cert']);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(rendered.filter((g) => g.nginxT))('accepts $name', ({ input, opts }) => {
    const r = nginxTest(renderNginxConfig(spec(...input), 'lb1', { ...opts, tlsDir: dir }));
    expect(r.output).toBe('');
    expect(r.ok).toBe(true);
  });

  it('fails when the key does not match the certificate (what the agent reports)', () => {
    const [mine, other] = [tlsDirWith(['www-cert']), tlsDirWith(['www-cert'])];
    try {
      renameSync(`${other}/www-cert.key`, `${mine}/www-cert.key`);
      const r = nginxTest(renderNginxConfig(spec(site({ certificate: 'www-cert' })), 'lb1', { tlsDir: mine }));
      expect(r.ok).toBe(false);
      expect(r.output).toMatch(/key values mismatch/);
    } finally {
      for (const d of [mine, other]) rmSync(d, { recursive: true, force: true });
    }
  });
});
