import { describe, expect, it } from 'vitest';
import { REFERENCE_SPEC_INPUT } from '../../test/spec-cases.js';
import { AgentConfigSchema } from './agent-config.js';
import { formatZodError } from './format-error.js';

describe('AgentConfigSchema', () => {
  it('accepts a standalone configuration and fills in Debian defaults for nginx', () => {
    const cfg = AgentConfigSchema.parse({ node: 'LVS_1', spec: REFERENCE_SPEC_INPUT });
    expect(cfg.nginx).toEqual({
      binary: '/usr/sbin/nginx',
      prefix: '/etc/nginx/',
      mainConfPath: '/etc/nginx/nginx.conf',
      confPath: '/etc/nginx/conf.d/keepwatch.conf',
      pidPath: '/run/nginx.pid',
      startCommand: ['/usr/bin/systemctl', 'start', 'nginx'],
      failOnWarn: false,
    });
    expect(cfg.stateDir).toBe('/var/lib/keepwatch');
  });

  it('accepts a control-plane configuration without a spec', () => {
    const r = AgentConfigSchema.safeParse({
      node: 'lb1',
      controlPlane: { url: 'ws+unix:///run/keepwatch/hub.sock:/agent', enrollToken: 'x'.repeat(20) },
    });
    expect(r.success).toBe(true);
  });

  it.each([
    'ws://127.0.0.1:3000/agent',
    'ws://localhost:3000/agent',
    'ws://[::1]:3000/agent',
    'wss://192.0.2.1/agent',
    'ws+unix:///run/kw.sock:/agent',
  ])('accepts the control-plane URL %s (TLS, loopback or a local socket)', (url) => {
    expect(AgentConfigSchema.safeParse({ node: 'lb1', controlPlane: { url } }).success).toBe(true);
  });

  it.each([
    {
      name: 'neither a spec nor a control plane',
      input: { node: 'LVS_1' },
      line: 'spec: a spec is required when no controlPlane is configured',
    },
    {
      name: 'a node the spec does not name',
      input: { node: 'LVS_9', spec: REFERENCE_SPEC_INPUT },
      line: 'node: node "LVS_9" is not in spec.nodes (LVS_1, LVS_2)',
    },
    {
      name: 'an interface the host lacks',
      input: { node: 'LVS_1', interfaces: ['eth0'], spec: REFERENCE_SPEC_INPUT },
      line: 'spec.nodes.0.interfaces.0: interface "ens160" is not present on this host',
    },
    {
      name: 'a relative nginx binary',
      input: { node: 'LVS_1', nginx: { binary: 'nginx' }, spec: REFERENCE_SPEC_INPUT },
      line: 'nginx.binary: must be an absolute path of letters, digits, "_", ".", "-", "+", "@"',
    },
    {
      name: 'an http control-plane URL',
      input: { node: 'lb1', controlPlane: { url: 'http://example.com/agent' } },
      line: 'controlPlane.url: must be a ws://, wss:// or ws+unix:// URL',
    },
    ...[
      'ws://192.0.2.1:3000/agent',
      'ws://dashboard.example.com/agent',
      'ws://[2001:db8::1]:3000/agent',
      'ws://127.example.com/agent',
    ].map((url) => ({
      name: `plain ${url} to a remote host`,
      input: { node: 'lb1', controlPlane: { url } },
      line: 'controlPlane.url: ws:// sends the enrollment token, the credential and every revision in clear: use wss:// (ws:// only to 127.0.0.1, ::1 or localhost, or ws+unix:// for a local socket)',
    })),
  ])('refuses $name, naming the field path', ({ input, line }) => {
    const r = AgentConfigSchema.safeParse(input);
    expect(r.success).toBe(false);
    if (!r.success) expect(formatZodError(r.error).split('\n')).toContain(line);
  });
});

describe('formatZodError', () => {
  it('renders one "path: message" line per issue, dotted, with array indexes', () => {
    const r = AgentConfigSchema.safeParse({
      node: 'LVS_1',
      spec: { ...REFERENCE_SPEC_INPUT, pools: [{ name: 'webs', servers: [{ address: '192.0.2.152', port: 0 }] }] },
    });
    expect(r.success).toBe(false);
    if (!r.success)
      expect(formatZodError(r.error)).toBe('spec.pools.0.servers.0.port: Too small: expected number to be >=1');
  });

  it('shows an issue on the root as (root)', () => {
    const r = AgentConfigSchema.safeParse(42);
    expect(r.success).toBe(false);
    if (!r.success) expect(formatZodError(r.error)).toMatch(/^\(root\): /);
  });
});
