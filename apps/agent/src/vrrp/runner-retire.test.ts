import { describe, expect, it } from 'vitest';
import type { Advert } from '@keepwatch/vrrp';
import { AgentMetrics } from '../metrics.js';
import { recordingRunner, runnerConfig, vip } from './__fixtures__/recording-runner.js';

const newMaster: Advert = { version: 3, vrid: 51, priority: 100, advertIntervalMs: 100, addresses: ['192.0.2.100'] };

/** An address owner (Master at startup), started, with what it did until then forgotten. */
async function master(metrics = new AgentMetrics({ defaultMetrics: false })) {
  const { r, events } = recordingRunner(runnerConfig({ basePriority: 255 }), [vip('192.0.2.100')], metrics);
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
    expect(events).toEqual(['advert 0', 'remove 192.0.2.100 eth0']);
  });

  it('gives the VIPs up at the hand-over deadline when no new master speaks', async () => {
    const { r, events } = await master();
    await r.retire();
    expect(events).toEqual(['advert 0', 'remove 192.0.2.100 eth0']);
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
