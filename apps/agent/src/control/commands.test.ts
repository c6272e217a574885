import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { Advert, InstanceConfig } from '@keepwatch/vrrp';
import { AgentMetrics } from '../metrics.js';
import { InstanceRunner } from '../vrrp/runner.js';
import { runnerConfig, vip } from '../vrrp/__fixtures__/recording-runner.js';
import { AdminStateFile, nextAdminState, runCommand } from './commands.js';

const log = pino({ level: 'silent' });
const metrics = new AgentMetrics({ defaultMetrics: false });

/** A real runner (the real machine) whose I/O is recorded instead of touching the network. */
function runner(name: string, extra: Partial<InstanceConfig> = {}) {
  const held = new Set<string>();
  const adverts: number[] = [];
  const vips = [vip('192.0.2.100')];
  const r = new InstanceRunner({
    config: runnerConfig({ name, ...extra }),
    iface: 'eth0',
    vips,
    sendAdvert: (a) => adverts.push(a.priority),
    addVips: async (v) => void v.forEach((x) => held.add(x.address)),
    removeVips: async (v) => void v.forEach((x) => held.delete(x.address)),
    announce: () => {},
    now: () => performance.now(),
    log,
    metrics,
  });
  return { r, held, adverts };
}

/** An advert from a peer (192.0.2.2) as the codec would decode it. */
const advert = (vrid: number, priority: number): Advert => ({
  version: 3,
  vrid,
  priority,
  advertIntervalMs: 100,
  addresses: ['192.0.2.100'],
});

describe('runCommand with the real VRRP machine', () => {
  const started: InstanceRunner[] = [];
  const start = async (name: string, extra: Partial<InstanceConfig> = {}) => {
    const x = runner(name, extra);
    await x.r.start();
    started.push(x.r);
    return x;
  };
  afterEach(async () => {
    for (const r of started.splice(0)) await r.stop();
  });

  it('promote makes a backup master at once with the VIP (make-before-break) and advertises 254', async () => {
    const a = await start('VI_1');
    expect(a.r.current().vrrpState).toBe('backup');
    expect(await runCommand({ kind: 'promote', instance: 'VI_1' }, [a.r])).toEqual({ outcome: 'done' });
    expect(a.r.current().vrrpState).toBe('master');
    expect(a.r.current().promoted).toBe(true);
    expect(a.held.has('192.0.2.100')).toBe(true);
    expect(a.adverts.at(-1)).toBe(254);
  });

  it('release clears the promote; a second release is refused as not-promoted', async () => {
    const a = await start('VI_1');
    await runCommand({ kind: 'promote', instance: 'VI_1' }, [a.r]);
    expect(await runCommand({ kind: 'release', instance: 'VI_1' }, [a.r])).toEqual({ outcome: 'done' });
    expect(a.r.current().promoted).toBe(false);
    const again = await runCommand({ kind: 'release', instance: 'VI_1' }, [a.r]);
    expect(again.outcome).toBe('refused');
    expect(again.reason).toMatch(/^not-promoted: /);
  });

  it('refuses a promote for an instance this node does not run, naming it', async () => {
    const a = await start('VI_1');
    expect(await runCommand({ kind: 'promote', instance: 'VI_9' }, [a.r])).toEqual({
      outcome: 'refused',
      reason: 'unknown-instance: no instance "VI_9" runs on this node',
    });
  });

  it("refuses a promote in Fault and in maintenance with the machine's reason", async () => {
    const a = await start('VI_1');
    await a.r.deliver({ type: 'interface-changed', up: false });
    expect(a.r.current().vrrpState).toBe('fault');
    const f = await runCommand({ kind: 'promote', instance: 'VI_1' }, [a.r]);
    expect(f).toMatchObject({ outcome: 'refused' });
    expect(f.reason).toMatch(/^fault: .*Fault/);

    const b = await start('VI_2');
    expect(await runCommand({ kind: 'maintenance', enabled: true }, [b.r])).toEqual({ outcome: 'done' });
    const m = await runCommand({ kind: 'promote', instance: 'VI_2' }, [b.r]);
    expect(m.reason).toMatch(/^maintenance: /);
  });

  it('maintenance on makes a master give up its VIP on every instance — make-before-break; off lets them take part again', async () => {
    const a = await start('VI_1');
    const b = await start('VI_2');
    await runCommand({ kind: 'promote', instance: 'VI_1' }, [a.r, b.r]);
    expect(a.held.size).toBe(1);
    expect(await runCommand({ kind: 'maintenance', enabled: true }, [a.r, b.r])).toEqual({ outcome: 'done' });
    expect(a.r.current()).toMatchObject({ vrrpState: 'backup', maintenance: true, promoted: false });
    expect(b.r.current()).toMatchObject({ maintenance: true });
    expect(a.adverts.at(-1)).toBe(0);
    // The VIP stays until the new master is heard (an advert of another VRID does not count).
    expect(a.held.size).toBe(1);
    await a.r.deliver({ type: 'advert-received', advert: advert(52, 80), src: '192.0.2.2', ttl: 255 });
    expect(a.held.size).toBe(1);
    await a.r.deliver({ type: 'advert-received', advert: advert(51, 80), src: '192.0.2.2', ttl: 255 });
    expect(a.held.size).toBe(0);
    expect(await runCommand({ kind: 'maintenance', enabled: false }, [a.r, b.r])).toEqual({ outcome: 'done' });
    expect(a.r.current().maintenance).toBe(false);
  });

  it('maintenance on gives the VIP up after 4 advert intervals when no new master appears (the last node)', async () => {
    const a = await start('VI_1');
    await runCommand({ kind: 'promote', instance: 'VI_1' }, [a.r]);
    await runCommand({ kind: 'maintenance', enabled: true }, [a.r]);
    expect(a.held.size).toBe(1);
    const t0 = performance.now();
    while (a.held.size > 0 && performance.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 10));
    expect(a.held.size).toBe(0);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(350);
  });

  it('a stop during the maintenance hand-over still removes the VIP', async () => {
    const a = await start('VI_1');
    await runCommand({ kind: 'promote', instance: 'VI_1' }, [a.r]);
    await runCommand({ kind: 'maintenance', enabled: true }, [a.r]);
    expect(a.held.size).toBe(1);
    await a.r.stop();
    expect(a.held.size).toBe(0);
  });

  it('refuses on a stopped instance as not-running', async () => {
    const a = await start('VI_1');
    await a.r.stop();
    const r = await runCommand({ kind: 'promote', instance: 'VI_1' }, [a.r]);
    expect(r.reason).toMatch(/^not-running: /);
  });

  it('a runner started with the persisted promote goes straight to Master (restart)', async () => {
    const a = await start('VI_1', { promoted: true });
    expect(a.r.current()).toMatchObject({ vrrpState: 'master', promoted: true });
    expect(a.held.has('192.0.2.100')).toBe(true);
  });
});

