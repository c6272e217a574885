import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { LabNginx, REF, referenceLab, referenceSpec, type Lab, LabAgent, agentConfig } from '@keepwatch/lab';
import { encodeAdvert, type Advert } from '@keepwatch/vrrp';
import type { ClusterSpecInput } from '@keepwatch/shared';
import { metricValue, vrrpFrameV4 } from '../support/frames.js';

const INJECT = fileURLToPath(new URL('../support/inject.mjs', import.meta.url));

/**
 * Hostile VRRP packets injected from another host (the client) are dropped, counted by reason in
 * the agent's metrics, and change no state: the master stays master, no transition happens.
 * Each would win mastership if it were accepted (priority 254 or 255).
 */
function spec(unicast: boolean): ClusterSpecInput {
  return referenceSpec({ name: 'hostile', version: unicast ? 3 : 2, unicast, check: null, pools: false });
}

for (const unicast of [false, true]) {
  describe(unicast ? 'hostile packets, VRRPv3 unicast' : 'hostile packets, VRRPv2 with PASS authentication', () => {
    let lab: Lab;
    let lb1: LabAgent;
    let lb2: LabAgent;
    let clientMac = '';
    let lb1Mac = '';
    const metrics = async () => (await lab.httpGet('client', `http://${REF.lb1}:9623/metrics`)) ?? '';
    const dropped = async (reason: string) =>
      metricValue(await metrics(), 'keepwatch_vrrp_packets_dropped_total', { instance: 'VI_1', reason });
    const transitions = () => lb1.lines().filter((l) => l.msg === 'vrrp transition').length;

    async function inject(frames: string[]): Promise<void> {
      const r = await lab.exec('client', process.execPath, [INJECT, 'eth0', ...frames]);
      expect(r.code, r.stderr).toBe(0);
    }

    const advert = (over: Partial<Advert> = {}): Advert => ({
      version: unicast ? 3 : 2,
      vrid: 51,
      priority: 254,
      advertIntervalMs: unicast ? 100 : 1000,
      addresses: [REF.vip],
      ...(unicast ? {} : { authType: 'pass' as const, authData: '1111' }),
      ...over,
    });
    const dst = unicast ? REF.lb1 : '224.0.0.18';
    const frame = (payload: Uint8Array, ttl = 255) =>
      vrrpFrameV4({ srcMac: clientMac, src: REF.client, dst, ttl, payload });

    beforeAll(async () => {
      lab = await referenceLab();
      clientMac = await lab.mac('client');
      lb1Mac = await lab.mac('lb1');
      lb1 = new LabAgent(lab, 'lb1', agentConfig(lab, new LabNginx(lab, 'lb1'), spec(unicast)));
      lb2 = new LabAgent(lab, 'lb2', {
        ...agentConfig(lab, new LabNginx(lab, 'lb2'), spec(unicast)),
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
    const cases: Case[] = unicast
      ? [
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
        ]
      : [
          {
            name: 'TTL 254',
            reason: 'bad-ttl',
            frames: () => [frame(encodeAdvert(advert(), { family: 4, src: REF.client, dst }), 254)],
          },
          {
            name: 'a bad checksum',
            reason: 'bad-checksum',
            frames: () => {
              const p = encodeAdvert(advert(), { family: 4, src: REF.client, dst });
              p[6] = (p[6] ?? 0) ^ 0xff;
              return [frame(p)];
            },
          },
          {
            name: 'a wrong password',
            reason: 'auth-failed',
            frames: () => [frame(encodeAdvert(advert({ authData: 'guess' }), { family: 4, src: REF.client, dst }))],
          },
          {
            name: 'a truncated packet',
            reason: 'too-short',
            frames: () => [frame(encodeAdvert(advert(), { family: 4, src: REF.client, dst }).subarray(0, 6))],
          },
          {
            name: 'an advert sent unicast to lb1 (a multicast instance)',
            reason: 'destination-mismatch',
            frames: () => [
              vrrpFrameV4({
                srcMac: clientMac,
                dstMac: lb1Mac,
                src: REF.client,
                dst: REF.lb1,
                ttl: 255,
                payload: encodeAdvert(advert(), { family: 4, src: REF.client, dst: REF.lb1 }),
              }),
            ],
          },
          {
            name: 'a wrong address list (RFC 3768 7.1)',
            reason: 'address-list-mismatch',
            frames: () => [
              frame(encodeAdvert(advert({ addresses: ['198.51.100.99'] }), { family: 4, src: REF.client, dst })),
            ],
          },
          {
            name: 'an empty address list',
            reason: 'address-list-mismatch',
            frames: () => [frame(encodeAdvert(advert({ addresses: [] }), { family: 4, src: REF.client, dst }))],
          },
          {
            name: 'a wrong VRID',
            reason: 'vrid-mismatch',
            frames: () => [frame(encodeAdvert(advert({ vrid: 52 }), { family: 4, src: REF.client, dst }))],
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
      await new Promise((r) => setTimeout(r, unicast ? 400 : 1500)); // longer than a master-down interval would take to matter
      expect(await lab.holders(REF.vip)).toEqual(['lb1']);
      expect(transitions()).toBe(transitionsBefore);
    });

    if (!unicast)
      it('answers a flood of 300 priority-0 adverts with a handful, and no backup takes over', async () => {
        const before = await dropped('answer-rate-limited');
        const transitionsBefore = [transitions(), lb2.lines().filter((l) => l.msg === 'vrrp transition').length];
        const zero = frame(encodeAdvert(advert({ priority: 0 }), { family: 4, src: REF.client, dst }));
        await inject(Array.from({ length: 300 }, () => zero));
        await new Promise((r) => setTimeout(r, 1500)); // longer than lb2's Skew_Time and a master-down interval
        // keepalived answers each one (300 adverts); lb1 at most one per 7 ms of the burst.
        expect(await dropped('answer-rate-limited')).toBeGreaterThanOrEqual(before + 250);
        expect(await lab.holders(REF.vip)).toEqual(['lb1']);
        expect([transitions(), lb2.lines().filter((l) => l.msg === 'vrrp transition').length]).toEqual(
          transitionsBefore,
        );
      });
  });
}
