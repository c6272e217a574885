import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  REF,
  referenceLab,
  waitFor,
  type Lab,
  type LabNginx,
  referenceSpec,
  startReferenceAgents,
  throughVip as viaVip,
  waitServed as served,
  type LabAgent,
} from '@keepwatch/lab';
import { expectServedBy } from '../support/reference-scenario.js';

/**
 * The reference scenario (shared/seed/scenario.md) with keepwatch-agent on both LB hosts instead
 * of keepalived: the same five behaviours, asserted from the outside as for keepalived
 * (tests/reference/keepalived.int.test.ts). VRRPv3 at 0.1 s adverts.
 */
describe('reference scenario on keepwatch-agent', () => {
  let lab: Lab;
  let nginx: Record<'lb1' | 'lb2', LabNginx>;
  let agent: Record<'lb1' | 'lb2', LabAgent>;
  const throughVip = (n: number) => viaVip(lab, n);
  const waitServed = () => served(lab);

  beforeAll(async () => {
    lab = await referenceLab();
    ({ nginx, agent } = await startReferenceAgents(lab, referenceSpec()));
  });

  afterAll(async () => {
    await lab?.teardown();
  });

  it('1. with both LBs up only the master holds the VIP, and requests reach web 1 and web 2 in turn', async () => {
    await lab.waitForHolders(REF.vip, ['lb1'], 10_000);
    await waitServed();
    const bodies = await throughVip(6);
    expect(bodies.every((b) => b === 'web1' || b === 'web2')).toBe(true);
    for (let i = 1; i < bodies.length; i++) expect(bodies[i]).not.toBe(bodies[i - 1]);
    expect(await lab.holders(REF.vip)).toEqual(['lb1']);
  });

  it("2. when the master's agent stops, the backup takes the VIP and serves", async () => {
    await agent.lb1.stop();
    await expectServedBy(lab, 'lb2');
  });

  it("3. when the master's agent comes back, the VIP returns to it (preemption)", async () => {
    await agent.lb1.start();
    await expectServedBy(lab, 'lb1');
  });

  it('4. when every nginx process of the master is killed, supervision starts nginx again and the master keeps the VIP', async () => {
    const before = nginx.lb1.masterPid();
    const seen = new Set<string>();
    await nginx.lb1.kill();
    await waitFor(
      async () => {
        seen.add((await lab.holders(REF.vip)).join(','));
        const pid = nginx.lb1.masterPid();
        return pid !== null && pid !== before ? pid : undefined;
      },
      { timeoutMs: 5_000, intervalMs: 10, what: 'supervision to start nginx on lb1 again' },
    );
    expect([...seen]).toEqual(['lb1']);
    await waitServed();
    expect(new Set(await throughVip(4))).toEqual(new Set(['web1', 'web2']));
    expect(agent.lb1.lines().some((l) => l.msg === 'check result' && String(l.detail).includes('started it'))).toBe(
      true,
    );
  });

  it('5. when nginx on the master cannot be started (a file its main config includes is broken), the check fails and the VIP moves to the backup; the failure is logged', async () => {
    writeFileSync(join(nginx.lb1.prefix, 'conf.d', 'zz-broken.conf'), 'this is not nginx configuration\n');
    await nginx.lb1.kill();
    await expectServedBy(lab, 'lb2');
    const failure = agent.lb1.lines().find((l) => l.msg === 'check result' && l.ok === false);
    expect(String(failure?.detail)).toMatch(/could not be started/);
    expect(agent.lb1.running()).toBe(true); // unlike the tutorial's script, the agent stays up (in Fault) and reports
  });
});
