import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LabKeepalived,
  LabNginx,
  REF,
  referenceLab,
  type Lab,
  LabAgent,
  agentConfig,
  referenceSpec,
} from '@keepwatch/lab';
import { ClusterSpecSchema, renderKeepalivedConfig, type ClusterSpecInput } from '@keepwatch/shared';

/**
 * Mixed clusters: keepwatch-agent on one LB and real keepalived 2.2.7 on the other, both ways,
 * for each wire variant. The keepalived side runs the configuration Keepwatch exports for it from
 * the same spec (renderKeepalivedConfig). Takeover: the master's daemon stops gracefully and the
 * other implementation takes the VIP; preemption: it comes back and takes the VIP back.
 */
type Variant = {
  name: string;
  version: 2 | 3;
  family: 4 | 6;
  advertIntervalMs: number;
  unicast?: boolean;
};

const VARIANTS: Variant[] = [
  { name: 'v2 with PASS authentication at 1 s', version: 2, family: 4, advertIntervalMs: 1000 },
  { name: 'v3 at 1 s', version: 3, family: 4, advertIntervalMs: 1000 },
  { name: 'v3 at 0.1 s', version: 3, family: 4, advertIntervalMs: 100 },
  { name: 'v3 over IPv6 at 0.1 s', version: 3, family: 6, advertIntervalMs: 100 },
  { name: 'v3 with unicast peers at 0.1 s', version: 3, family: 4, advertIntervalMs: 100, unicast: true },
];

function spec(v: Variant): ClusterSpecInput {
  return referenceSpec({
    name: 'interop',
    version: v.version,
    family: v.family,
    advertIntervalMs: v.advertIntervalMs,
    unicast: v.unicast,
    check: null,
    pools: false,
    instance: { garpMasterDelayMs: 1000 },
  });
}

/** One HA daemon on one LB, whichever implementation. */
type Daemon = { start(): Promise<unknown>; stop(): Promise<void> };

for (const v of VARIANTS) {
  for (const agentOn of ['lb1', 'lb2'] as const) {
    const kaOn = agentOn === 'lb1' ? 'lb2' : 'lb1';
    describe(`mixed cluster, ${v.name}: keepwatch-agent on ${agentOn}, keepalived on ${kaOn}`, () => {
      let lab: Lab;
      const daemons = {} as Record<'lb1' | 'lb2', Daemon>;
      const vip = v.family === 4 ? REF.vip : REF.vip6;
      const wait = (holders: string[]) => lab.waitForHolders(vip, holders, 4 * v.advertIntervalMs + 5000);

      beforeAll(async () => {
        lab = await referenceLab();
        const s = spec(v);
        const agent = new LabAgent(lab, agentOn, {
          ...agentConfig(lab, new LabNginx(lab, agentOn), s),
          metrics: undefined,
        });
        const ka = new LabKeepalived(lab, kaOn);
        const exported = renderKeepalivedConfig(ClusterSpecSchema.parse(s), kaOn);
        ka.configure(exported.text);
        daemons[agentOn] = agent;
        daemons[kaOn] = ka;
        await daemons.lb1.start();
        await daemons.lb2.start();
      });
      afterAll(async () => {
        await lab?.teardown();
      });

      it('elects lb1 (priority 100) as the only master', async () => {
        await wait(['lb1']);
      });

      it('lb2 takes over when lb1 stops', async () => {
        await daemons.lb1.stop();
        await wait(['lb2']);
      });

      it('lb1 preempts when it comes back', async () => {
        await daemons.lb1.start();
        await wait(['lb1']);
        expect(await lab.holders(vip)).toEqual(['lb1']);
      });
    });
  }
}