describe('admin state (what survives a restart)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kw-admin-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('follows the outcomes: promote adds, release removes, maintenance on clears promotes', () => {
    let s = { promoted: [] as string[], maintenance: false };
    s = nextAdminState(s, { kind: 'promote', instance: 'VI_1' }, { outcome: 'done' });
    expect(s).toEqual({ promoted: ['VI_1'], maintenance: false });
    expect(nextAdminState(s, { kind: 'promote', instance: 'VI_2' }, { outcome: 'refused', reason: 'fault: x' })).toBe(
      s,
    );
    expect(nextAdminState(s, { kind: 'release', instance: 'VI_1' }, { outcome: 'done' })).toEqual({
      promoted: [],
      maintenance: false,
    });
    expect(
      nextAdminState(s, { kind: 'release', instance: 'VI_1' }, { outcome: 'refused', reason: 'not-promoted: x' }),
    ).toEqual({ promoted: [], maintenance: false });
    expect(nextAdminState(s, { kind: 'maintenance', enabled: true }, { outcome: 'done' })).toEqual({
      promoted: [],
      maintenance: true,
    });
    expect(
      nextAdminState({ promoted: [], maintenance: true }, { kind: 'maintenance', enabled: false }, { outcome: 'done' }),
    ).toEqual({ promoted: [], maintenance: false });
  });

  it('is written 0600 and read back by a new agent process; a corrupt file counts as none', () => {
    const f = new AdminStateFile(dir);
    f.set({ promoted: ['VI_1'], maintenance: true });
    const path = join(dir, 'admin-state.json');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ promoted: ['VI_1'], maintenance: true });
    expect(new AdminStateFile(dir).current).toEqual({ promoted: ['VI_1'], maintenance: true });
    writeFileSync(path, '{"promoted": 3}');
    const errors: string[] = [];
    expect(new AdminStateFile(dir, (_e, what) => errors.push(what)).current).toEqual({
      promoted: [],
      maintenance: false,
    });
    expect(errors).toEqual(['admin state ignored']);
  });
});
