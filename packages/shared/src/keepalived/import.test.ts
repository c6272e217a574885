import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { seedFixture } from '../../test/seed.js';
import { REFERENCE_SPEC_INPUT, parseCase } from '../../test/spec-cases.js';
import { importNginxConfig } from '../nginx/import.js';
import { SUPPORTED_KEEPALIVED_KEYWORDS, importKeepalivedConfig, type ImportKeepalivedResult } from './import.js';

const fixture = (name: 'keepalived-master.conf' | 'keepalived-backup.conf') => seedFixture(name);
const nginxFixture = (name: 'lb.conf') => seedFixture(name);

function imported(r: ImportKeepalivedResult) {
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.file ?? ''}:${e.line ?? ''} ${e.message}`).join('\n'));
  return r;
}

const reference = parseCase(REFERENCE_SPEC_INPUT);

describe('importKeepalivedConfig on the reference scenario', () => {
  const cases = [
    { file: 'keepalived-master.conf', node: 'LVS_1', priority: 100, initialState: 'master' },
    { file: 'keepalived-backup.conf', node: 'LVS_2', priority: 80, initialState: 'backup' },
  ] as const;

  it.each(cases)('names the node of $file after its router_id', ({ file, node }) => {
    const r = imported(importKeepalivedConfig({ keepalived: { text: fixture(file), file } }));
    expect(r.config.node).toBe(node);
    expect(r.config.spec?.nodes).toEqual([{ name: node, addresses: [], interfaces: ['ens160'] }]);
  });

  it.each(cases)(
    'imports the instance of $file with its priority and initial state',
    ({ file, node, priority, initialState }) => {
      const r = imported(importKeepalivedConfig({ keepalived: { text: fixture(file), file } }));
      const want = reference.vrrpInstances[0]!;
      expect(r.config.spec?.vrrpInstances).toEqual([
        { ...want, members: [{ node, priority, initialState, unicastPeers: [] }] },
      ]);
    },
  );

  it.each(cases)('imports the check_nginx script of $file as an argv check', ({ file }) => {
    const r = imported(importKeepalivedConfig({ keepalived: { text: fixture(file), file } }));
    expect(r.config.spec?.checks).toEqual(reference.checks);
  });

  it.each(cases)('reports lvs_sync_daemon_interface of $file by name and line', ({ file }) => {
    const r = importKeepalivedConfig({ keepalived: { text: fixture(file), file } });
    expect(r.unsupported).toEqual([
      { keyword: 'lvs_sync_daemon_interface', file, line: 14, context: 'vrrp_instance VI_1' },
    ]);
  });

  it('imports lb.conf beside it into the pool and virtual server of the reference spec', () => {
    const r = imported(
      importKeepalivedConfig({
        keepalived: { text: fixture('keepalived-master.conf'), file: 'keepalived-master.conf' },
        nginx: { text: nginxFixture('lb.conf'), file: 'lb.conf' },
        clusterName: 'reference',
      }),
    );
    expect(r.config.spec?.pools).toEqual(reference.pools);
    expect(r.config.spec?.virtualServers).toEqual(reference.virtualServers);
    expect(r.notes).toContainEqual(expect.stringMatching(/^lb.conf:6: server #1 has no listen; imported as port 80/));
  });
});

describe('importKeepalivedConfig', () => {
  const wrap = (instanceBody: string, extra = '') =>
    `global_defs {\n router_id n1\n}\n${extra}vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 7\n virtual_ipaddress {\n  192.0.2.10/24 dev eth0\n }\n${instanceBody}}\n`;

  it('reads every supported instance keyword into the spec', () => {
    const text = wrap(
      ' state BACKUP\n priority 150\n advert_int 0.1\n version 3\n preempt_delay 2\n unicast_src_ip 192.0.2.1\n unicast_peer {\n  192.0.2.2\n }\n track_interface {\n  eth1 weight -10\n }\n track_script {\n  chk weight -20\n }\n garp_master_delay 1\n garp_master_repeat 2\n garp_master_refresh 30\n garp_master_refresh_repeat 3\n',
      'vrrp_script chk {\n script "/usr/bin/test -x /usr/sbin/nginx"\n interval 2\n timeout 1\n weight -5\n fall 2\n rise 3\n init_fail\n user nobody nogroup\n}\n',
    );
    const r = imported(importKeepalivedConfig({ keepalived: { text, file: 'k.conf' } }));
    expect(r.unsupported).toEqual([]);
    expect(r.config.spec?.vrrpInstances[0]).toEqual({
      name: 'VI_1',
      vrid: 7,
      version: 3,
      family: 4,
      interface: 'eth0',
      advertIntervalMs: 100,
      members: [
        { node: 'n1', priority: 150, initialState: 'backup', unicastSrcIp: '192.0.2.1', unicastPeers: ['192.0.2.2'] },
      ],
      preempt: true,
      preemptDelayMs: 2000,
      vips: [{ address: '192.0.2.10', prefix: 24, dev: 'eth0' }],
      trackInterfaces: [{ interface: 'eth1', weight: -10 }],
      trackChecks: [{ check: 'chk', weight: -20 }],
      garpMasterDelayMs: 1000,
      garpMasterRepeat: 2,
      garpMasterRefreshMs: 30_000,
      garpMasterRefreshRepeat: 3,
    });
    expect(r.config.spec?.checks[0]).toEqual({
      kind: 'script',
      name: 'chk',
      command: { argv: ['/usr/bin/test', '-x', '/usr/sbin/nginx'] },
      intervalMs: 2000,
      timeoutMs: 1000,
      weight: -5,
      fall: 2,
      rise: 3,
      initFail: true,
      user: { user: 'nobody', group: 'nogroup' },
    });
    expect(r.config.spec?.nodes[0]).toEqual({ name: 'n1', addresses: ['192.0.2.1'], interfaces: ['eth0', 'eth1'] });
  });

  it('imports an IPv6 instance from its first VIP', () => {
    const text =
      'global_defs {\n router_id n1\n}\nvrrp_instance V6 {\n interface eth0\n virtual_router_id 7\n version 3\n virtual_ipaddress {\n  2001:db8::10/64\n }\n}\n';
    const r = imported(importKeepalivedConfig({ keepalived: { text, file: 'k.conf' } }));
    expect(r.config.spec?.vrrpInstances[0]).toMatchObject({
      family: 6,
      version: 3,
      vips: [{ address: '2001:db8::10', prefix: 64 }],
    });
  });

  it('runs a script with a bare program name through the shell and says so', () => {
    const text = wrap('', 'vrrp_script chk {\n script "killall -0 nginx"\n}\n');
    const r = imported(importKeepalivedConfig({ keepalived: { text, file: 'k.conf' } }));
    expect(r.config.spec?.checks[0]).toMatchObject({ command: { shell: 'killall -0 nginx' } });
    expect(r.notes).toContainEqual(expect.stringMatching(/runs through \/bin\/sh -c/));
  });

  it.each([
    {
      name: 'a top-level block',
      extra: 'virtual_server 192.0.2.10 80 {\n delay_loop 6\n}\n',
      body: '',
      keyword: 'virtual_server',
      line: 4,
      context: '',
    },
    {
      name: 'an instance keyword',
      extra: '',
      body: ' smtp_alert\n',
      keyword: 'smtp_alert',
      line: 10,
      context: 'vrrp_instance VI_1',
    },
    {
      name: 'a VIP option',
      extra: '',
      body: ' virtual_ipaddress {\n  192.0.2.11 scope global\n }\n',
      keyword: 'scope',
      line: 11,
      context: 'vrrp_instance VI_1 virtual_ipaddress',
    },
    {
      name: 'a script keyword',
      extra: 'vrrp_script chk {\n script "/bin/true"\n reverse\n}\n',
      body: '',
      keyword: 'reverse',
      line: 6,
      context: 'vrrp_script chk',
    },
  ])('reports $name it cannot honour by name, line and block', ({ extra, body, keyword, line, context }) => {
    const r = importKeepalivedConfig({ keepalived: { text: wrap(body, extra), file: 'k.conf' } });
    expect(r.unsupported).toContainEqual({ keyword, file: 'k.conf', line, context });
  });

  it('reports a global_defs keyword it does not support', () => {
    const r = importKeepalivedConfig({
      keepalived: { text: 'global_defs {\n router_id n1\n notification_email {\n  a@b\n }\n}\n', file: 'k.conf' },
    });
    expect(r.unsupported).toEqual([{ keyword: 'notification_email', file: 'k.conf', line: 3, context: 'global_defs' }]);
  });

  it.each([
    { name: 'a priority out of range', body: ' priority 300\n', message: /priority needs an integer 1..255/ },
    { name: 'an unknown state', body: ' state LEADER\n', message: /state must be MASTER or BACKUP/ },
  ])('refuses $name with its line', ({ body, message }) => {
    const r = importKeepalivedConfig({ keepalived: { text: wrap(body), file: 'k.conf' } });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.errors).toContainEqual(
        expect.objectContaining({ file: 'k.conf', line: 10, message: expect.stringMatching(message) }),
      );
  });

  it('refuses a file without router_id, since it names the node', () => {
    const r = importKeepalivedConfig({ keepalived: { text: 'vrrp_instance X {\n}\n', file: 'k.conf' } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]?.message).toMatch(/router_id/);
  });

  it('refuses values the spec refuses, naming the field path', () => {
    const r = importKeepalivedConfig({
      keepalived: { text: wrap('', 'vrrp_script chk {\n script "/bin/true"\n user Root;\n}\n'), file: 'k.conf' },
    });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.errors.map((e) => e.message)).toContainEqual(expect.stringMatching(/^spec\.checks\.0\.user\.user: /));
  });
});

describe('importNginxConfig', () => {
  it('imports every method and server parameter the spec has', () => {
    const text =
      'upstream app {\n least_conn;\n server 198.51.100.1:8080 weight=2 max_fails=3 fail_timeout=5s;\n server [2001:db8::2]:8080 backup;\n server 198.51.100.3 down;\n keepalive 8;\n}\nupstream h {\n hash $request_uri consistent;\n server 198.51.100.4:80;\n}\nserver {\n listen 192.0.2.10:80 default_server;\n server_name www.example.com;\n location /api/ {\n  proxy_pass http://app;\n  proxy_set_header Host $host;\n  proxy_read_timeout 30s;\n }\n}\n';
    const r = importNginxConfig(text);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.unsupported).toEqual([]);
    expect(r.pools).toEqual([
      {
        name: 'app',
        method: { type: 'least_conn' },
        keepalive: 8,
        servers: [
          { address: '198.51.100.1', port: 8080, weight: 2, maxFails: 3, failTimeoutMs: 5000 },
          { address: '2001:db8::2', port: 8080, backup: true },
          { address: '198.51.100.3', port: 80, down: true },
        ],
      },
      {
        name: 'h',
        method: { type: 'hash', key: ['$request_uri'], consistent: true },
        servers: [{ address: '198.51.100.4', port: 80 }],
      },
    ]);
    expect(r.virtualServers).toEqual([
      {
        name: 'server-1',
        listen: [{ address: '192.0.2.10', port: 80, defaultServer: true }],
        serverNames: ['www.example.com'],
        locations: [
          { path: '/api/', pool: 'app', headers: [{ name: 'Host', value: '$host' }], proxyReadTimeoutMs: 30_000 },
        ],
      },
    ]);
  });

  it('reports directives it does not import by name and line', () => {
    const r = importNginxConfig(
      'server {\n listen 80;\n root /var/www;\n location / {\n  try_files $uri =404;\n }\n}\n',
      { file: 'site.conf' },
    );
    expect(r.unsupported).toContainEqual({ keyword: 'root', file: 'site.conf', line: 3, context: 'server #1' });
    expect(r.unsupported).toContainEqual({
      keyword: 'try_files',
      file: 'site.conf',
      line: 5,
      context: 'server #1 location /',
    });
  });

  it('refuses a proxy_pass that is not to an upstream defined above', () => {
    const r = importNginxConfig('server {\n location / {\n  proxy_pass http://127.0.0.1:8080;\n }\n}\n');
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.errors[0]).toMatchObject({
        line: 3,
        message: expect.stringMatching(/only proxy_pass http:\/\/UPSTREAM/),
      });
  });

  it('reports a syntax error with its line', () => {
    const r = importNginxConfig('upstream a {\n server 1.2.3.4:80\n}\n');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatchObject({ line: 3, message: expect.stringMatching(/not terminated by ";"/) });
  });
});

describe('SUPPORTED_KEEPALIVED_KEYWORDS', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const rows = Object.entries(SUPPORTED_KEEPALIVED_KEYWORDS).flatMap(([block, kws]) =>
    Object.keys(kws).map((keyword) => ({ block, keyword })),
  );

  it.each(rows)('lists $block $keyword in the README table', ({ block, keyword }) => {
    expect(readme).toContain(`| ${block} | ${keyword} |`);
  });
});
