import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { Advert, InstanceConfig } from '@keepwatch/vrrp';
import { AgentMetrics } from '../metrics.js';
import type { Vip } from '../vip/addresses.js';
import { InstanceRunner } from './runner.js';

const log = pino({ level: 'silent' });
const vip: Vip = { address: '192.0.2.100', prefix: 32, dev: 'eth0', family: 4 };
const config: InstanceConfig = {
  name: 'VI_1',
  version: 3,
  family: 4,
  vrid: 51,
  basePriority: 255,
  advertIntervalMs: 100,
  vips: ['192.0.2.100'],
  primaryAddress: '192.0.2.1',
};
const newMaster: Advert = { version: 3, vrid: 51, priority: 100, advertIntervalMs: 100, addresses: ['192.0.2.100'] };

/** An address owner (Master at startup), recording adverts and address changes in order. */
async function master(metrics = new AgentMetrics({ defaultMetrics: false })) {
  const events: string[] = [];
  const r = new InstanceRunner({
    config,
    iface: 'eth0',
    vips: [vip],
    sendAdvert: (a) => void events.push(`advert ${a.priority}`),
    addVips: async (v) => void events.push(...v.map((x) => `add ${x.address}`)),
    removeVips: async (v) => void events.push(...v.map((x) => `remove ${x.address}`)),
    announce: () => undefined,
    now: () => performance.now(),
    log,
    metrics,
  });
  await r.start();
  events.length = 0;
  return { r, events, metrics };
}

describe('InstanceRunner.retire', () => {
  it('keeps the VIPs of a master until the new master is heard, then stops', async () => {
    const { r, events } = await master();
    const retired = r.retire();
    await new Promise((res) => setTimeout(res, 20));
    expect(events).toEqual(['advert 0']);
    await r.deliver({ type: 'advert-received', advert: newMaster, src: '192.0.2.2', ttl: 255 });
    await retired;
    expect(events).toEqual(['advert 0', 'remove 192.0.2.100']);
  });

  it('gives the VIPs up at the hand-over deadline when no new master speaks', async () => {
    const { r, events } = await master();
    await r.retire();
    expect(events).toEqual(['advert 0', 'remove 192.0.2.100']);
  });

  it("drops the instance's gauges when it stops", async () => {
    const { r, metrics } = await master();
    // Counters stay (Prometheus counters are never reset); the gauges say what runs now.
    const gauges = async () =>
      (await metrics.registry.metrics()).split('\n').filter((l) => /^keepwatch_vrrp_(state|\w+_priority)\{/.test(l));
    expect((await gauges()).length).toBe(6);
    await r.stop();
    expect(await gauges()).toEqual([]);
  });
});
