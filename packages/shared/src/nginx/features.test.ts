import { describe, expect, it } from 'vitest';
import type { NginxBuildInfo } from './build-info.js';
import { nginxFeatureIssues, type NginxFeatureSpec } from './features.js';

type Server = NginxFeatureSpec['virtualServers'][number];
type Pool = NginxFeatureSpec['pools'][number];

const FULL = [
  'http_access_module',
  'http_auth_basic_module',
  'http_map_module',
  'http_proxy_module',
  'http_rewrite_module',
  'http_ssl_module',
  'http_upstream_hash_module',
  'http_upstream_ip_hash_module',
  'http_upstream_keepalive_module',
  'http_upstream_least_conn_module',
  'http_upstream_random_module',
  'http_v2_module',
];
const DEBIAN_12: NginxBuildInfo = { version: '1.22.1', modules: FULL };
const RHEL_8: NginxBuildInfo = {
  version: '1.14.1',
  modules: FULL.filter((m) => m !== 'http_upstream_random_module'),
};
const without = (module: string, info: NginxBuildInfo = DEBIAN_12): NginxBuildInfo => ({
  ...info,
  modules: info.modules.filter((m) => m !== module),
});

const pool = (p: Partial<Pool> = {}): Pool => ({ name: 'webs', method: { type: 'round_robin' }, ...p });
const server = (s: Partial<Server> = {}): Server => ({
  name: 'web',
  listen: [{}],
  locations: [{ path: '/' }],
  ...s,
});
const spec = (s: Partial<NginxFeatureSpec>): NginxFeatureSpec => ({
  pools: [pool()],
  virtualServers: [server()],
  ...s,
});
const tlsServer = (tls: Server['tls'] = { http2: true }): Server =>
  server({ listen: [{ ssl: false }, { ssl: true }], tls });

