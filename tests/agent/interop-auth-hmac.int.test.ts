import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import {
  keepalived24,
  LabKeepalived,
  LabNginx,
  REF,
  referenceLab,
  type Lab,
  LabAgent,
  agentConfig,
  referenceSpec,
  waitFor,
} from '@keepwatch/lab';
import { ClusterSpecSchema, renderKeepalivedConfig, type ClusterSpecInput } from '@keepwatch/shared';
import { metricValue } from '../support/frames.js';

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
    let lab: Lab;
    let agent: LabAgent;
    let ka: LabKeepalived;
    const vip = v.family === 4 ? REF.vip : REF.vip6;
    const interval = v.version === 2 ? 1000 : 100;
    const wait = (holders: string[]) => lab.waitForHolders(vip, holders, 4 * interval + 5000);
    const agentAddress = v.agentOn === 'lb1' ? REF.lb1 : REF.lb2;
    const dropped = async (reason: string) =>
      metricValue(
        (await lab.httpGet('client', `http://${agentAddress}:9623/metrics`)) ?? '',
        'keepwatch_vrrp_packets_dropped_total',
        {
          instance: 'VI_1',
          reason,
        },
      );
    const received = async () =>
      metricValue(
        (await lab.httpGet('client', `http://${agentAddress}:9623/metrics`)) ?? '',
        'keepwatch_vrrp_adverts_received_total',
        {
          instance: 'VI_1',
        },
      );
    const daemon = (lb: 'lb1' | 'lb2') => (lb === v.agentOn ? agent : ka);

    beforeAll(async () => {
      lab = await referenceLab();
      agent = new LabAgent(lab, v.agentOn, agentConfig(lab, new LabNginx(lab, v.agentOn), spec(v)));
      ka = new LabKeepalived(lab, kaOn, 'keepalived24', binary);
      ka.configure(renderKeepalivedConfig(ClusterSpecSchema.parse(spec(v)), kaOn).text);
      await daemon('lb1').start();
      await daemon('lb2').start();
    });
    afterAll(async () => {
      await lab?.teardown();
    });

    it('elects lb1 (priority 100) as the only master, each side verifying the other', async () => {
      await wait(['lb1']);
      // The agent hears keepalived's adverts (as backup) or keepalived hears the agent's (it stays
      // backup: a refused advert would make it master too); nothing fails authentication.
      const before = await received();
      await new Promise((r) => setTimeout(r, 3 * interval));
      expect(await lab.holders(vip)).toEqual(['lb1']);
      if (v.agentOn === 'lb2') expect(await received()).toBeGreaterThan(before);
      for (const reason of ['auth-missing', 'auth-bad-hmac', 'auth-stale', 'auth-replay', 'auth-unknown-key'])
        expect(await dropped(reason), reason).toBe(0);
      expect(ka.log()).not.toMatch(/authentication trailer|authentication HMAC|authentication key/);
    });

    it('lb2 takes over when lb1 stops', async () => {
      await daemon('lb1').stop();
      await wait(['lb2']);
    });

    it('lb1 preempts when it comes back', async () => {
      await daemon('lb1').start();
      await wait(['lb1']);
      expect(await lab.holders(vip)).toEqual(['lb1']);
    });

    if (v.agentOn === 'lb1' && v.unicast)
      it('a keepalived with another key is refused and counted by both, and each holds the VIP', async () => {
        const before = await dropped('auth-bad-hmac');
        await ka.stop();
        ka.configure(renderKeepalivedConfig(ClusterSpecSchema.parse(spec(v, WRONG)), kaOn).text);
        await ka.start();
        await waitFor(async () => (await dropped('auth-bad-hmac')) > before + 5, {
          timeoutMs: 5000,
          what: 'the agent to count adverts signed with another key',
        });
        await waitFor(() => /invalid authentication HMAC/.test(ka.log()), {
          timeoutMs: 5000,
          what: 'keepalived to refuse the agent’s adverts',
        });
        await wait(['lb1', 'lb2']);
      });
  });
}
