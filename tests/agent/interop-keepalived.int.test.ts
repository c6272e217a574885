import { describe, it } from 'vitest';
import { referenceSpec } from '@keepwatch/lab';
import type { ClusterSpecInput } from '@keepwatch/shared';
import { mixedClusterSuite, takeoverAndPreemptionTests } from '../support/mixed-cluster.js';

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

for (const v of VARIANTS) {
  for (const agentOn of ['lb1', 'lb2'] as const) {
    const kaOn = agentOn === 'lb1' ? 'lb2' : 'lb1';
    describe(`mixed cluster, ${v.name}: keepwatch-agent on ${agentOn}, keepalived on ${kaOn}`, () => {
      const m = mixedClusterSuite({
        spec: spec(v),
        agentOn,
        family: v.family,
        advertIntervalMs: v.advertIntervalMs,
        metrics: false,
      });

      it('elects lb1 (priority 100) as the only master', async () => {
        await m.wait(['lb1']);
      });

      takeoverAndPreemptionTests(m);
    });
  }
}
