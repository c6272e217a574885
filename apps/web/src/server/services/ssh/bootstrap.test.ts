import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { agentConfigFor, DEFAULT_PREFIX, layoutFor, shellQuote, StartInputSchema } from './bootstrap';
import { installMethod } from './install';
import { JobStore, MAX_JOBS, MAX_LINES } from './jobs';
import { newestDeb, newestPackage } from './settings';
import { withTempDir } from '../../../../test/temp-dir';

const TOKEN = 'kwe_abcdefghijklmnopqrstuvwxyz012345';

describe('ssh bootstrap rules', () => {
  it('quotes any word for a POSIX shell, including quotes and metacharacters', () => {
    for (const w of ['plain', "it's", '$(reboot)', 'a b;c', '`x`', '']) {
      expect(execFileSync('/bin/sh', ['-c', `printf %s ${shellQuote(w)}`], { encoding: 'utf8' })).toBe(w);
    }
  });

  it('lays out the default prefix like a system install and any other prefix self-contained (as install.sh does)', () => {
    expect(layoutFor(DEFAULT_PREFIX)).toEqual({ configPath: '/etc/keepwatch/agent.json', stateDir: undefined });
    expect(layoutFor('/srv/kw')).toEqual({ configPath: '/srv/kw/etc/agent.json', stateDir: '/srv/kw/state' });
  });

  it("writes an agent config the agent's own schema accepts: node, control plane with the token, the prefix's state folder, the default script policy", () => {
    expect(agentConfigFor('lb1', { prefix: '/srv/kw', serverUrl: 'wss://dash.example.net/agent' }, TOKEN)).toEqual({
      node: 'lb1',
      stateDir: '/srv/kw/state',
      scripts: {},
      controlPlane: { url: 'wss://dash.example.net/agent', enrollToken: TOKEN },
    });
  });

  it("pins the dashboard's own TLS key for a wss:// agent (handed over the verified SSH channel)", () => {
    const pin = `sha256/${'A'.repeat(43)}=`;
    const cfg = (serverUrl: string) => agentConfigFor('lb1', { prefix: DEFAULT_PREFIX, serverUrl }, TOKEN, pin);
    expect(cfg('wss://192.0.2.1:3000/agent').controlPlane).toEqual({
      url: 'wss://192.0.2.1:3000/agent',
      enrollToken: TOKEN,
      pins: [pin],
    });
    expect(cfg('ws+unix:///run/kw.sock:/agent').controlPlane).not.toHaveProperty('pins');
  });

  /** An install request by password to 192.0.2.11 as root; `o` replaces what the test is about. */
  const startInput = (o: Record<string, unknown> = {}) => ({
    nodeId: '00000000-0000-4000-8000-000000000000',
    target: { host: '192.0.2.11', username: 'root' },
    auth: { kind: 'password', password: 'x' },
    serverUrl: 'wss://192.0.2.1:3000/agent',
    ...o,
  });

  it('refuses a dashboard URL that is not ws://, wss:// or ws+unix://, naming the field', () => {
    const r = StartInputSchema.safeParse(startInput({ serverUrl: 'http://dash/agent' }));
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['serverUrl']);
  });

  it('does not keep a private key unless asked', () => {
    const r = StartInputSchema.parse(startInput());
    expect(r.keepPrivateKey).toBe(false);
    expect(r.target.port).toBe(22);
    expect(r.prefix).toBe(DEFAULT_PREFIX);
  });

  it('refuses host names and users that could smuggle options or shell words', () => {
    for (const target of [
      { host: '-oProxyCommand=x', username: 'root' },
      { host: 'lb1', username: 'root;id' },
      { host: 'a b', username: 'root' },
    ]) {
      expect(StartInputSchema.safeParse(startInput({ target })).success).toBe(false);
    }
  });

  it('picks the newest agent package by version, not by name order', () => {
    withTempDir('kw-pkg-', (dir) => {
      for (const v of ['0.9.0', '0.10.0', '0.2.5'])
        writeFileSync(join(dir, `keepwatch-agent-${v}-linux-x64.tar.gz`), '');
      writeFileSync(join(dir, 'keepwatch-agent-9.9.9-linux-arm64.tar.gz'), '');
      expect(newestPackage(dir)).toBe(join(dir, 'keepwatch-agent-0.10.0-linux-x64.tar.gz'));
      expect(newestPackage(join(dir, 'missing'))).toBeNull();
    });
  });

  it('picks the newest .deb by version, then by revision', () => {
    withTempDir('kw-deb-', (dir) => {
      for (const v of ['0.9.0-1', '0.10.0-1', '0.10.0-2', '0.2.5-7'])
        writeFileSync(join(dir, `keepwatch-agent_${v}_amd64.deb`), '');
      writeFileSync(join(dir, 'keepwatch-agent_9.9.9-1_arm64.deb'), '');
      expect(newestDeb(dir)).toBe(join(dir, 'keepwatch-agent_0.10.0-2_amd64.deb'));
      expect(newestDeb(join(dir, 'missing'))).toBeNull();
    });
  });
});

