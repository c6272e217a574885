import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { InstanceConfig } from '@keepwatch/vrrp';
import { AgentMetrics } from '../metrics.js';
import type { Vip } from '../vip/addresses.js';
import { InstanceRunner } from './runner.js';

const log = pino({ level: 'silent' });
const metrics = new AgentMetrics({ defaultMetrics: false });
const vip = (address: string, dev = 'eth0'): Vip => ({ address, prefix: 32, dev, family: 4 });
const config = (over: Partial<InstanceConfig> = {}): InstanceConfig => ({
  name: 'VI_1',
  version: 3,
  family: 4,
  vrid: 51,
  basePriority: 255,
  advertIntervalMs: 100,
  vips: ['192.0.2.100'],
  primaryAddress: '192.0.2.1',
  ...over,
});

const runners: InstanceRunner[] = [];
afterEach(async () => {
  for (const r of runners.splice(0)) await r.stop();
});

/** An address owner (straight to Master at startup), recording what reaches the interfaces. */
async function master(vips: Vip[]) {
  const calls: string[] = [];
  const announced: string[] = [];
  const r = new InstanceRunner({
    config: config({ vips: vips.map((v) => v.address) }),
    iface: 'eth0',
    vips,
    sendAdvert: () => undefined,
    addVips: async (v) => void calls.push(...v.map((x) => `add ${x.address} ${x.dev}`)),
    removeVips: async (v) => void calls.push(...v.map((x) => `remove ${x.address} ${x.dev}`)),
    announce: (v) => void announced.push(...v.map((x) => x.address)),
    now: () => performance.now(),
    log,
    metrics,
  });
  runners.push(r);
  await r.start();
  calls.length = 0;
  announced.length = 0;
  return { r, calls, announced };
}

describe('InstanceRunner.reconfigure', () => {
  it('adds only the new VIP with its device, removes only the removed one with its old device, and announces the new one', async () => {
    const { r, calls, announced } = await master([vip('192.0.2.100'), vip('192.0.2.101', 'eth1')]);
    await r.reconfigure(config({ vips: ['192.0.2.100', '192.0.2.102'] }), [vip('192.0.2.100'), vip('192.0.2.102')]);
    expect(calls).toEqual(['remove 192.0.2.101 eth1', 'add 192.0.2.102 eth0']);
    expect(announced).toEqual(['192.0.2.102']);
    expect(r.current().vrrpState).toBe('master');
  });

  it('gives up the VIPs of the new list when it stops afterwards', async () => {
    const { r, calls } = await master([vip('192.0.2.100')]);
    await r.reconfigure(config({ vips: ['192.0.2.100', '192.0.2.102'] }), [vip('192.0.2.100'), vip('192.0.2.102')]);
    calls.length = 0;
    await r.stop();
    expect(calls).toEqual(['remove 192.0.2.100 eth0', 'remove 192.0.2.102 eth0']);
  });

  it('rejects a change the machine cannot take in place, and keeps running the old configuration', async () => {
    const { r } = await master([vip('192.0.2.100')]);
    await expect(r.reconfigure(config({ vrid: 52 }), [vip('192.0.2.100')])).rejects.toThrow(/vrid/);
    expect(r.config.vrid).toBe(51);
    expect(r.current().vrrpState).toBe('master');
  });
});