describe('nginxFeatureIssues', () => {
  it('finds nothing in a plain spec on any nginx', () => {
    expect(nginxFeatureIssues(spec({}), 'lb2', RHEL_8)).toEqual([]);
  });

  it('names the node, the module, the fix and the field of HTTP/2 without http_v2_module', () => {
    const issues = nginxFeatureIssues(
      spec({ virtualServers: [tlsServer()] }),
      'lb2',
      without('http_v2_module', RHEL_8),
    );
    expect(issues).toEqual([
      {
        path: ['virtualServers', 0, 'tls', 'http2'],
        message:
          'node "lb2" runs nginx 1.14.1, which has no http_v2_module: turn HTTP/2 off for virtual server "web" or upgrade nginx on lb2',
      },
    ]);
  });

  it('refuses balance method random before nginx 1.15.1 (RHEL 8)', () => {
    const issues = nginxFeatureIssues(
      spec({ pools: [pool(), pool({ name: 'api', method: { type: 'random' } })] }),
      'lb2',
      RHEL_8,
    );
    expect(issues).toEqual([
      {
        path: ['pools', 1, 'method'],
        message:
          'node "lb2" runs nginx 1.14.1, which is older than 1.15.1 (balance method random needs it): use another balance method for pool "api" or upgrade nginx on lb2',
      },
    ]);
  });

  // One row per feature: the spec using it, the build lacking it, the field named.
  it.each<[string, Partial<NginxFeatureSpec>, NginxBuildInfo, (string | number)[], string]>([
    [
      'TLS',
      { virtualServers: [tlsServer({ http2: false })] },
      without('http_ssl_module'),
      ['virtualServers', 0, 'listen', 1, 'ssl'],
      'turn TLS off',
    ],
    [
      'HTTP/2',
      { virtualServers: [tlsServer()] },
      without('http_v2_module'),
      ['virtualServers', 0, 'tls', 'http2'],
      'turn HTTP/2 off',
    ],
    [
      'TLS before 1.13.0',
      { virtualServers: [tlsServer({ http2: false, redirectHttp: true })] },
      { ...DEBIAN_12, version: '1.12.2' },
      ['virtualServers', 0, 'listen', 1, 'ssl'],
      'older than 1.13.0 (TLS as rendered (TLSv1.3) needs it): turn TLS off',
    ],
    [
      'redirectHttp',
      { virtualServers: [tlsServer({ http2: false, redirectHttp: true })] },
      without('http_rewrite_module'),
      ['virtualServers', 0, 'tls', 'redirectHttp'],
      'turn the HTTPS redirect off',
    ],
    [
      'hash',
      { pools: [pool({ method: { type: 'hash', consistent: true } })] },
      without('http_upstream_hash_module'),
      ['pools', 0, 'method'],
      'use another balance method for pool "webs"',
    ],
    [
      'hash before 1.7.2',
      { pools: [pool({ method: { type: 'hash' } })] },
      { ...DEBIAN_12, version: '1.7.1' },
      ['pools', 0, 'method'],
      'balance method hash needs it',
    ],
    [
      'least_conn',
      { pools: [pool({ method: { type: 'least_conn' } })] },
      without('http_upstream_least_conn_module'),
      ['pools', 0, 'method'],
      'no http_upstream_least_conn_module',
    ],
    [
      'ip_hash',
      { pools: [pool({ method: { type: 'ip_hash' } })] },
      without('http_upstream_ip_hash_module'),
      ['pools', 0, 'method'],
      'no http_upstream_ip_hash_module',
    ],
    [
      'random',
      { pools: [pool({ method: { type: 'random' } })] },
      without('http_upstream_random_module'),
      ['pools', 0, 'method'],
      'no http_upstream_random_module',
    ],
    [
      'keepalive',
      { pools: [pool({ keepalive: 8 })] },
      { ...DEBIAN_12, version: '1.1.3' },
      ['pools', 0, 'keepalive'],
      'remove keepalive from pool "webs"',
    ],
    [
      'WebSocket',
      { virtualServers: [server({ locations: [{ path: '/' }, { path: '/ws', websocket: true }] })] },
      { ...DEBIAN_12, version: '1.3.12' },
      ['virtualServers', 0, 'locations', 1, 'websocket'],
      'turn WebSocket off for location "/ws"',
    ],
    [
      'WebSocket map',
      { virtualServers: [server({ locations: [{ path: '/', websocket: true }] })] },
      without('http_map_module'),
      ['virtualServers', 0, 'locations', 0, 'websocket'],
      'no http_map_module',
    ],
    [
      'redirects',
      { virtualServers: [server({ redirects: [{ code: 301 }] })] },
      without('http_rewrite_module'),
      ['virtualServers', 0, 'redirects'],
      'remove the redirects',
    ],
    [
      'redirect 308',
      { virtualServers: [server({ redirects: [{ code: 301 }, { code: 308 }] })] },
      { ...DEBIAN_12, version: '1.12.2' },
      ['virtualServers', 0, 'redirects', 1, 'code'],
      'use code 301 for redirect 2',
    ],
    [
      'address rules',
      { virtualServers: [server({ access: { rules: [{}] } })] },
      without('http_access_module'),
      ['virtualServers', 0, 'access', 'rules'],
      'remove the address rules',
    ],
    [
      'basic auth',
      { virtualServers: [server({ access: { rules: [], basicAuth: {} } })] },
      without('http_auth_basic_module'),
      ['virtualServers', 0, 'access', 'basicAuth'],
      'remove basic auth',
    ],
  ])('refuses %s on an nginx without it', (_feature, s, info, path, words) => {
    const issues = nginxFeatureIssues(spec(s), 'lb1', info);
    expect(issues.map((i) => i.path)).toEqual([path]);
    expect(issues[0]?.message).toContain(words);
    expect(issues[0]?.message).toMatch(/^node "lb1" runs nginx .* or upgrade nginx on lb1$/);
  });

  it('finds nothing missing on Debian 12 for every feature at once', () => {
    const all = spec({
      pools: [
        pool({ method: { type: 'random' }, keepalive: 4 }),
        pool({ name: 'b', method: { type: 'hash', consistent: true } }),
      ],
      virtualServers: [
        {
          ...tlsServer({ http2: true, redirectHttp: true }),
          locations: [{ path: '/', websocket: true }],
          redirects: [{ code: 308 }],
          access: { rules: [{}], basicAuth: {} },
        },
      ],
    });
    expect(nginxFeatureIssues(all, 'lb1', DEBIAN_12)).toEqual([]);
  });

  it('asks nothing of HTTP/2 when it is off, or when no listen has ssl', () => {
    const off = spec({ virtualServers: [tlsServer({ http2: false })] });
    expect(nginxFeatureIssues(off, 'lb1', without('http_v2_module'))).toEqual([]);
    const plain = spec({ virtualServers: [server({ tls: { http2: true } })] });
    expect(nginxFeatureIssues(plain, 'lb1', without('http_v2_module'))).toEqual([]);
  });

  it('names one listen per server however many have ssl', () => {
    const two = server({ listen: [{ ssl: true }, { ssl: true }], tls: { http2: false } });
    expect(nginxFeatureIssues(spec({ virtualServers: [two] }), 'lb1', without('http_ssl_module'))).toHaveLength(1);
  });
});