describe('how the agent is installed over SSH', () => {
  const debian = { hasDpkg: true, runsSystemd: true, prefix: DEFAULT_PREFIX, systemd: 'auto', haveDeb: true } as const;

  it('installs the .deb on a host with dpkg that runs systemd, in the default layout', () => {
    expect(installMethod(debian).method).toBe('deb');
  });

  it('installs the tarball where the host has no dpkg', () => {
    expect(installMethod({ ...debian, hasDpkg: false })).toEqual({ method: 'tarball', why: 'the host has no dpkg' });
  });

  it('installs the tarball when no .deb was built', () => {
    expect(installMethod({ ...debian, haveDeb: false }).method).toBe('tarball');
  });

  it('installs the tarball into another prefix: the .deb has one layout', () => {
    expect(installMethod({ ...debian, prefix: '/srv/kw' })).toEqual({
      method: 'tarball',
      why: 'the prefix /srv/kw was asked for',
    });
  });

  it('installs the tarball when systemd is not to be used or the host does not run it', () => {
    expect(installMethod({ ...debian, systemd: 'never' }).method).toBe('tarball');
    expect(installMethod({ ...debian, runsSystemd: false }).method).toBe('tarball');
  });
});

describe('bootstrap jobs', () => {
  it('keep at most MAX_LINES lines, the first one (where it connected) always among them', () => {
    const job = new JobStore().create('n', 'lb1', 'root@lb1:22');
    job.add('step', 'connected');
    for (let i = 0; i < MAX_LINES + 10; i++) job.add('output', `line ${i}`);
    const v = job.view();
    expect(v.lines).toHaveLength(MAX_LINES);
    expect(v.lines[0]?.text).toBe('connected');
    expect(v.lines.at(-1)?.text).toBe(`line ${MAX_LINES + 9}`);
  });

  it('keep at most MAX_JOBS jobs, dropping the oldest finished one, never a running one', () => {
    const store = new JobStore();
    const first = store.create('n0', 'lb0', 't');
    const second = store.create('n1', 'lb1', 't');
    second.fail('boom');
    for (let i = 2; i < MAX_JOBS; i++) store.create(`n${i}`, `lb${i}`, 't').succeed('ok');
    store.create('nx', 'lbx', 't');
    expect(store.get(first.id)).toBeDefined();
    expect(store.get(second.id)).toBeUndefined();
    expect(store.runningFor('n0')).toBe(first);
  });

  it('a job reports its lines from `since` on, and its end', () => {
    const job = new JobStore().create('n', 'lb1', 't');
    job.add('step', 'a');
    job.add('step', 'b');
    job.succeed('online');
    expect(job.view(1).lines.map((l) => l.text)).toEqual(['b', 'online']);
    expect(job.view()).toMatchObject({ state: 'succeeded', error: null });
  });
});
