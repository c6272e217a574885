import { afterEach, describe, expect, it } from 'vitest';
import { AgentMetrics } from '../metrics.js';
import type { Vip } from '../vip/addresses.js';
import type { InstanceRunner } from './runner.js';
import { recordingRunner, runnerConfig, vip } from './__fixtures__/recording-runner.js';

const metrics = new AgentMetrics({ defaultMetrics: false });

const runners: InstanceRunner[] = [];
afterEach(async () => {
  for (const r of runners.splice(0)) await r.stop();
});

/** An address owner (straight to Master at startup), started, with what it did until then forgotten. */
async function master(vips: Vip[]) {
  const { r, events } = recordingRunner(
    runnerConfig({ basePriority: 255, vips: vips.map((v) => v.address) }),
    vips,
    metrics,
  );
  runners.push(r);
  await r.start();
  events.length = 0;
  return { r, events };
}

/** What reached the interfaces: `add …` and `remove …`, in order. */
const vipCalls = (events: string[]) => events.filter((e) => e.startsWith('add ') || e.startsWith('remove '));
/** The addresses announced (GARP / NA), in order. */
const announced = (events: string[]) => events.filter((e) => e.startsWith('announce ')).map((e) => e.split(' ')[1]);

describe('InstanceRunner.reconfigure', () => {
  it('adds only the new VIP with its device, removes only the removed one with its old device, and announces the new one', async () => {
    const { r, events } = await master([vip('192.0.2.100'), vip('192.0.2.101', 'eth1')]);
    const next = [vip('192.0.2.100'), vip('192.0.2.102')];
    await r.reconfigure({ ...r.config, vips: next.map((v) => v.address) }, next);
    expect(vipCalls(events)).toEqual(['remove 192.0.2.101 eth1', 'add 192.0.2.102 eth0']);
    expect(announced(events)).toEqual(['192.0.2.102']);
    expect(r.current().vrrpState).toBe('master');
  });

  it('gives up the VIPs of the new list when it stops afterwards', async () => {
    const { r, events } = await master([vip('192.0.2.100')]);
    const wider = [vip('192.0.2.100'), vip('192.0.2.102')];
    await r.reconfigure({ ...r.config, vips: wider.map((v) => v.address) }, wider);
    events.length = 0;
    await r.stop();
    expect(vipCalls(events)).toEqual(['remove 192.0.2.100 eth0', 'remove 192.0.2.102 eth0']);
  });

  it('rejects a change the machine cannot take in place, and keeps running the old configuration', async () => {
    const { r } = await master([vip('192.0.2.100')]);
    await expect(r.reconfigure({ ...r.config, vrid: 52 }, [vip('192.0.2.100')])).rejects.toThrow(/vrid/);
    expect(r.config.vrid).toBe(51);
    expect(r.current().vrrpState).toBe('master');
  });
});
