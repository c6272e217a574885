import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareNginxVersion, NginxBuildInfoSchema, parseNginxV, type NginxBuildInfo } from './build-info.js';

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/nginx-v/${name}.txt`, import.meta.url), 'utf8');

function parsed(text: string): NginxBuildInfo {
  const r = parseNginxV(text);
  if (!r.ok) throw new Error(r.reason);
  return r.info;
}

describe('parseNginxV', () => {
  it.each([
    ['debian12-1.22.1', '1.22.1', '3.0.19'],
    ['rhel8-1.14.1', '1.14.1', '1.1.1k'],
    ['nginx-org-1.26.2', '1.26.2', '3.0.14'],
    ['nginx-org-1.27.3', '1.27.3', '3.0.15'],
  ])('reads the version and the running OpenSSL of %s', (name, version, openssl) => {
    expect(parsed(fixture(name))).toMatchObject({ version, openssl });
  });

  it.each(['debian12-1.22.1', 'rhel8-1.14.1', 'nginx-org-1.26.2', 'nginx-org-1.27.3'])(
    'finds ssl, http2 and the default-built modules in %s',
    (name) => {
      const { modules } = parsed(fixture(name));
      for (const m of [
        'http_ssl_module',
        'http_v2_module',
        'http_auth_basic_module',
        'http_proxy_module',
        'http_map_module',
      ])
        expect(modules, m).toContain(m);
    },
  );

  it('counts =dynamic modules as built, without the suffix', () => {
    const { modules } = parsed(fixture('rhel8-1.14.1'));
    expect(modules).toContain('stream');
    expect(modules).toContain('http_perl_module');
    expect(modules.some((m) => m.includes('='))).toBe(false);
  });

  it('has no random balancing module before nginx 1.15.1 (RHEL 8)', () => {
    expect(parsed(fixture('rhel8-1.14.1')).modules).not.toContain('http_upstream_random_module');
    expect(parsed(fixture('debian12-1.22.1')).modules).toContain('http_upstream_random_module');
  });

  it('finds HTTP/3 in nginx.org builds only', () => {
    expect(parsed(fixture('nginx-org-1.26.2')).modules).toContain('http_v3_module');
    expect(parsed(fixture('debian12-1.22.1')).modules).not.toContain('http_v3_module');
  });

  it('drops a default module built --without it', () => {
    const text =
      'nginx version: nginx/1.24.0\nconfigure arguments: --without-http_auth_basic_module --with-http_ssl_module\n';
    const { modules } = parsed(text);
    expect(modules).not.toContain('http_auth_basic_module');
    expect(modules).toContain('http_access_module');
    expect(modules).toContain('http_ssl_module');
  });

  it('has no http modules when built --without-http', () => {
    const { modules } = parsed('nginx version: nginx/1.24.0\nconfigure arguments: --without-http --with-stream\n');
    expect(modules).toEqual(['stream']);
  });

  it('names added modules by their folder', () => {
    const text =
      "nginx version: nginx/1.25.3\nconfigure arguments: --add-module=../nginx-rtmp-module --add-dynamic-module=/src/ngx_brotli/ --with-cc-opt='-O2 -I /x'\n";
    const { modules } = parsed(text);
    expect(modules).toContain('nginx-rtmp-module');
    expect(modules).toContain('ngx_brotli');
  });

  it('keeps a quoted argument in one word', () => {
    const text = "nginx version: nginx/1.25.3\nconfigure arguments: --with-cc-opt='-O2 --with-http_v2_module'\n";
    expect(parsed(text).modules).not.toContain('http_v2_module');
  });

  it('takes the default modules of an nginx configured without arguments', () => {
    const info = parsed('nginx version: nginx/1.24.0\nbuilt by gcc 12.2.0 (Debian 12.2.0-14)\n');
    expect(info.modules).toContain('http_proxy_module');
    expect(info.modules).not.toContain('http_ssl_module');
    expect(info.openssl).toBeUndefined();
  });

  it.each([
    ['nginx version: openresty/1.21.4.1\n', '1.21.4'],
    ['nginx version: Tengine/2.3.3 (nginx/1.18.0)\n', '1.18.0'],
    ['nginx version: nginx/1.16.1 (quiche-a0e69ed)\n', '1.16.1'],
  ])('reads the nginx core version of %j', (text, version) => {
    expect(parsed(text).version).toBe(version);
  });

  it.each([
    ['', 'no "nginx version:" line'],
    ['nginx: [emerg] unknown directive\n', 'no "nginx version:" line'],
    ['nginx version: Angie/1.5.0\n', 'no nginx version in'],
  ])('refuses %j', (text, reason) => {
    const r = parseNginxV(text);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain(reason);
  });

  it('gives what the build-info schema takes', () => {
    for (const name of ['debian12-1.22.1', 'rhel8-1.14.1', 'nginx-org-1.26.2', 'nginx-org-1.27.3'])
      expect(NginxBuildInfoSchema.safeParse(parsed(fixture(name))).success).toBe(true);
  });
});

describe('compareNginxVersion', () => {
  it.each([
    ['1.22.1', '1.22.1', 0],
    ['1.9.5', '1.22.1', -1],
    ['1.25.1', '1.25.0', 1],
    ['1.14.1', '1.15.1', -1],
    ['2.0.0', '1.99.99', 1],
  ])('%s against %s is %i', (a, b, sign) => {
    expect(Math.sign(compareNginxVersion(a, b))).toBe(sign);
  });
});
