import { describe, expect, it } from 'vitest';
import { GOLDEN_CASES, parseCase } from '../../test/spec-cases.js';
import { nginxTest } from '../../test/nginx-t.js';
import {
  DEF_WORKER_SHUTDOWN_TIMEOUT_MS,
  nginxTime,
  renderNginxConfig,
  renderNginxMain,
  renderNginxMainContext,
  workerShutdownTimeoutMs,
} from './render.js';

/** Key directives each golden must contain (the kubernetes-ingress wantDirectives pattern). */
const WANT: Record<string, string[]> = {
  reference: [
    'upstream webs {',
    'server 192.0.2.152:80;',
    'server 192.0.2.153:80;',
    'listen 80;',
    'location / {',
    'proxy_pass http://webs;',
  ],
  'method-least-conn': ['least_conn;'],
  'method-ip-hash': ['ip_hash;'],
  'method-hash': ['hash $request_uri;'],
  'method-hash-consistent': ['hash $binary_remote_addr$request_uri consistent;'],
  'method-random': ['random;'],
  'backup-and-down': [
    'server 198.51.100.11:8080 weight=3 max_fails=2 fail_timeout=5s;',
    'server 198.51.100.12:8080 down;',
    'server 198.51.100.13:8080 fail_timeout=2s backup;',
    'keepalive 16;',
    'proxy_http_version 1.1;',
    'proxy_set_header Connection "";',
  ],
  'several-virtual-servers': [
    'listen 192.0.2.10:80 default_server;',
    'server_name www.example.com example.com;',
    'proxy_set_header Host $host;',
    'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    'proxy_connect_timeout 2s;',
    'proxy_read_timeout 30s;',
    'proxy_send_timeout 500ms;',
    'proxy_set_header X-Served-By "keepwatch lb";',
    'listen 8443;',
  ],
  'ipv6-upstreams': [
    'server [2001:db8::11]:80;',
    'server [2001:db8::12]:80 weight=2;',
    'listen [2001:db8::10]:80;',
    'server_name _;',
  ],
};

const cases = Object.entries(GOLDEN_CASES).map(([name, input]) => {
  const spec = parseCase(input);
  const node = spec.nodes[0]?.name ?? '';
  return { name, spec, node, text: renderNginxConfig(spec, node), shutdownMs: workerShutdownTimeoutMs(spec) };
});

/** The reference spec with one location's upstream allowed 5 minutes between reads. */
function slowUpstreamSpec(readMs: number, sendMs?: number) {
  const spec = parseCase(GOLDEN_CASES.reference!);
  const vs = spec.virtualServers[0]!;
  const loc = { ...vs.locations[0]!, proxyReadTimeoutMs: readMs, ...(sendMs ? { proxySendTimeoutMs: sendMs } : {}) };
  return { ...spec, virtualServers: [{ ...vs, locations: [loc] }] };
}

const MAIN_PATHS = {
  pidPath: '/run/keepwatch/nginx.pid',
  errorLogPath: '/var/log/keepwatch/nginx-error.log',
  includePath: '/etc/keepwatch/nginx/keepwatch.conf',
  tempDir: '/var/lib/keepwatch/nginx',
};

describe('renderNginxConfig', () => {
  describe('goldens', () => {
    it.each(cases)('renders $name as its golden file', async ({ name, text }) => {
      await expect(text).toMatchFileSnapshot(`./__golden__/${name}.conf`);
    });

    it.each(cases)('renders the key directives of $name', ({ name, text }) => {
      const lines = text.split('\n').map((l) => l.trim());
      const want = WANT[name];
      expect(want, `no key directives listed for ${name}`).toBeDefined();
      for (const d of want ?? []) expect(lines).toContain(d);
    });

    it('has key directives listed for every golden and no others', () => {
      expect(Object.keys(WANT).sort()).toEqual(cases.map((c) => c.name).sort());
    });
  });

  it('gives the same bytes for the same spec', () => {
    for (const c of cases) expect(renderNginxConfig(parseCase(GOLDEN_CASES[c.name]!), c.node)).toBe(c.text);
  });

  it('refuses a node that is not in the spec', () => {
    const c = cases[0];
    expect(() => renderNginxConfig(c!.spec, 'nope')).toThrow(/node "nope" is not in cluster/);
  });

  it('throws instead of rendering a value that slipped past validation', () => {
    const spec = parseCase(GOLDEN_CASES.reference!);
    const bad = { ...spec, pools: [{ ...spec.pools[0]!, name: 'webs; include /etc/passwd' }] };
    expect(() => renderNginxConfig(bad, 'LVS_1')).toThrow(/not a safe nginx token/);
  });

  describe('hostile strings that bypass the schema', () => {
    const HOSTILE = ['a;b', 'a}b', 'a{b', 'a"b', "a'b", 'a\nb', 'a$b', 'a#b', 'a\\b', 'a b'];
    const spec = parseCase(GOLDEN_CASES['several-virtual-servers']!);

    it.each(HOSTILE)('refuses %j as a bare token (pool name)', (bad) => {
      const pools = [{ ...spec.pools[0]!, name: bad }, ...spec.pools.slice(1)];
      expect(() => renderNginxConfig({ ...spec, pools }, 'lb1')).toThrow(/refusing to render pool name/);
    });

    it.each(
      HOSTILE.filter((h) => h !== 'a b' && h !== "a'b" && h !== 'a;b' && h !== 'a{b' && h !== 'a}b' && h !== 'a#b'),
    )('refuses %j inside a quoted header value', (bad) => {
      const vs = spec.virtualServers[1]!;
      const loc = { ...vs.locations[0]!, headers: [{ name: 'X-Served-By', value: bad }] };
      const virtualServers = [spec.virtualServers[0]!, { ...vs, locations: [loc] }];
      expect(() => renderNginxConfig({ ...spec, virtualServers }, 'lb1')).toThrow(/refusing to render header value/);
    });
  });

  it.each([
    { ms: 0, want: '0s' },
    { ms: 1000, want: '1s' },
    { ms: 1500, want: '1500ms' },
    { ms: 60_000, want: '60s' },
  ])('formats $ms ms as $want', ({ ms, want }) => {
    expect(nginxTime(ms)).toBe(want);
  });
});

