import { beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { keepalived24, REF, referenceSpec, waitFor } from '@keepwatch/lab';
import type { ClusterSpecInput } from '@keepwatch/shared';
import { metricValue } from '../support/frames.js';
import { mixedClusterSuite, takeoverAndPreemptionTests } from '../support/mixed-cluster.js';

/**
 * Signed adverts (keepalived 2.4's auth_hmac) between keepwatch-agent and real keepalived 2.4.3,
 * built from the source tarball (packages/lab/assets/keepalived-2.4), both ways: the keepalived
 * side runs the keepalived.conf Keepwatch exports for it from the same spec, so its auth_hmac block
 * is the exporter's too. Takeover (the master stops: its signed priority-0 advert hands over),
 * preemption (it comes back), and a wrong key refused and counted on both sides.
 */
const KEY = randomBytes(32).toString('hex');
const WRONG = randomBytes(32).toString('hex');

type Variant = { name: string; version: 2 | 3; family: 4 | 6; unicast: boolean; agentOn: 'lb1' | 'lb2' };
const VARIANTS: Variant[] = [
  { name: 'v3 unicast at 0.1 s', version: 3, family: 4, unicast: true, agentOn: 'lb1' },
  { name: 'v3 unicast at 0.1 s', version: 3, family: 4, unicast: true, agentOn: 'lb2' },
  { name: 'v3 multicast over IPv6 at 0.1 s', version: 3, family: 6, unicast: false, agentOn: 'lb1' },
  { name: 'v2 multicast at 1 s', version: 2, family: 4, unicast: false, agentOn: 'lb1' },
];

function spec(v: Variant, key = KEY): ClusterSpecInput {
  return referenceSpec({
    name: 'hmac',
    version: v.version,
    family: v.family,
    unicast: v.unicast,
    check: null,
    pools: false,
    instance: {
      garpMasterDelayMs: 1000,
      authentication: undefined,
      authHmac: { keys: [{ id: 1, hex: key }], activeKey: 1, antiReplay: 'time', mode: 'enforce' },
    },
  });
}

let binary: Awaited<ReturnType<typeof keepalived24>>;
beforeAll(async () => {
  binary = await keepalived24();
}, 16 * 60_000);

for (const v of VARIANTS) {
  const kaOn = v.agentOn === 'lb1' ? 'lb2' : 'lb1';
  describe(`auth_hmac, ${v.name}: keepwatch-agent on ${v.agentOn}, keepalived 2.4.3 on ${kaOn}`, () => {
    const interval = v.version === 2 ? 1000 : 100;
    const m = mixedClusterSuite({
      spec: spec(v),
      agentOn: v.agentOn,
      family: v.family,
      advertIntervalMs: interval,
      keepalived: () => ({ name: 'keepalived24', binary }),
    });
    const agentAddress = v.agentOn === 'lb1' ? REF.lb1 : REF.lb2;
    const dropped = async (reason: string) =>
      metricValue(
        (await m.lab.httpGet('client', `http://${agentAddress}:9623/metrics`)) ?? '',
        'keepwatch_vrrp_packets_dropped_total',
        {
          instance: 'VI_1',
          reason,
        },
      );
    const received = async () =>
      metricValue(
        (await m.lab.httpGet('client', `http://${agentAddress}:9623/metrics`)) ?? '',
        'keepwatch_vrrp_adverts_received_total',
        {
          instance: 'VI_1',
        },
      );

    it('elects lb1 (priority 100) as the only master, each side verifying the other', async () => {
      await m.wait(['lb1']);
      // The agent hears keepalived's adverts (as backup) or keepalived hears the agent's (it stays
      // backup: a refused advert would make it master too); nothing fails authentication.
      const before = await received();
      await new Promise((r) => setTimeout(r, 3 * interval));
      expect(await m.lab.holders(m.vip)).toEqual(['lb1']);
      if (v.agentOn === 'lb2') expect(await received()).toBeGreaterThan(before);
      for (const reason of ['auth-missing', 'auth-bad-hmac', 'auth-stale', 'auth-replay', 'auth-unknown-key'])
        expect(await dropped(reason), reason).toBe(0);
      expect(m.ka.log()).not.toMatch(/authentication trailer|authentication HMAC|authentication key/);
    });

    takeoverAndPreemptionTests(m);

    if (v.agentOn === 'lb1' && v.unicast)
      it('a keepalived with another key is refused and counted by both, and each holds the VIP', async () => {
        const before = await dropped('auth-bad-hmac');
        await m.ka.stop();
        m.configureKeepalived(spec(v, WRONG));
        await m.ka.start();
        await waitFor(async () => (await dropped('auth-bad-hmac')) > before + 5, {
          timeoutMs: 5000,
          what: 'the agent to count adverts signed with another key',
        });
        await waitFor(() => /invalid authentication HMAC/.test(m.ka.log()), {
          timeoutMs: 5000,
          what: 'keepalived to refuse the agent’s adverts',
        });
        await m.wait(['lb1', 'lb2']);
      });
  });
}
