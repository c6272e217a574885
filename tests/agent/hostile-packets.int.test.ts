import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { LabNginx, REF, referenceLab, referenceSpec, type Lab, LabAgent, agentConfig } from '@keepwatch/lab';
import { encodeAdvert, type Advert } from '@keepwatch/vrrp';
import type { ClusterSpecInput } from '@keepwatch/shared';
import { metricValue, vrrpFrameV4 } from '../support/frames.js';

const INJECT = fileURLToPath(new URL('../support/inject.mjs', import.meta.url));

/**
 * Hostile VRRP packets injected from another host (the client) into a unicast VRRPv3 cluster are
 * dropped, counted by reason in the agent's metrics, and change no state: the master stays master,
 * no transition happens. Each would win mastership if it were accepted (priority 254 or 255). The
 * VRRPv2 multicast cases, built by scapy and compared with keepalived, are in crafted-packets.
 */
const ADVERT_INTERVAL_MS = 1000;
// 1 s adverts, not the functional tests' 0.1 s: nothing here waits for a Master_Down_Interval (an
// accepted impostor would make lb1 a backup at once), and at 0.1 s a fresh-clone run beside another
// file saw lb2 miss lb1's adverts for the 350 ms it allows and take the VIP too.
const spec: ClusterSpecInput = referenceSpec({
  name: 'hostile',
  version: 3,
  unicast: true,
  check: null,
  pools: false,
  advertIntervalMs: ADVERT_INTERVAL_MS,
});

describe('hostile packets, VRRPv3 unicast', () => {
  let lab: Lab;
  let lb1: LabAgent;
  let lb2: LabAgent;
  let clientMac = '';
  const metrics = async () => (await lab.httpGet('client', `http://${REF.lb1}:9623/metrics`)) ?? '';
  const dropped = async (reason: string) =>
    metricValue(await metrics(), 'keepwatch_vrrp_packets_dropped_total', { instance: 'VI_1', reason });
  const transitions = () => lb1.lines().filter((l) => l.msg === 'vrrp transition').length;

  async function inject(frames: string[]): Promise<void> {
    const r = await lab.exec('client', process.execPath, [INJECT, 'eth0', ...frames]);
    expect(r.code, r.stderr).toBe(0);
  }

  const advert = (over: Partial<Advert> = {}): Advert => ({
    version: 3,
    vrid: 51,
    priority: 254,
    advertIntervalMs: ADVERT_INTERVAL_MS,
    addresses: [REF.vip],
    ...over,
  });
  const dst = REF.lb1;
  const frame = (payload: Uint8Array, ttl = 255) =>
    vrrpFrameV4({ srcMac: clientMac, src: REF.client, dst, ttl, payload });

  beforeAll(async () => {
    lab = await referenceLab();
    clientMac = await lab.mac('client');
    lb1 = new LabAgent(lab, 'lb1', agentConfig(lab, new LabNginx(lab, 'lb1'), spec));
    lb2 = new LabAgent(lab, 'lb2', {
      ...agentConfig(lab, new LabNginx(lab, 'lb2'), spec),
      metrics: undefined,
    });
    await lb1.start();
    await lb2.start();
    await lab.waitForHolders(REF.vip, ['lb1'], 10_000);
  });
  afterAll(async () => {
    await lab?.teardown();
  });

  type Case = { name: string; reason: string; frames: () => string[] };
  const cases: Case[] = [
    {
      name: 'a priority-255 impostor from an unknown peer',
      reason: 'unknown-peer',
      frames: () => [frame(encodeAdvert(advert({ priority: 255 }), { family: 4, src: REF.client, dst }))],
    },
    {
      name: 'TTL 254',
      reason: 'bad-ttl',
      frames: () => [frame(encodeAdvert(advert(), { family: 4, src: REF.lb2, dst }), 254)],
    },
  ];

  it.each(cases)('drops $name, counts it as $reason, and changes nothing', async ({ reason, frames }) => {
    const before = await dropped(reason);
    const transitionsBefore = transitions();
    await inject([...frames(), ...frames(), ...frames()]);
    const deadline = Date.now() + 3000;
    let after = before;
    while (after < before + 3 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      after = await dropped(reason);
    }
    expect(after - before).toBe(3);
    await new Promise((r) => setTimeout(r, 400)); // an accepted impostor makes lb1 a backup at once
    expect(await lab.holders(REF.vip)).toEqual(['lb1']);
    expect(transitions()).toBe(transitionsBefore);
  });
});