describe('worker_shutdown_timeout', () => {
  it('is the main config golden for the reference spec', async () => {
    const text = renderNginxMain({ ...MAIN_PATHS, workerShutdownTimeoutMs: cases[0]!.shutdownMs });
    await expect(text).toMatchFileSnapshot('./__golden__/main-reference.conf');
  });

  it('bounds old workers in the main config even when no spec says how long', () => {
    expect(renderNginxMain(MAIN_PATHS).split('\n')).toContain('worker_shutdown_timeout 70s;');
    expect(DEF_WORKER_SHUTDOWN_TIMEOUT_MS).toBe(70_000);
  });

  it("is nginx's 60 s proxy timeouts plus a 10 s margin when no location sets longer ones", () => {
    for (const c of cases) expect(c.shutdownMs, c.name).toBe(70_000);
  });

  it('follows the longest proxy read or send timeout of any location', () => {
    expect(workerShutdownTimeoutMs(slowUpstreamSpec(300_000))).toBe(310_000);
    expect(workerShutdownTimeoutMs(slowUpstreamSpec(1000, 120_000))).toBe(130_000);
    // Shorter than nginx's default everywhere: old workers are bounded sooner too.
    expect(workerShutdownTimeoutMs(slowUpstreamSpec(1000, 2000))).toBe(12_000);
  });

  it('refuses a timeout nginx would not take or that is not whole milliseconds', () => {
    for (const bad of [0, 999, 1.5, 86_400_000 + 10_001])
      expect(() => renderNginxMain({ ...MAIN_PATHS, workerShutdownTimeoutMs: bad })).toThrow(/workerShutdownTimeoutMs/);
  });

  it('is the main-context golden for the reference spec, for a file nginx.conf includes at top level', async () => {
    await expect(renderNginxMainContext(cases[0]!.spec)).toMatchFileSnapshot(
      './__golden__/main-context-reference.conf',
    );
  });

  it('is accepted by real nginx -t in a main-context file included at top level', () => {
    const spec = slowUpstreamSpec(300_000);
    const r = nginxTest(renderNginxConfig(spec, 'LVS_1'), { mainContext: renderNginxMainContext(spec) });
    expect(r.output).toBe('');
    expect(r.ok).toBe(true);
  });

  it('fails nginx -t when nginx.conf sets it too (why the agent writes the file only when told where)', () => {
    const spec = cases[0]!.spec;
    const twice = `${renderNginxMainContext(spec)}worker_shutdown_timeout 5s;\n`;
    const r = nginxTest(renderNginxConfig(spec, 'LVS_1'), { mainContext: twice });
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/"worker_shutdown_timeout" directive is duplicate/);
  });

  it('is accepted by real nginx -t at the longest proxy timeout the spec allows', () => {
    const spec = slowUpstreamSpec(86_400_000, 86_400_000);
    const r = nginxTest(renderNginxConfig(spec, 'LVS_1'), { workerShutdownTimeoutMs: workerShutdownTimeoutMs(spec) });
    expect(r.output).toBe('');
    expect(r.ok).toBe(true);
  });
});

describe('nginx -t on the goldens (real nginx)', () => {
  it.each(cases)('accepts $name', ({ text, shutdownMs }) => {
    const r = nginxTest(text, { workerShutdownTimeoutMs: shutdownMs });
    expect(r.output).toBe('');
    expect(r.ok).toBe(true);
  });
});
